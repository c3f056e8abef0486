using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures;

/// <summary>Settings of batch EM for a Gaussian mixture. Immutable; validated when <see cref="GaussianMixture.Fit(double[,], IProgress{FitProgress}?, CancellationToken)"/> runs.</summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>Number of components K (at least 1, at most the number of rows).</summary>
    public int Components { get; init; } = 1;

    /// <summary>How covariances are parameterised.</summary>
    public CovarianceType Covariance { get; init; } = CovarianceType.Full;

    /// <summary>
    /// Maximum number of EM iterations (M-steps) per start, at least 0. Zero returns the start itself (the initialised
    /// parameters, as scikit-learn's <c>max_iter=0</c>): the report then has 0 iterations, an empty trace and is not
    /// converged, and among several starts the one whose start has the best objective is kept.
    /// </summary>
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
    public MixtureInit Init { get; init; } = MixtureInit.KMeans;

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

    /// <summary>
    /// Starting mixing weights (scikit-learn's <c>weights_init</c>): K positive finite values, normalised to sum to one.
    /// Any of <see cref="InitialWeights"/>, <see cref="InitialMeans"/> and <see cref="InitialPrecisions"/> may be given
    /// alone or together; the parameters not given come from <see cref="Init"/> (as in scikit-learn, the initialisation's
    /// covariances are estimated about its own means even when <see cref="InitialMeans"/> replaces them). When all three
    /// are given, <see cref="Init"/> is not run. Not allowed together with <see cref="InitialModel"/>. Copied when read.
    /// </summary>
    public double[]? InitialWeights { get; init; }

    /// <summary>Starting means (scikit-learn's <c>means_init</c>): K × d finite values. See <see cref="InitialWeights"/>.</summary>
    public double[,]? InitialMeans { get; init; }

    /// <summary>
    /// Starting precisions, the inverse covariances (scikit-learn's <c>precisions_init</c>), flattened row-major in the
    /// layout of <see cref="Covariance"/>: full K·d·d, tied d·d, diagonal K·d, spherical K; every matrix symmetric positive
    /// definite, every value positive. The start's covariances are their inverses (by Cholesky solves). See
    /// <see cref="InitialWeights"/>.
    /// </summary>
    public double[]? InitialPrecisions { get; init; }

    /// <summary>
    /// <paramref name="start"/> (the initialisation's parameters; unset when all three partial pieces are given) with the
    /// given weights, means and precisions in place of its own. The options must have been validated.
    /// </summary>
    internal GaussianComponents PartialStart(GaussianComponents start)
    {
        GaussianComponents p = start.Clone();
        int k = Components, d = p.D;
        if (InitialWeights is { } w)
        {
            double sum = w.Sum();
            for (int c = 0; c < k; c++)
            {
                p.Weights[c] = w[c] / sum;
            }
        }

        if (InitialMeans is { } means)
        {
            means.AsSpan().CopyTo(p.Means);
        }

        if (InitialPrecisions is { } precisions && !GaussianPrecisions.TryInvert(Covariance, k, d, precisions, p.Covariance, out int failed))
        {
            CovarianceForm form = CovarianceForm.For(Covariance);
            string who = form.Shared ? "The tied precision matrix is"
                : form.IsMatrix ? $"The precision matrix of component {failed} is"
                : $"Precision value {failed} is";
            throw new ArgumentException($"{who} not positive definite.", nameof(InitialPrecisions));
        }

        return p;
    }

    internal void Validate(int rows, int columns)
    {
        EmOptionChecks.Components(Components, rows, nameof(Components));

        if (!Enum.IsDefined(Covariance))
        {
            throw new ArgumentOutOfRangeException(nameof(Covariance), Covariance, "Unknown covariance type.");
        }

        GaussianComponents.CheckedCovarianceLength(Covariance, Components, columns, nameof(Covariance));

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

        ValidatePartialStart(columns);
        Prior?.Validate(columns);
    }

    private void ValidatePartialStart(int columns)
    {
        if (InitialModel is not null && (InitialWeights is not null || InitialMeans is not null || InitialPrecisions is not null))
        {
            throw new ArgumentException("InitialModel is set together with InitialWeights, InitialMeans or InitialPrecisions; give one or the other.", nameof(InitialModel));
        }

        if (InitialWeights is { } w)
        {
            if (w.Length != Components)
            {
                throw new ArgumentException($"There are {w.Length} initial weights for {Components} components.", nameof(InitialWeights));
            }

            for (int c = 0; c < w.Length; c++)
            {
                if (!(w[c] > 0) || !double.IsFinite(w[c]))
                {
                    throw new ArgumentException($"Initial weight {c} is {w[c]}; weights must be positive and finite.", nameof(InitialWeights));
                }
            }
        }

        if (InitialMeans is { } m)
        {
            if (m.GetLength(0) != Components || m.GetLength(1) != columns)
            {
                throw new ArgumentException($"The initial means are {m.GetLength(0)} × {m.GetLength(1)} but must be {Components} × {columns} (components × data columns).", nameof(InitialMeans));
            }

            DataValidation.CheckFinite(m.AsSpan(), columns, nameof(InitialMeans));
        }

        if (InitialPrecisions is { } p)
        {
            int expected = GaussianComponents.CovarianceLength(Covariance, Components, columns);
            if (p.Length != expected)
            {
                throw new ArgumentException($"A {Covariance} mixture of {Components} components in dimension {columns} needs {expected} precision values, not {p.Length}.", nameof(InitialPrecisions));
            }

            DataValidation.CheckFinite(p, p.Length, nameof(InitialPrecisions));
            int count = CovarianceForm.For(Covariance).MatrixCount(Components);
            if (count > 0)
            {
                for (int c = 0; c < count; c++)
                {
                    for (int a = 0; a < columns; a++)
                    {
                        for (int b = 0; b < a; b++)
                        {
                            double x = p[(c * columns + a) * columns + b], y = p[(c * columns + b) * columns + a];
                            if (Math.Abs(x - y) > 1e-10 * (Math.Abs(x) + Math.Abs(y)) + double.Epsilon)
                            {
                                throw new ArgumentException($"The precision matrix of component {c} is not symmetric at ({a}, {b}).", nameof(InitialPrecisions));
                            }
                        }
                    }
                }
            }

            // Positive definite: the start's covariances are the inverses, so the check is the inversion itself.
            _ = PartialStart(new GaussianComponents(Covariance, Components, columns));
        }
    }
}
