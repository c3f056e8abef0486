using LatentModels.Mixtures;

namespace LatentModels.Variational;

/// <summary>
/// Settings of the variational Bayesian discrete mixtures (<see cref="VariationalBernoulliMixture"/>,
/// <see cref="VariationalCategoricalMixture"/>). Immutable; validated when fitting.
/// </summary>
public sealed record VariationalDiscreteMixtureOptions
{
    /// <summary>Number of components K (at least 1, at most the number of rows of positive weight).</summary>
    public int Components { get; init; } = 1;

    /// <summary>α₀ of the symmetric Dirichlet prior on the mixing weights; null means 1/K. Must be positive and finite.</summary>
    public double? WeightConcentration { get; init; }

    /// <summary>
    /// γ₀, the pseudo-count of every outcome in the prior of each component's variables: Beta(γ₀, γ₀) for a Bernoulli
    /// column, a symmetric Dirichlet(γ₀) for a categorical one. Default 1 (uniform). Must be positive and finite.
    /// </summary>
    public double PriorCount { get; init; } = 1;

    /// <summary>
    /// How each start's first responsibilities are chosen (as <see cref="BernoulliMixture"/>: the initial mixture's
    /// posterior responsibilities); <see cref="MixtureInit.KMeans"/> is not available.
    /// </summary>
    public MixtureInit Init { get; init; } = MixtureInit.KMeansPlusPlus;

    /// <summary>Number of starts; the one with the highest final ELBO is kept. At least 1.</summary>
    public int Starts { get; init; } = 1;

    /// <summary>Maximum number of coordinate-ascent iterations (variational M-step then E-step) per start, at least 0.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stops when the full ELBO (in nats, not per row) changes by less than this; 0 runs every iteration.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Seed of every random choice; the same seed gives bit-identical results for any degree of parallelism.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; values ≤ 0 mean all cores. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>α₀ as used: <see cref="WeightConcentration"/> or 1/K.</summary>
    internal double ResolvedWeightConcentration => WeightConcentration ?? 1.0 / Components;

    internal void Validate(int rows)
    {
        EmOptionChecks.Components(Components, rows, nameof(Components));
        EmOptionChecks.Init(Init, nameof(Init));
        if (Init == MixtureInit.KMeans)
        {
            throw new ArgumentOutOfRangeException(nameof(Init), Init, "Euclidean K-Means starts only Gaussian mixtures; use KMeansPlusPlus (on the Hamming distance), RandomRows, RandomResponsibilities or First.");
        }

        EmOptionChecks.MaxIterations(MaxIterations, nameof(MaxIterations));
        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
        EmOptionChecks.Starts(Starts, nameof(Starts));
        // Pseudo-counts beyond 2^110 overflow the posterior's sums (and a saved model could not be loaded back).
        if (WeightConcentration is double a && (!(a > 0) || !(a <= Persistence.JsonFields.MaxPseudoCount)))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightConcentration), a, "The weight concentration must be positive and at most 2^110 (about 1.3e33).");
        }

        if (!(PriorCount > 0) || !(PriorCount <= Persistence.JsonFields.MaxPseudoCount))
        {
            throw new ArgumentOutOfRangeException(nameof(PriorCount), PriorCount, "The prior count must be positive and at most 2^110 (about 1.3e33).");
        }
    }

    /// <summary>The generic mixture's settings that choose a start.</summary>
    internal MixtureOptions StartOptions() => new()
    {
        Components = Components,
        Init = Init,
        Seed = Seed,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
        PseudoCount = PriorCount,
    };
}
