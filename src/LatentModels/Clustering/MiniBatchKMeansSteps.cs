namespace LatentModels.Clustering;

/// <summary>
/// The mini-batch steps of a <see cref="MiniBatchKMeans"/> fit and scikit-learn's stopping rules (the smoothed batch
/// inertia's patience and the center tolerance), shared by the fit of an array and the fit of a source: both feed the same
/// mini-batches in the same order, so they take the same steps.
/// </summary>
internal sealed class MiniBatchKMeansSteps
{
    private readonly OnlineKMeans _online;
    private readonly double _tolerance, _alpha;
    private readonly int? _patience;
    private readonly double[] _before;
    private readonly List<double> _trace = [];
    private readonly int _maxSteps;
    private double _ewa = double.NaN, _ewaMin = double.NaN;
    private int _noImprovement;

    /// <summary>Starts from <paramref name="initial"/>; draws the online estimator's seed from <paramref name="random"/> (one draw).</summary>
    /// <param name="o">The settings.</param>
    /// <param name="initial">The K × d initial centers.</param>
    /// <param name="random">The fit's generator, after the initialisation.</param>
    /// <param name="tolerance">The center tolerance in squared units (0: off).</param>
    /// <param name="n">The rows of the data set.</param>
    /// <param name="batch">The rows per mini-batch (at most n).</param>
    public MiniBatchKMeansSteps(MiniBatchKMeansOptions o, double[,] initial, Random random, double tolerance, int n, int batch)
    {
        _online = new OnlineKMeans(new OnlineKMeansOptions
        {
            Clusters = o.Clusters,
            Init = KMeansInit.Explicit,
            InitialCenters = initial,
            ReassignmentRatio = o.ReassignmentRatio,
            Seed = random.Next(),
            MaxDegreeOfParallelism = o.MaxDegreeOfParallelism,
        });
        _tolerance = tolerance;
        _patience = o.MaxNoImprovement;
        _alpha = Math.Min(1.0, batch * 2.0 / (n + 1));
        _before = tolerance > 0 ? new double[o.Clusters * initial.GetLength(1)] : [];
        int stepsPerEpoch = (n + batch - 1) / batch;
        _maxSteps = (int)Math.Min(int.MaxValue, (long)o.MaxEpochs * stepsPerEpoch);
    }

    /// <summary>The steps taken.</summary>
    public int Steps { get; private set; }

    /// <summary>Whether a stopping rule has ended the fit.</summary>
    public bool Converged { get; private set; }

    /// <summary>The smoothed mean batch inertia after every step (the first step's own first).</summary>
    public double[] Trace => [.. _trace];

    /// <summary>The current centers.</summary>
    public KMeansModel Snapshot() => _online.Snapshot();

    /// <summary>One step on <paramref name="count"/> rows (row-major) with their weights (empty: unit weights).</summary>
    public void Step(ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int count, IProgress<FitProgress>? progress)
    {
        if (_tolerance > 0)
        {
            _online.CopyCentersTo(_before);
        }

        double inertia = _online.StepChecked(rows, weights, count) / count;
        Steps++;
        double shift = _tolerance > 0 ? _online.SquaredShiftFrom(_before) : 0;
        if (Steps == 1)
        {
            // scikit-learn ignores the first step: its inertia is that of the initialisation.
            _trace.Add(inertia);
        }
        else
        {
            _ewa = double.IsNaN(_ewa) ? inertia : _ewa * (1 - _alpha) + inertia * _alpha;
            _trace.Add(_ewa);
            if (_tolerance > 0 && shift <= _tolerance)
            {
                Converged = true;
            }
            else if (double.IsNaN(_ewaMin) || _ewa < _ewaMin)
            {
                _noImprovement = 0;
                _ewaMin = _ewa;
            }
            else if (_patience is int patience && ++_noImprovement >= patience)
            {
                Converged = true;
            }
        }

        progress?.Report(new FitProgress(0, Steps, _maxSteps, _trace[^1]));
    }

    /// <summary>Shuffles <paramref name="order"/> in place by the epoch's Fisher–Yates draws (the array fit's).</summary>
    public static void Shuffle(int[] order, Random random)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
