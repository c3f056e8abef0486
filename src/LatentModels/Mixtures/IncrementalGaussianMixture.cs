using System.Diagnostics;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>Settings of <see cref="IncrementalGaussianMixture"/>. Immutable; validated when fitting.</summary>
public sealed record IncrementalGaussianMixtureOptions
{
    /// <summary>
    /// The mixture and its start, exactly as batch EM reads them: <see cref="GaussianMixtureOptions.Components"/>,
    /// <see cref="GaussianMixtureOptions.Covariance"/>, <see cref="GaussianMixtureOptions.Regularization"/>,
    /// <see cref="GaussianMixtureOptions.Init"/> or <see cref="GaussianMixtureOptions.InitialModel"/>,
    /// <see cref="GaussianMixtureOptions.Starts"/>, <see cref="GaussianMixtureOptions.Prior"/>,
    /// <see cref="GaussianMixtureOptions.Seed"/> and <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/>; the same
    /// options and seed give the same starting parameters as <see cref="GaussianMixture"/>.
    /// <see cref="GaussianMixtureOptions.MaxIterations"/> and <see cref="GaussianMixtureOptions.Tolerance"/> are not used
    /// (see <see cref="Passes"/> and <see cref="Tolerance"/>).
    /// </summary>
    public GaussianMixtureOptions Mixture { get; init; } = new();

    /// <summary>Number of passes over the data (at least 1). Default 10.</summary>
    public int Passes { get; init; } = 10;

    /// <summary>
    /// Stop early when the mean log-likelihood (log-posterior with a prior) changes by less than this between passes; as
    /// in batch EM (scikit-learn's rule), the change is tested after the next pass, so one more pass runs once it has
    /// settled. Zero (the default) runs exactly <see cref="Passes"/> passes.
    /// </summary>
    public double Tolerance { get; init; }

    internal void Validate(int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(Mixture, nameof(Mixture));
        Mixture.Validate(rows, columns);
        if (Passes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Passes), Passes, "At least one pass is needed.");
        }

        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
    }
}

/// <summary>
/// Incremental EM for a Gaussian mixture (Neal &amp; Hinton 1998; Bishop, PRML §9.4): the responsibilities γₘ of every
/// point are stored, and visiting point m replaces its contribution to the statistics by the new one and re-runs the
/// M-step at once. With d = γₘₖ⁽ⁿᵉʷ⁾ − γₘₖ⁽ᵒˡᵈ⁾: Nₖ ← Nₖ + d, μₖ ← μₖ + (d / Nₖ⁽ⁿᵉʷ⁾)(xₘ − μₖ⁽ᵒˡᵈ⁾), and the scatter
/// Sₖ = NₖΣₖ ← Sₖ + d (Nₖ⁽ᵒˡᵈ⁾ / Nₖ⁽ⁿᵉʷ⁾)(xₘ − μₖ⁽ᵒˡᵈ⁾)(xₘ − μₖ⁽ᵒˡᵈ⁾)ᵀ, i.e.
/// Σₖ ← (Nₖ⁽ᵒˡᵈ⁾/Nₖ⁽ⁿᵉʷ⁾)(Σₖ + (d / Nₖ⁽ⁿᵉʷ⁾)(xₘ − μₖ⁽ᵒˡᵈ⁾)(xₘ − μₖ⁽ᵒˡᵈ⁾)ᵀ); πₖ = Nₖ / N. Each pass visits the rows in a
/// seeded random order. Every step increases the free energy, so the log-likelihood after each pass does not decrease in
/// practice. It typically needs fewer passes than batch EM needs iterations (e.g. 14 against 24 to come within 1e-6 from
/// random responsibilities on 20,000 2-D points, K = 5), but a pass costs much more than a batch iteration (an M-step
/// per point: about 1.5 µs per point there, some 15 times a batch iteration's cost per row).
/// </summary>
/// <remarks>
/// <para>
/// The start is batch EM's (same <see cref="GaussianMixtureOptions.Init"/>, seed and warm start). In the first pass a
/// point not yet seen has γ⁽ᵒˡᵈ⁾ = 0; until a point is seen, its share of the statistics is stood in for by the starting
/// model's expected statistics (weight πₖ, mean μₖ, scatter πₖΣₖ per point), which therefore fade out linearly over the
/// first pass. After the first pass the statistics are exactly those of the stored responsibilities.
/// </para>
/// <para>
/// Numerical guards: statistics are kept in centerd form (weight, mean, scatter about the mean) with the weighted
/// Welford update; a removal that cancels more than six digits of a component's weight, or an M-step whose covariance is
/// no longer positive definite, triggers an exact recomputation of all statistics from the stored responsibilities
/// (a genuinely singular covariance then raises <see cref="FittingException"/>). At the end of every pass the statistics
/// are recomputed exactly as well, so rounding errors do not accumulate across passes.
/// <see cref="GaussianMixtureOptions.Regularization"/> is added to the diagonal as in batch EM, and a prior gives the MAP
/// M-step. Memory: the N × K responsibilities.
/// </para>
/// <para>
/// The report's trace holds the mean log-likelihood of the data under the model after each pass (mean log-posterior with
/// a prior). The random order and re-seeding draw from the seed only; results are bit-identical for every
/// <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/>.
/// </para>
/// </remarks>
public sealed class IncrementalGaussianMixture : IEstimator<GaussianMixtureModel>
{
    /// <inheritdoc />
    FitResult<GaussianMixtureModel> IEstimator<GaussianMixtureModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public IncrementalGaussianMixture(IncrementalGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public IncrementalGaussianMixtureOptions Options { get; }

    /// <summary>Fits the mixture to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-pass progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between passes.</param>
    /// <exception cref="ArgumentException">Empty data, non-finite values or invalid options (e.g. more components than rows).</exception>
    /// <exception cref="FittingException">A covariance is singular even after an exact recomputation (e.g. <c>Regularization = 0</c>
    /// and a component collapsed onto too few points).</exception>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row under the returned model
    /// (equal to <c>Model.Predict(data)</c>).</returns>
    public SoftClusteringFitResult<GaussianMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        IncrementalGaussianMixtureOptions o = Options;
        o.Validate(data.GetLength(0), data.GetLength(1));
        GaussianMixtureOptions mixture = o.Mixture;
        var clock = Stopwatch.StartNew();
        var engine = new GaussianMixtureEngine(data, null, mixture);
        (GaussianComponents best, FitReport report) = EmDriver.Run(new GaussianIncrementalRun(engine, data, mixture),
            mixture.Starts, mixture.Seed, o.Passes, o.Tolerance, engine.Rule.ObjectiveName, progress, cancellationToken, clock);
        var model = new GaussianMixtureModel(best);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels); // the final E-step: labels and responsibilities in one pass
        return new SoftClusteringFitResult<GaussianMixtureModel>(model, report, labels, responsibilities);
    }
}

/// <summary>
/// The state of one incremental-EM run over a fixed data set: the stored N × K responsibilities and their statistics
/// (centerd on <c>engine.Current.Shift</c>); <c>engine.Current</c> always holds the M-step of the statistics.
/// </summary>
internal sealed class IncrementalEmState
{
    private const double CancellationRatio = 1e-6;
    private readonly GaussianMixtureEngine _engine;
    private readonly double[,] _data;
    private readonly Random _random;
    private readonly int _n, _d, _k;
    private readonly bool[] _seen;
    private readonly MixtureStatistics _start;
    private readonly MixtureStatistics _scaledStart;
    private readonly MixtureWorkspace _workspace;
    private readonly int[] _order;

    public IncrementalEmState(GaussianMixtureEngine engine, double[,] data, Random random)
    {
        _engine = engine;
        _data = data;
        _random = random;
        _n = data.GetLength(0);
        _d = data.GetLength(1);
        GaussianComponents p = engine.Current;
        _k = p.K;
        bool full = p.Form.FullScatter;
        Responsibilities = new double[_n * _k];
        _seen = new bool[_n];
        Statistics = new MixtureStatistics(_k, _d, full);
        _start = MixtureStatistics.Expected(p, _n);
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

    /// <summary>Statistics of <see cref="Responsibilities"/>: Nₖ, mean (centerd on the shift) and scatter about the mean.</summary>
    public MixtureStatistics Statistics { get; }

    /// <summary>Rows seen so far in the first pass (n once it is over).</summary>
    public int Seen { get; private set; }

    /// <summary>Times the statistics were recomputed exactly by a guard (not counting the end of each pass).</summary>
    public int GuardRecomputations { get; private set; }

    /// <summary>One pass over the rows in a fresh seeded random order, then an exact recomputation of the statistics.</summary>
    public void Pass()
    {
        for (int i = _n - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        foreach (int row in _order)
        {
            Visit(row);
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
        ReadOnlySpan<double> centerd = ws.Centered.AsSpan(0, d); // xₘ − shift (d × 1)
        MixtureStatistics s = Statistics;
        int size = s.ScatterSize;
        bool recompute = false;
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
            MomentMath.AddPoint(ref weight, s.Mean.AsSpan(c * d, d), scatter, s.FullScatter, centerd, delta);
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
            double f = (double)(_n - Seen) / _n;
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
