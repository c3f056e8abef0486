using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Variational;

/// <summary>
/// Settings of a <see cref="VariationalGaussianMixture"/>. The prior's defaults are scikit-learn's
/// <c>BayesianGaussianMixture</c> defaults (each <c>null</c> means "the peer's default").
/// </summary>
public sealed record VariationalGaussianMixtureOptions
{
    /// <summary>Number of components K (the truncation level for the process prior); unused ones are pruned by the posterior.</summary>
    public int Components { get; init; } = 1;

    /// <summary>How the covariances are constrained.</summary>
    public CovarianceType Covariance { get; init; } = CovarianceType.Full;

    /// <summary>The prior of the mixing weights.</summary>
    public WeightPrior WeightPrior { get; init; } = WeightPrior.DirichletDistribution;

    /// <summary>The Dirichlet concentration α₀, or the process concentration γ of the sticks Beta(1, γ); default 1/K. Must be positive.</summary>
    public double? WeightConcentration { get; init; }

    /// <summary>β₀, the precision of the means' prior relative to the component's precision (default 1). Must be positive.</summary>
    public double MeanPrecision { get; init; } = 1.0;

    /// <summary>m₀, the prior mean of the means (d values); default the (weighted) data mean.</summary>
    public double[]? MeanPrior { get; init; }

    /// <summary>ν₀, the prior degrees of freedom of the Wishart; default d. Must exceed d − 1.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>
    /// W₀⁻¹, the prior of the covariances: d·d values (full, tied; symmetric positive definite), d variances (diagonal) or
    /// one variance (spherical). Default: the data covariance with the n − 1 denominator (its diagonal for diagonal, the
    /// mean of its diagonal for spherical), as the peer's.
    /// </summary>
    public double[]? CovariancePrior { get; init; }

    /// <summary>Added (times Nₖ) to the diagonal of every posterior scale, the peer's <c>reg_covar</c>; non-negative.</summary>
    public double Regularization { get; init; } = 1e-6;

    /// <summary>
    /// The starting responsibilities. <see cref="MixtureInit.First"/>: every row is assigned to the nearest (Euclidean, first
    /// on ties) of the first K rows; the others as for <see cref="GaussianMixtureOptions.Init"/>. Each start then takes
    /// one variational M-step from them.
    /// </summary>
    public MixtureInit Init { get; init; } = MixtureInit.KMeans;

    /// <summary>
    /// A warm start: every start begins from this fitted posterior q(π)q(μ, Λ) — its E-step, then the iterations — instead
    /// of <see cref="Init"/> (ignored when set). It must have <see cref="Components"/> components of the data's dimension,
    /// the same <see cref="Covariance"/> and the same <see cref="WeightPrior"/>; the prior is this options' (resolved
    /// against the data), not the one the model was fitted with. Starting from a converged fit on the same data and prior
    /// converges again at once with the same ELBO; with <see cref="MaxIterations"/> = 0 the fit returns this posterior
    /// (its <see cref="VariationalGaussianMixtureModel.Elbo"/> NaN: the bound is computed after an M-step, as the peer's).
    /// </summary>
    public VariationalGaussianMixtureModel? InitialModel { get; init; }

    /// <summary>Number of starts; the one with the largest final ELBO is kept.</summary>
    public int Starts { get; init; } = 1;

    /// <summary>Iterations (E-step, M-step, bound) per start; 0 returns the posterior of the start.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stops when the bound changes by less than this between iterations (as the peer, on the total bound, not per row).</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>The seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>Threads at most (0: all); the result is the same bits for any value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>The equivalent EM options for the spine's engine (form, components, regularisation, parallelism, init).</summary>
    internal GaussianMixtureOptions EngineOptions() => new()
    {
        Components = Components,
        Covariance = Covariance,
        Regularization = Regularization,
        Init = Init,
        Seed = Seed,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
        MaxIterations = MaxIterations,
        Tolerance = Tolerance,
        Starts = Starts,
    };

    internal void Validate(int rows, int columns)
    {
        EngineOptions().Validate(rows, columns);
        if (!Enum.IsDefined(WeightPrior))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightPrior), WeightPrior, "Unknown weight prior.");
        }

        if (WeightConcentration is { } a && (!(a > 0) || !(a <= Persistence.JsonFields.MaxPseudoCount)))
        {
            // Beyond 2^110 a saved model's concentrations could not be loaded back.
            throw new ArgumentOutOfRangeException(nameof(WeightConcentration), a, "The weight concentration must be positive and at most 2^110 (about 1.3e33).");
        }

        if (InitialModel is { } initial
            && (initial.Components != Components || initial.Dimension != columns || initial.CovarianceType != Covariance || initial.WeightPrior != WeightPrior))
        {
            throw new ArgumentException(
                $"The initial model has {initial.Components} {initial.CovarianceType} components of dimension {initial.Dimension} with {initial.WeightPrior} weights; " +
                $"the options ask for {Components} {Covariance} components with {WeightPrior} weights and the data have {columns} columns.",
                nameof(InitialModel));
        }

        if (!(MeanPrecision > 0) || !double.IsFinite(MeanPrecision))
        {
            throw new ArgumentOutOfRangeException(nameof(MeanPrecision), MeanPrecision, "The mean precision must be positive and finite.");
        }

        if (MeanPrior is { } m)
        {
            if (m.Length != columns)
            {
                throw new ArgumentException($"The mean prior has {m.Length} values but the data have {columns} columns.", nameof(MeanPrior));
            }

            DataValidation.CheckFinite(m, columns, nameof(MeanPrior));
        }

        if (DegreesOfFreedom is { } nu && (!(nu > columns - 1) || !double.IsFinite(nu)))
        {
            throw new ArgumentOutOfRangeException(nameof(DegreesOfFreedom), nu, $"The degrees of freedom must be finite and greater than d − 1 = {columns - 1}.");
        }

        if (CovariancePrior is { } w)
        {
            int length = VariationalShape.For(Covariance).PriorLength(columns);
            if (w.Length != length)
            {
                throw new ArgumentException($"The {Covariance} covariance prior needs {length} values but has {w.Length}.", nameof(CovariancePrior));
            }

            DataValidation.CheckFinite(w, length, nameof(CovariancePrior));
            if (double.IsNaN(VariationalShape.For(Covariance).LogDetW0(w, columns)))
            {
                throw new ArgumentException("The covariance prior is not (symmetric) positive definite.", nameof(CovariancePrior));
            }
        }
        else if (rows < 2)
        {
            throw new ArgumentException("The default covariance prior (the data covariance) needs at least 2 rows; give CovariancePrior.", "data");
        }
    }
}
