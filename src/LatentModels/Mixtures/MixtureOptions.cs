namespace LatentModels.Mixtures;

/// <summary>
/// Settings of generic mixture EM (<see cref="Mixture{TComponent}"/>, <see cref="BernoulliMixture"/>,
/// <see cref="CategoricalMixture"/>). Immutable; validated when fitting.
/// </summary>
public sealed record MixtureOptions
{
    /// <summary>The default <see cref="PseudoCount"/>.</summary>
    public const double DefaultPseudoCount = 0.01;

    /// <summary>Number of components K (at least 1, at most the number of rows).</summary>
    public int Components { get; init; } = 1;

    /// <summary>
    /// Maximum number of EM iterations (M-steps) per start, at least 0. Zero returns the start itself (the initialised or
    /// given parameters): the report then has 0 iterations, an empty trace and is not converged, and among several starts
    /// the one whose start has the best objective is kept.
    /// </summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// EM stops when the traced objective (the mean log-likelihood, or with a positive <see cref="PseudoCount"/> the mean
    /// log-posterior) changes by less than this between iterations; as scikit-learn's <c>tol</c> (and
    /// <see cref="GaussianMixtureOptions.Tolerance"/>), the change from θₜ₋₁ to θₜ is tested after iteration t + 1, so one
    /// more M-step runs once the objective has settled. Zero runs exactly <see cref="MaxIterations"/> iterations.
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>How the starting parameters are chosen.</summary>
    public MixtureInit Init { get; init; } = MixtureInit.KMeansPlusPlus;

    /// <summary>Number of starts; the one with the best final objective is kept. At least 1.</summary>
    public int Starts { get; init; } = 1;

    /// <summary>
    /// Smoothing of the component M-step: α is added to the responsibility-weighted count of every outcome (each of the
    /// two Bernoulli outcomes, each category). This is MAP estimation under a symmetric Beta(α + 1, α + 1) /
    /// Dirichlet(α + 1) prior; it keeps probabilities away from exactly 0 and 1, so no row can get log-density −∞ and a
    /// component with no rows stays defined. 0 gives plain maximum likelihood. Default <see cref="DefaultPseudoCount"/>
    /// (0.01: negligible next to the counts of any real cluster). The mixing weights are always maximum likelihood.
    /// </summary>
    public double PseudoCount { get; init; } = DefaultPseudoCount;

    /// <summary>Seed of every random choice; the same seed gives bit-identical results for any degree of parallelism.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; values ≤ 0 mean all cores. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    internal void Validate(int rows, bool supportsPseudoCounts, string familyName)
    {
        EmOptionChecks.Components(Components, rows, nameof(Components));
        EmOptionChecks.Init(Init, nameof(Init));
        if (Init == MixtureInit.KMeans)
        {
            throw new ArgumentOutOfRangeException(nameof(Init), Init, "Euclidean K-Means starts only Gaussian mixtures; generic families use KMeansPlusPlus (on the Hamming distance), RandomRows, RandomResponsibilities or First.");
        }
        EmOptionChecks.MaxIterations(MaxIterations, nameof(MaxIterations));
        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
        EmOptionChecks.Starts(Starts, nameof(Starts));

        if (!(PseudoCount >= 0) || !(PseudoCount <= Persistence.JsonFields.MaxPseudoCount))
        {
            // Beyond 2^110 the counts' sums overflow (and a saved model could not be loaded back).
            throw new ArgumentOutOfRangeException(nameof(PseudoCount), PseudoCount, "The pseudo-count must be non-negative and at most 2^110 (about 1.3e33).");
        }

        if (PseudoCount > 0 && !supportsPseudoCounts)
        {
            throw new ArgumentOutOfRangeException(nameof(PseudoCount), PseudoCount, $"The {familyName} family fits by maximum likelihood only; set PseudoCount to 0.");
        }
    }
}
