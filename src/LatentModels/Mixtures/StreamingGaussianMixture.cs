using LatentModels.Mixtures.Gaussian;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;

namespace LatentModels.Mixtures;

/// <summary>
/// Streaming (online) EM for a Gaussian mixture, for data seen once and of unknown size (Cappé &amp; Moulines 2009): the
/// expected complete-data sufficient statistics s (per component: weight, mean and scatter about the mean, normalised to
/// total weight one) follow the stochastic approximation sₜ = (1 − ηₜ) sₜ₋₁ + ηₜ s̄(xₜ; θₜ₋₁) with ηₜ = (t + t₀)^(−α), and
/// the parameters are the M-step θ = θ̄(s) (maximum likelihood plus <see cref="GaussianMixtureOptions.Regularization"/> on
/// the diagonal). A mini-batch is processed as its points one after the other against the parameters it found, which is
/// an exact (1 − ηₜ) / ηₜ-weighted merge of its weighted statistics into s, then one M-step follows.
/// </summary>
/// <remarks>
/// The statistics are kept in centered form (weight, mean relative to a fixed reference point, scatter about the mean)
/// and mini-batches are merged with Chan's formula, so long streams do not lose precision. A component whose share of the
/// statistics falls below 1e-12 keeps its previous mean and covariance. The E-step of a mini-batch runs in parallel over
/// fixed row blocks merged in order: the same stream in the same mini-batches and the same seed give the same bits for
/// any <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/> (a different split into mini-batches changes the
/// result slightly, since the points of a mini-batch share its parameters).
/// The complete state saves with <see cref="ModelJson.Save(object, string)"/> and continues bit for bit after loading.
/// </remarks>
public sealed class StreamingGaussianMixture : IOnlineEstimator<GaussianMixtureModel>
{
    /// <summary>Share of the statistics below which a component keeps its previous mean and covariance.</summary>
    internal const double WeightFloor = 1e-12;

    private readonly StreamingGaussianMixtureOptions _options;
    private readonly List<double> _buffer = [];
    private int _dimension = -1;
    private GaussianComponents? _parameters;
    private MixtureStatistics? _statistics;
    private double[] _scratch = [];
    private GaussianStreamWorkspace? _workspace;
    private GaussianComponents? _undoParameters;
    private MixtureStatistics? _undoStatistics;
    private readonly MaximumLikelihoodUpdate _rule;

    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">Invalid settings (named in the message).</exception>
    public StreamingGaussianMixture(StreamingGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        _rule = new MaximumLikelihoodUpdate(options.Mixture.Regularization);
        if (options.Mixture.InitialModel is { } model)
        {
            Start(model.Parameters.Clone());
        }
    }

    /// <summary>The settings.</summary>
    public StreamingGaussianMixtureOptions Options => _options;

    /// <inheritdoc />
    public long Count { get; private set; }

    /// <summary>Points consumed before the first M-step (and, without an initial model, buffered for the initialisation): <see cref="StreamingGaussianMixtureOptions.InitializationSize"/> or its default 20·K.</summary>
    public int InitializationSize => _options.ResolvedInitializationSize;

    /// <summary>Whether the parameters exist yet (from the start with an initial model, else once the initialisation points have arrived).</summary>
    public bool IsInitialized => _parameters is not null;

    /// <summary>The step size ηₜ = (t + t₀)^(−α) the next point will get (t = <see cref="Count"/> + 1).</summary>
    public double NextStepSize => StepSize(Count + 1);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong dimension, non-finite values or values beyond 2^500.</exception>
    /// <exception cref="FittingException">A covariance is no longer positive definite (only possible with Regularization = 0).</exception>
    public void Update(ReadOnlySpan<double> point)
    {
        CheckRange(point, Math.Max(point.Length, 1), nameof(point));
        int dimension = _dimension;
        StreamInput.CheckPoint(point, ref dimension);
        Guarded(point, 1, null, dimension);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong number of columns, non-finite values or values beyond 2^500.</exception>
    /// <exception cref="FittingException">A covariance is no longer positive definite (only possible with Regularization = 0).</exception>
    public void Update(double[,] batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckRange(batch.AsSpan(), Math.Max(batch.GetLength(1), 1), nameof(batch));

        int dimension = _dimension;
        if (!StreamInput.CheckBatch(batch, ref dimension))
        {
            return;
        }

        Guarded(batch.AsSpan(), batch.GetLength(0), batch, dimension);
    }

    /// <summary>
    /// A stream has no whole-data range frame (docs/reliability.md): its statistics are kept in the data's units, so values
    /// beyond 2^500 (about 3e150), whose squares would overflow the covariances, are rejected up front with a clear
    /// message (the estimator unchanged) instead of failing later as a "collapsed" component.
    /// </summary>
    private static void CheckRange(ReadOnlySpan<double> values, int columns, string paramName) =>
        StreamInput.CheckRange(values, columns, paramName, 500, "GaussianMixture");

    /// <summary>Consumes the rows of <paramref name="data"/> in order, <paramref name="batchSize"/> at a time.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="batchSize">Rows per mini-batch (1 = point by point).</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <remarks>All-or-nothing: the whole data set is checked first (shape, finiteness, range), and when a mini-batch fails (a
    /// covariance that is no longer positive definite) or the token is cancelled the estimator is restored to its state
    /// before the call.</remarks>
    /// <exception cref="ArgumentException">Wrong number of columns, a non-finite value or a value beyond 2^500 (named with its row and column in <paramref name="data"/>).</exception>
    /// <exception cref="FittingException">A covariance is no longer positive definite (the estimator is as before the call).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the estimator is as before the call.</exception>
    public void UpdateAll(double[,] data, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckRange(data.AsSpan(), Math.Max(data.GetLength(1), 1), nameof(data));
        (long count, int dimension, double[] buffered, GaussianComponents? parameters, MixtureStatistics? statistics) =
            (Count, _dimension, BufferedValues, _parameters?.Clone(), _statistics?.Clone());
        try
        {
            StreamInput.UpdateAll(data, batchSize, _dimension, chunk => Consume(chunk.AsSpan(), chunk.GetLength(0), chunk, chunk.GetLength(1)), cancellationToken);
        }
        catch
        {
            RestoreCaptured(count, dimension, buffered, parameters, statistics);
            throw;
        }
    }

    /// <summary>
    /// Consumes checked rows all-or-nothing: an initialisation or an M-step can still fail after the input checks, so the
    /// state is captured first — into kept undo buffers once the parameters exist (no allocation when warm), by copy of the
    /// buffer before — and put back before the exception leaves.
    /// </summary>
    private void Guarded(ReadOnlySpan<double> x, int rows, double[,]? batch, int dimension)
    {
        long count = Count;
        if (_parameters is null)
        {
            (int d, double[] buffered) = (_dimension, BufferedValues);
            try
            {
                Consume(x, rows, batch, dimension);
            }
            catch
            {
                RestoreCaptured(count, d, buffered, null, null);
                throw;
            }

            return;
        }

        GaussianComponents p = _parameters;
        MixtureStatistics s = _statistics!;
        if (_undoParameters is null || _undoStatistics is null)
        {
            (_undoParameters, _undoStatistics) = (p.Clone(), s.Clone());
        }
        else
        {
            p.CopyTo(_undoParameters);
            s.CopyTo(_undoStatistics);
        }

        try
        {
            Consume(x, rows, batch, dimension);
        }
        catch
        {
            _undoParameters.CopyTo(p);
            _undoStatistics.CopyTo(s);
            Count = count;
            throw;
        }
    }

    /// <summary>Puts back a state captured by copy (the parameters and statistics are the captured objects themselves).</summary>
    private void RestoreCaptured(long count, int dimension, double[] buffered, GaussianComponents? parameters, MixtureStatistics? statistics)
    {
        Count = count;
        _dimension = dimension;
        _buffer.Clear();
        _buffer.AddRange(buffered);
        _parameters = parameters;
        _statistics = statistics;
        _workspace = null;
        (_undoParameters, _undoStatistics) = (null, null);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Fewer points than the initialisation needs have arrived.</exception>
    public GaussianMixtureModel Snapshot() => _parameters is null
        ? throw new InvalidOperationException($"The mixture is not initialised yet: {Count} points have arrived but the initialisation needs {_options.ResolvedInitializationSize}.")
        : new GaussianMixtureModel(_parameters);

    // The complete mutable state, for Persistence/Mixtures/StreamingGaussianMixtureCodec.cs.
    internal int Dimension => _dimension;

    internal double[] BufferedValues => [.. _buffer];

    /// <summary>The current parameters (their shift is the reference point of the statistics' means); null before initialisation.</summary>
    internal GaussianComponents? Parameters => _parameters;

    internal MixtureStatistics? Statistics => _statistics;

    /// <summary>Replaces the state with a saved one (checked by the codec).</summary>
    internal void Restore(long count, int dimension, double[] buffered, GaussianComponents? parameters, MixtureStatistics? statistics)
    {
        Count = count;
        _dimension = dimension;
        _buffer.Clear();
        _buffer.AddRange(buffered);
        _parameters = parameters;
        _workspace = null;
        (_undoParameters, _undoStatistics) = (null, null);
        _statistics = statistics;
        if (parameters is not null && !parameters.TryUpdate(Scratch(parameters), out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }
    }

    internal static void Validate(StreamingGaussianMixtureOptions options)
    {
        const string p = nameof(options);
        GaussianMixtureOptions m = options.Mixture ?? throw new ArgumentNullException(p, "Mixture is null.");
        if (m.Components < 1)
        {
            throw new ArgumentOutOfRangeException(p, m.Components, $"Components is {m.Components}; at least one component is needed.");
        }

        if (!Enum.IsDefined(m.Covariance))
        {
            throw new ArgumentOutOfRangeException(p, m.Covariance, $"Covariance {m.Covariance} is not a known covariance type.");
        }

        if (!Enum.IsDefined(m.Init))
        {
            throw new ArgumentOutOfRangeException(p, m.Init, $"Init {m.Init} is not a known initialisation.");
        }

        if (!(m.Regularization >= 0) || double.IsPositiveInfinity(m.Regularization))
        {
            throw new ArgumentOutOfRangeException(p, m.Regularization, $"Regularization is {m.Regularization}; it must be finite and non-negative.");
        }

        if (m.Prior is not null)
        {
            throw new ArgumentException("Streaming EM fits by maximum likelihood; a Prior is not supported.", p);
        }

        if (!(options.StepExponent > 0.5 && options.StepExponent <= 1))
        {
            throw new ArgumentOutOfRangeException(p, options.StepExponent, $"StepExponent is {options.StepExponent}; it must lie in (0.5, 1].");
        }

        if (!(options.StepOffset >= 0) || double.IsPositiveInfinity(options.StepOffset))
        {
            throw new ArgumentOutOfRangeException(p, options.StepOffset, $"StepOffset is {options.StepOffset}; it must be finite and non-negative.");
        }

        if (options.InitializationSize is null && 20L * m.Components > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(p, m.Components,
                $"Components ({m.Components}) makes the default InitializationSize, 20·Components = {20L * m.Components}, larger than {int.MaxValue}; give InitializationSize.");
        }

        if (options.ResolvedInitializationSize < m.Components)
        {
            throw new ArgumentOutOfRangeException(p, options.ResolvedInitializationSize, $"InitializationSize ({options.ResolvedInitializationSize}) must be at least Components ({m.Components}).");
        }

        if (m.InitialModel is { } model && (model.Components != m.Components || model.CovarianceType != m.Covariance))
        {
            throw new ArgumentException($"The initial model has {model.Components} {model.CovarianceType} components; the options ask for {m.Components} {m.Covariance} components.", p);
        }

        if (m.InitialWeights is not null || m.InitialMeans is not null || m.InitialPrecisions is not null)
        {
            throw new ArgumentException("Streaming EM does not take partial starts (InitialWeights, InitialMeans, InitialPrecisions); start from an InitialModel instead.", p);
        }
    }

    private double StepSize(long t) => Math.Pow(t + _options.StepOffset, -_options.StepExponent);

    /// <summary>Consumes <paramref name="rows"/> checked rows (row-major in <paramref name="x"/>; <paramref name="batch"/> the same rows as an array, or null for one point).</summary>
    private void Consume(ReadOnlySpan<double> x, int rows, double[,]? batch, int dimension)
    {
        _dimension = dimension;
        if (_parameters is null)
        {
            foreach (double v in x)
            {
                _buffer.Add(v);
            }

            Count += rows;
            int buffered = _buffer.Count / _dimension;
            if (buffered < _options.ResolvedInitializationSize)
            {
                return;
            }

            var data = new double[buffered, _dimension];
            _buffer.ToArray().AsSpan().CopyTo(data.AsWritableSpan());
            _buffer.Clear();
            GaussianMixtureOptions m = _options.Mixture;
            var engine = new GaussianMixtureEngine(data, null, m);
            // The same first draw as batch EM's first start, so a buffer equal to a data set starts where batch EM does.
            GaussianMixture.Initialize(engine, data, null, m, new Random(new Random(m.Seed).Next()));
            Start(engine.Current.Clone());
            Count -= buffered;
            Step(data.AsSpan(), buffered, data);
            return;
        }

        Step(x, rows, batch);
    }

    private void Start(GaussianComponents parameters)
    {
        _parameters = parameters;
        _dimension = parameters.D;
        _statistics = MixtureStatistics.Expected(parameters, 1.0);
        _workspace = null;
        (_undoParameters, _undoStatistics) = (null, null);
    }

    private double[] Scratch(GaussianComponents p)
    {
        int length = Math.Max(p.UpdateScratchLength, p.D * p.D);
        if (_scratch.Length < length)
        {
            _scratch = new double[length];
        }

        return _scratch;
    }

    /// <summary>
    /// One mini-batch: weighted E-step against the current parameters (statistics relative to their shift) in the kept
    /// workspace, merge into the statistics, M-step. No allocation once a batch of this size has been seen.
    /// </summary>
    private void Step(ReadOnlySpan<double> x, int rows, double[,]? batch)
    {
        GaussianComponents p = _parameters!;
        MixtureStatistics s = _statistics!;
        int k = p.K;
        _workspace ??= new GaussianStreamWorkspace(k, p.D, p.Form.FullScatter);

        // Sequential stochastic approximation over the rows: point i ends with weight cᵢ = ηᵢ Πⱼ₍ⱼ₎ᵢ₎(1 − ηⱼ), the old
        // statistics with Πᵢ(1 − ηᵢ).
        double[] weights = _workspace.Weights(rows);
        double keep = 1;
        for (int i = rows - 1; i >= 0; i--)
        {
            double eta = StepSize(Count + i + 1);
            weights[i] = eta * keep;
            keep *= 1 - eta;
        }

        _workspace.EStep(p, x, rows, batch, _options.Mixture.MaxDegreeOfParallelism);
        MixtureStatistics b = _workspace.Batch;
        for (int c = 0; c < k; c++)
        {
            s.Weight[c] *= keep;
        }

        for (int i = 0; i < s.Scatter.Length; i++)
        {
            s.Scatter[i] *= keep;
        }

        s.Merge(b);
        Count += rows;
        if (Count >= _options.ResolvedInitializationSize)
        {
            MStep();
        }
    }

    private void MStep()
    {
        GaussianComponents p = _parameters!;
        double[] scratch = Scratch(p);
        FloorStarvedComponents(p, _statistics!, _options.Mixture.Regularization, scratch);
        _rule.Apply(p, _statistics!);
        if (!p.TryUpdate(scratch, out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }
    }

    /// <summary>
    /// Gives every component whose share of the statistics is at most <see cref="WeightFloor"/> the statistics of its
    /// current parameters (without the regularisation the M-step adds back) at weight <see cref="WeightFloor"/>.
    /// </summary>
    internal static void FloorStarvedComponents(GaussianComponents p, MixtureStatistics s, double regularization, double[] scratch)
    {
        int k = p.K, d = p.D, size = s.ScatterSize;
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            total += s.Weight[c];
        }

        Span<double> cov = scratch.AsSpan(0, d * d);
        for (int c = 0; c < k; c++)
        {
            if (s.Weight[c] > WeightFloor * total)
            {
                continue;
            }

            double w = WeightFloor * total;
            s.Weight[c] = w;
            p.ExpandCovariance(c, cov);
            for (int j = 0; j < d; j++)
            {
                s.Mean[c * d + j] = p.Means[c * d + j] - p.Shift[j];
                cov[j * d + j] = Math.Max(cov[j * d + j] - regularization, 0);
            }

            for (int i = 0; i < size; i++)
            {
                s.Scatter[c * size + i] = w * (s.FullScatter ? cov[i] : cov[i * d + i]);
            }
        }
    }
}
