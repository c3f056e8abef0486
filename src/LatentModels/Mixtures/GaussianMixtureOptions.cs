namespace LatentModels.Mixtures;

/// <summary>Settings of batch EM for a Gaussian mixture. Immutable; validated when <see cref="GaussianMixture.Fit(double[,], IProgress{FitProgress}?, CancellationToken)"/> runs.</summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>Number of components K (at least 1, at most the number of rows).</summary>
    public int Components { get; init; } = 1;

    /// <summary>How covariances are parameterised.</summary>
    public CovarianceType Covariance { get; init; } = CovarianceType.Full;

    /// <summary>Maximum number of EM iterations (M-steps) per start, at least 1.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// EM stops when the mean log-likelihood (or mean log-posterior with a prior) changes by less than this between
    /// iterations, exactly as scikit-learn's <c>tol</c>: the change from θₜ₋₁ to θₜ is tested after iteration t + 1, so one
    /// more M-step runs once the objective has settled, and the iteration count equals the peer's. Zero runs exactly
    /// <see cref="MaxIterations"/> iterations.
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Non-negative value added to the diagonal of every covariance in the M-step (scikit-learn's <c>reg_covar</c>).</summary>
    public double Regularization { get; init; } = 1e-6;

    /// <summary>How the starting parameters are chosen (ignored when <see cref="InitialModel"/> is set).</summary>
    public GaussianMixtureInit Init { get; init; } = GaussianMixtureInit.KMeans;

    /// <summary>Number of starts; the one with the best final objective is kept. At least 1.</summary>
    public int Starts { get; init; } = 1;

    /// <summary>Conjugate prior for MAP EM; <see langword="null"/> fits by maximum likelihood.</summary>
    public GaussianMixturePrior? Prior { get; init; }

    /// <summary>Seed of every random choice; the same seed gives bit-identical results for any degree of parallelism.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; values ≤ 0 mean all cores. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Explicit starting parameters or a warm start from a fitted model (same covariance type, number of components
    /// and dimension). When set, <see cref="Init"/> is ignored and every start begins here.
    /// </summary>
    public GaussianMixtureModel? InitialModel { get; init; }

    internal void Validate(int rows, int columns)
    {
        EmOptionChecks.Components(Components, rows, nameof(Components));

        if (!Enum.IsDefined(Covariance))
        {
            throw new ArgumentOutOfRangeException(nameof(Covariance), Covariance, "Unknown covariance type.");
        }

        EmOptionChecks.Init(Init, nameof(Init));
        EmOptionChecks.MaxIterations(MaxIterations, nameof(MaxIterations));
        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));

        if (!(Regularization >= 0) || double.IsPositiveInfinity(Regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "The regularisation must be finite and non-negative.");
        }

        EmOptionChecks.Starts(Starts, nameof(Starts));

        if (InitialModel is { } m && (m.Components != Components || m.Dimension != columns || m.CovarianceType != Covariance))
        {
            throw new ArgumentException(
                $"The initial model has {m.Components} {m.CovarianceType} components of dimension {m.Dimension}; the options ask for {Components} {Covariance} components and the data have {columns} columns.",
                nameof(InitialModel));
        }

        Prior?.Validate(columns);
    }
}
