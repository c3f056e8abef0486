namespace LatentModels.Mixtures;

/// <summary>
/// Streaming (online) EM for a mixture of a discrete family (Cappé &amp; Moulines 2009), with the semantics of
/// <see cref="StreamingGaussianMixture"/>: the expected complete-data statistics s (a <see cref="DiscreteMixtureStatistics"/>)
/// follow sₜ = (1 − ηₜ) sₜ₋₁ + ηₜ s̄(xₜ; θₜ₋₁) with ηₜ = (t + t₀)^(−α), and the parameters are the statistics' own M-step
/// (<see cref="DiscreteMixtureStatistics.ToBernoulliModel"/> or <see cref="DiscreteMixtureStatistics.ToCategoricalModel"/>
/// with <see cref="MixtureOptions.PseudoCount"/> α as α pseudo-observations among the t points seen, i.e. α / t on the
/// statistics of total weight 1). A mini-batch is its points one after the other against the parameters it
/// found: the statistics of the batch with row weights cᵢ = ηᵢ Πⱼ₎ᵢ(1 − ηⱼ) merged into the old statistics scaled by Πᵢ(1 − ηᵢ),
/// then one M-step.
/// </summary>
/// <remarks>
/// The E-step runs over fixed row chunks merged in order (<see cref="DiscreteMixtureStatistics"/>), so the same stream in the
/// same mini-batches gives the same bits for any <see cref="MixtureOptions.MaxDegreeOfParallelism"/>. Every update is
/// all-or-nothing: a bad point or batch throws before anything changes. Each mini-batch allocates its statistics and its
/// model (the M-step builds a new immutable model).
/// </remarks>
/// <typeparam name="TComponent">The component distribution.</typeparam>
public abstract class StreamingDiscreteMixture<TComponent> : IOnlineEstimator<MixtureModel<TComponent>> where TComponent : class
{
    private readonly List<double> _buffer = [];
    private int _dimension = -1;
    private MixtureModel<TComponent>? _model;
    private DiscreteMixtureStatistics? _statistics;
    private double[] _stepWeights = [];

    private protected StreamingDiscreteMixture(IMixtureFamily<TComponent> family, StreamingDiscreteMixtureOptions options, MixtureModel<TComponent>? initialModel)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Family = family;
        Options = options;
        if (initialModel is not null)
        {
            if (initialModel.Components != options.Mixture.Components)
            {
                throw new ArgumentException($"The initial model has {initialModel.Components} components; the options ask for {options.Mixture.Components}.", nameof(initialModel));
            }

            family.CheckComponents(initialModel.Distributions, nameof(initialModel));
            _model = initialModel;
            _dimension = initialModel.Dimension;
        }
    }

    /// <summary>The component family.</summary>
    public IMixtureFamily<TComponent> Family { get; }

    /// <summary>The settings.</summary>
    public StreamingDiscreteMixtureOptions Options { get; }

    /// <inheritdoc />
    public long Count { get; private set; }

    /// <summary>Whether the parameters exist yet (from the start with an initial model, else once the initialisation points have arrived).</summary>
    public bool IsInitialized => _model is not null;

    /// <summary>The step size ηₜ = (t + t₀)^(−α) the next point will get (t = <see cref="Count"/> + 1).</summary>
    public double NextStepSize => StepSize(Count + 1);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong dimension, or a value outside the family's sample space (named in the message).</exception>
    public void Update(ReadOnlySpan<double> point)
    {
        int d = _dimension < 0 ? point.Length : _dimension;
        if (point.Length == 0 || point.Length != d)
        {
            throw new ArgumentException($"The point has {point.Length} values; {(point.Length == 0 ? "at least one is" : $"{d} are")} needed.", nameof(point));
        }

        var row = new double[1, d];
        point.CopyTo(row.AsWritableSpan());
        Family.CheckData(row, nameof(point));
        Consume(row);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong number of columns, or a value outside the family's sample space (row and column named).</exception>
    public void Update(double[,] batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.GetLength(0) == 0)
        {
            return;
        }

        int d = _dimension < 0 ? batch.GetLength(1) : _dimension;
        if (batch.GetLength(1) == 0)
        {
            throw new ArgumentException("The batch has no columns.", nameof(batch));
        }

        DataValidation.CheckMatrix(batch, nameof(batch));
        DataValidation.CheckDimension(batch, d, nameof(batch));
        Family.CheckData(batch, nameof(batch));
        Consume(batch);
    }

    /// <summary>Consumes the rows of <paramref name="data"/> in order, <paramref name="batchSize"/> at a time.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="batchSize">Rows per mini-batch (1 = point by point).</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <remarks>All-or-nothing: the whole data set is checked first (shape and the family's sample space), and when a
    /// mini-batch fails or the token is cancelled the estimator is restored to its state before the call.</remarks>
    /// <exception cref="ArgumentException">Wrong number of columns, or a value outside the family's sample space (named with its row and column in <paramref name="data"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the estimator is as before the call.</exception>
    public void UpdateAll(double[,] data, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (data.GetLength(0) > 0)
        {
            if (data.GetLength(1) == 0)
            {
                throw new ArgumentException("The data have no columns.", nameof(data));
            }

            DataValidation.CheckDimension(data, _dimension < 0 ? data.GetLength(1) : _dimension, nameof(data));
            Family.CheckData(data, nameof(data));
        }

        // The model and the statistics are replaced, never modified, by an update: keeping the references keeps the state.
        (long count, int dimension, double[] buffered, MixtureModel<TComponent>? model, DiscreteMixtureStatistics? statistics) =
            (Count, _dimension, [.. _buffer], _model, _statistics);
        try
        {
            StreamInput.UpdateAll(data, batchSize, _dimension, Update, cancellationToken);
        }
        catch
        {
            (Count, _dimension, _model, _statistics) = (count, dimension, model, statistics);
            _buffer.Clear();
            _buffer.AddRange(buffered);
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Fewer points than the initialisation needs have arrived.</exception>
    public MixtureModel<TComponent> Snapshot() => _model ?? throw new InvalidOperationException(
        $"The mixture is not initialised yet: {Count} points have arrived but the initialisation needs {Options.ResolvedInitializationSize}.");

    /// <summary>The statistics of one E-step of <paramref name="model"/> on weighted rows.</summary>
    private protected abstract DiscreteMixtureStatistics Statistics(MixtureModel<TComponent> model, double[,] data, double[] weights, int maxDegreeOfParallelism);

    /// <summary>The expected statistics of <paramref name="model"/> at total weight 1 (πₖ and πₖ pₖⱼ[q]): the start's statistics with an initial model.</summary>
    private protected abstract DiscreteMixtureStatistics Expected(MixtureModel<TComponent> model);

    /// <summary>The family's M-step from statistics.</summary>
    private protected abstract MixtureModel<TComponent> ToModel(DiscreteMixtureStatistics statistics, double pseudoCount);

    private double StepSize(long t) => Math.Pow(t + Options.StepOffset, -Options.StepExponent);

    /// <summary>Consumes checked rows (all-or-nothing: the state changes only after every step succeeded).</summary>
    private void Consume(double[,] rows)
    {
        int n = rows.GetLength(0), d = rows.GetLength(1);
        if (_model is null)
        {
            int buffered = _buffer.Count / d + n;
            if (buffered < Options.ResolvedInitializationSize)
            {
                _buffer.AddRange(rows.AsSpan());
                _dimension = d;
                Count += n;
                return;
            }

            var data = new double[buffered, d];
            _buffer.ToArray().AsSpan().CopyTo(data.AsWritableSpan());
            rows.AsSpan().CopyTo(data.AsWritableSpan()[_buffer.Count..]);
            MixtureModel<TComponent> start = new Mixture<TComponent>(Family, Options.Mixture with { MaxIterations = 0 }).Fit(data).Model;
            (DiscreteMixtureStatistics s, MixtureModel<TComponent> m) = Step(start, null, data, Count - (buffered - n));
            _buffer.Clear();
            _dimension = d;
            Count += n;
            Commit(s, m);
            return;
        }

        (DiscreteMixtureStatistics statistics, MixtureModel<TComponent> model) = Step(_model, _statistics, rows, Count);
        Count += n;
        Commit(statistics, model);
    }

    private void Commit(DiscreteMixtureStatistics statistics, MixtureModel<TComponent> model)
    {
        _statistics = statistics;
        if (Count >= Options.ResolvedInitializationSize)
        {
            _model = model;
        }
    }

    /// <summary>
    /// One mini-batch against <paramref name="model"/>: the step-weighted statistics of the rows merged into the old ones
    /// scaled by Πᵢ(1 − ηᵢ) (at first, the expected statistics of the start at weight 1), and the M-step of the result.
    /// </summary>
    private (DiscreteMixtureStatistics Statistics, MixtureModel<TComponent> Model) Step(MixtureModel<TComponent> model, DiscreteMixtureStatistics? old, double[,] rows, long count)
    {
        int n = rows.GetLength(0);
        if (_stepWeights.Length != n)
        {
            _stepWeights = new double[n];
        }

        double keep = 1;
        for (int i = n - 1; i >= 0; i--)
        {
            double eta = StepSize(count + i + 1);
            _stepWeights[i] = eta * keep;
            keep *= 1 - eta;
        }

        DiscreteMixtureStatistics batch = Statistics(model, rows, _stepWeights, Options.Mixture.MaxDegreeOfParallelism);
        old ??= Expected(model);
        DiscreteMixtureStatistics next = keep == 0 ? batch : old.Scale(keep).Merge(batch);
        // The statistics have total weight 1 and stand for the t points seen: α pseudo-observations among t points is α / t here.
        return (next, ToModel(next, Options.Mixture.PseudoCount / (count + n)));
    }
}
