using LatentModels.Mixtures;

namespace LatentModels.Variational;

/// <summary>
/// Settings of stochastic variational inference for the variational Bayesian Gaussian mixture
/// (<see cref="StochasticVariationalGaussianMixture"/> on a data set, <see cref="StreamingVariationalGaussianMixture"/> on a
/// stream). Validated when the estimator or stream is constructed.
/// </summary>
public sealed record StochasticVariationalGaussianMixtureOptions
{
    /// <summary>
    /// The model, its prior and its start, read as the batch fit reads them: <see cref="VariationalGaussianMixtureOptions.Components"/>,
    /// <see cref="VariationalGaussianMixtureOptions.Covariance"/>, the weight prior and every hyper-parameter (unset ones are
    /// resolved from the data set's moments by <see cref="StochasticVariationalGaussianMixture"/>, from the first mini-batch's by a
    /// stream), <see cref="VariationalGaussianMixtureOptions.Regularization"/>, <see cref="VariationalGaussianMixtureOptions.Init"/>
    /// (run on the first mini-batch) or <see cref="VariationalGaussianMixtureOptions.InitialModel"/> (a warm start: here the
    /// start is the first mini-batch's variational responsibilities under that model, then one variational M-step, since SVI
    /// carries effective statistics, not a posterior), <see cref="VariationalGaussianMixtureOptions.Seed"/> (the initialisation and the shuffling)
    /// and <see cref="VariationalGaussianMixtureOptions.MaxDegreeOfParallelism"/>. Starts, MaxIterations and Tolerance are not used.
    /// </summary>
    public VariationalGaussianMixtureOptions Mixture { get; init; } = new();

    /// <summary>Rows per mini-batch when passing over a data set (the last mini-batch of an epoch may be smaller); at least 1. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>τ ≥ 0, the delay of the step size ρₜ = (τ + t)^(−κ) of the t-th update (Hoffman et al. 2013). Default 1; 0 makes the first step 1.</summary>
    public double StepDelay { get; init; } = 1.0;

    /// <summary>κ ∈ (0.5, 1], the forgetting rate of the step size ρₜ = (τ + t)^(−κ) (Robbins–Monro: Σρ = ∞, Σρ² &lt; ∞). Default 0.7.</summary>
    public double ForgettingRate { get; init; } = 0.7;

    /// <summary>
    /// N, the size of the data set the mini-batches stand for: each mini-batch B counts N/|B| times. Required by a stream;
    /// <see cref="StochasticVariationalGaussianMixture.Fit(double[,], IProgress{FitProgress}, CancellationToken)"/> uses the number of rows when it is null.
    /// </summary>
    public long? DataSize { get; init; }

    /// <summary>Passes over the data set in <see cref="StochasticVariationalGaussianMixture.Fit(double[,], IProgress{FitProgress}, CancellationToken)"/> (each a fresh shuffle); at least 1. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The step size ρₜ = (τ + t)^(−κ) of update t (1-based).</summary>
    internal double StepSize(long t) => Math.Pow(StepDelay + t, -ForgettingRate);

    /// <summary>Checks what does not depend on the data.</summary>
    internal void Validate()
    {
        VariationalGaussianMixtureOptions m = Mixture ?? throw new ArgumentNullException(nameof(Mixture), "Mixture is null.");
        if (m.Components < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Mixture), m.Components, $"Components is {m.Components}; at least one component is needed.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (!(StepDelay >= 0) || double.IsPositiveInfinity(StepDelay))
        {
            throw new ArgumentOutOfRangeException(nameof(StepDelay), StepDelay, $"StepDelay (τ) is {StepDelay}; it must be finite and non-negative.");
        }

        if (!(ForgettingRate > 0.5 && ForgettingRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ForgettingRate), ForgettingRate, $"ForgettingRate (κ) is {ForgettingRate}; it must lie in (0.5, 1].");
        }

        if (DataSize is { } n && n < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DataSize), n, "DataSize must be at least 1.");
        }

        if (Epochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        }

        if (m.InitialModel is { } model && (model.Components != m.Components || model.CovarianceType != m.Covariance || model.WeightPrior != m.WeightPrior))
        {
            throw new ArgumentException(
                $"The initial model has {model.Components} {model.CovarianceType} components with {model.WeightPrior} weights; the options ask for {m.Components} {m.Covariance} components with {m.WeightPrior} weights.",
                nameof(VariationalGaussianMixtureOptions.InitialModel));
        }
    }

    /// <summary>Checks the mixture options (and the initial model's dimension) against the first mini-batch (rows × columns).</summary>
    internal void ValidateFirstBatch(int rows, int columns) => Mixture.Validate(rows, columns);
}
