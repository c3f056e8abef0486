namespace LatentModels.Mixtures;

/// <summary>Settings of <see cref="StreamingGaussianMixture"/>. Validated when the estimator is constructed.</summary>
public sealed record StreamingGaussianMixtureOptions
{
    /// <summary>
    /// The mixture and its start, read as batch EM reads them: <see cref="GaussianMixtureOptions.Components"/>,
    /// <see cref="GaussianMixtureOptions.Covariance"/>, <see cref="GaussianMixtureOptions.Regularization"/> (added to the
    /// diagonal in every M-step), <see cref="GaussianMixtureOptions.Init"/> (run on the first
    /// <see cref="InitializationSize"/> points) or <see cref="GaussianMixtureOptions.InitialModel"/> (start from a model),
    /// <see cref="GaussianMixtureOptions.Seed"/> and <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/>.
    /// <see cref="GaussianMixtureOptions.MaxIterations"/>, <see cref="GaussianMixtureOptions.Tolerance"/> and
    /// <see cref="GaussianMixtureOptions.Starts"/> are not used; a <see cref="GaussianMixtureOptions.Prior"/> is not supported.
    /// </summary>
    public GaussianMixtureOptions Mixture { get; init; } = new();

    /// <summary>
    /// α in the step size ηₜ = (t + t₀)^(−α) of the t-th point, in (0.5, 1]. Default 0.6, the value Cappé &amp; Moulines
    /// (2009) recommend: Σηₜ = ∞ and Σηₜ² &lt; ∞ hold for every α in the range; smaller α forgets the start faster,
    /// α = 1 (with t₀ = 0) weighs every point equally.
    /// </summary>
    public double StepExponent { get; init; } = 0.6;

    /// <summary>
    /// t₀ ≥ 0 in ηₜ = (t + t₀)^(−α). Default 0: the first point's step is 1, so the statistics of the start are replaced by
    /// those of the data; a larger t₀ makes the start count as roughly t₀ points (useful with an explicit
    /// <see cref="GaussianMixtureOptions.InitialModel"/>).
    /// </summary>
    public double StepOffset { get; init; }

    /// <summary>
    /// Without an <see cref="GaussianMixtureOptions.InitialModel"/>, the first this-many points are buffered, the batch
    /// initialiser (<see cref="GaussianMixtureOptions.Init"/>) runs on them and they are then consumed as the first
    /// mini-batch. In every case the parameters stay at the start until this many points have been consumed (the
    /// statistics are updated but no M-step is taken), as Cappé &amp; Moulines do. Default 20·K; at least K.
    /// </summary>
    public int? InitializationSize { get; init; }

    internal int ResolvedInitializationSize => InitializationSize ?? 20 * Mixture.Components;
}
