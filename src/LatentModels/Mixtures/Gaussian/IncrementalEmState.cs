using LatentModels.LinearAlgebra;
using LatentModels.Statistics;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// The state of one incremental-EM run over a fixed data set: the stored N × K responsibilities and their statistics
/// (centered on <c>engine.Current.Shift</c>; a row of sample weight w contributes w times its responsibilities);
/// <c>engine.Current</c> always holds the M-step of the statistics.
/// </summary>
internal sealed class IncrementalEmState
{
    private const double CancellationRatio = 1e-6;

    /// <summary>Rows visited between checks of the cancellation token (a power of two; each visit is an E-step and an M-step).</summary>
    private const int CancellationBlock = 256;
    private readonly GaussianMixtureEngine _engine;
    private readonly double[,] _data;
    private readonly Random _random;
    private readonly int _n, _d, _k;
    private readonly bool[] _seen;
    private readonly MixtureStatistics _start;
    private readonly MixtureStatistics _scaledStart;
    private readonly MixtureWorkspace _workspace;
    private readonly int[] _order;
    private readonly double[]? _sampleWeights;
    private readonly double _totalWeight;
    private double _seenWeight;

    /// <summary>Starts a run from <c>engine.Current</c>; <paramref name="sampleWeights"/> must be the engine's (null: every row weighs 1).</summary>
    public IncrementalEmState(GaussianMixtureEngine engine, double[,] data, Random random, double[]? sampleWeights = null)
    {
        _engine = engine;
        _data = data;
        _random = random;
        _sampleWeights = sampleWeights;
        _n = data.GetLength(0);
        double total = 0;
        for (int i = 0; i < _n; i++)
        {
            total += sampleWeights?[i] ?? 1.0;
        }

        _totalWeight = total;
        _d = data.GetLength(1);
        GaussianComponents p = engine.Current;
        _k = p.K;
        bool full = p.Form.FullScatter;
        Responsibilities = new double[_n * _k];
        _seen = new bool[_n];
        Statistics = new MixtureStatistics(_k, _d, full);
        _start = MixtureStatistics.Expected(p, _totalWeight);
        _scaledStart = new MixtureStatistics(_k, _d, full);
        _workspace = new MixtureWorkspace(1, _k, _d);
        _order = new int[_n];
        for (int i = 0; i < _n; i++)
        {
            _order[i] = i;
        }
    }

    /// <summary>The stored responsibilities, n × K row-major (zero for rows not yet seen).</summary>
    public double[] Responsibilities { get; }

    /// <summary>Statistics of <see cref="Responsibilities"/>: Nₖ, mean (centered on the shift) and scatter about the mean.</summary>
    public MixtureStatistics Statistics { get; }

    /// <summary>Rows seen so far in the first pass (n once it is over).</summary>
    public int Seen { get; private set; }

    /// <summary>Times the statistics were recomputed exactly by a guard (not counting the end of each pass).</summary>
    public int GuardRecomputations { get; private set; }

    /// <summary>One pass over the rows in a fresh seeded random order, then an exact recomputation of the statistics.</summary>
    /// <param name="cancellationToken">Checked before every block of <see cref="CancellationBlock"/> rows (the first included);
    /// a cancelled pass leaves this state part-way (the caller discards it).</param>
    public void Pass(CancellationToken cancellationToken = default)
    {
        for (int i = _n - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        for (int m = 0; m < _order.Length; m++)
        {
            if ((m & (CancellationBlock - 1)) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Visit(_order[m]);
        }

        RecomputeStatistics();
        MStep();
    }

    /// <summary>Partial E-step for one row (new responsibilities replace the stored ones in the statistics), then the M-step.</summary>
    public void Visit(int row)
    {
        int k = _k, d = _d;
        GaussianComponents p = _engine.Current;
        MixtureWorkspace ws = _workspace;
        p.LogJoint(_data.Row(row), 1, ws.LogProb, 1, ws);
        ColumnLogSumExp.Normalize(ws.LogProb, k, 1, 1, ws.LogNormalizer, ws.Temp);
        ReadOnlySpan<double> centered = ws.Centered.AsSpan(0, d); // xₘ − shift (d × 1)
        MixtureStatistics s = Statistics;
        int size = s.ScatterSize;
        bool recompute = false;
        double w = _sampleWeights?[row] ?? 1.0;
        for (int c = 0; c < k; c++)
        {
            double gamma = ws.LogProb[c];
            ref double stored = ref Responsibilities[row * k + c];
            double delta = gamma - stored;
            if (delta == 0)
            {
                continue;
            }

            stored = gamma;
            double before = s.Weight[c], weight = before;
            Span<double> scatter = s.Scatter.AsSpan(c * size, size);
            MomentMath.AddPoint(ref weight, s.Mean.AsSpan(c * d, d), scatter, s.FullScatter, centered, w * delta);
            if (s.FullScatter)
            {
                MomentMath.SymmetrizeFromLower(scatter, d);
            }

            s.Weight[c] = weight;
            if (delta < 0 && !(weight > CancellationRatio * before))
            {
                recompute = true;
            }
        }

        if (!_seen[row])
        {
            _seen[row] = true;
            Seen++;
            _seenWeight += w;
        }

        if (recompute)
        {
            GuardRecomputations++;
            RecomputeStatistics();
        }

        if (!TryMStep(out _))
        {
            GuardRecomputations++;
            RecomputeStatistics();
            MStep();
        }
    }

    /// <summary>Replaces <see cref="Statistics"/> by the exact statistics of the stored responsibilities.</summary>
    public void RecomputeStatistics()
    {
        _engine.ComputeStatistics(Responsibilities);
        _engine.Totals.CopyTo(Statistics);
    }

    private void MStep()
    {
        if (!TryMStep(out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }
    }

    /// <summary>
    /// M-step from the statistics, during the first pass merged with the starting model's expected statistics of the
    /// rows not seen yet.
    /// </summary>
    private bool TryMStep(out int failedComponent)
    {
        MixtureStatistics totals = _engine.Totals;
        Statistics.CopyTo(totals);
        if (Seen < _n)
        {
            double f = (_totalWeight - _seenWeight) / _totalWeight;
            _start.CopyTo(_scaledStart);
            for (int c = 0; c < _k; c++)
            {
                _scaledStart.Weight[c] *= f;
            }

            for (int i = 0; i < _scaledStart.Scatter.Length; i++)
            {
                _scaledStart.Scatter[i] *= f;
            }

            totals.Merge(_scaledStart);
        }

        return _engine.TryMStep(_random, out failedComponent);
    }
}
