namespace LatentModels.Mixtures;

/// <summary>
/// A family of mixture components that <see cref="Mixture{TComponent}"/> can fit by EM: it evaluates the per-component
/// log-densities of the data (the E-step) and gives the weighted maximum-likelihood — or, with pseudo-counts, maximum
/// a-posteriori — estimate of each component with the responsibilities as weights (the M-step). Everything else
/// (mixing weights, log-sum-exp normalisation, initialisation, starts, convergence, progress) is shared by every family.
/// </summary>
/// <remarks>
/// Implementations must be deterministic: the same inputs give the same bits for any
/// <c>maxDegreeOfParallelism</c> (fixed-size blocks, fixed reduction order).
/// </remarks>
/// <typeparam name="TComponent">The immutable component distribution.</typeparam>
public interface IMixtureFamily<TComponent> where TComponent : class
{
    /// <summary>A short human-readable name of the family, e.g. <c>"independent Bernoulli"</c>.</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Estimate"/> accepts a positive pseudo-count (MAP smoothing).</summary>
    bool SupportsPseudoCounts { get; }

    /// <summary>Throws unless every row of <paramref name="data"/> lies in the family's sample space.</summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <exception cref="ArgumentException">A value is invalid (the message names its row and column).</exception>
    void CheckData(double[,] data, string paramName);

    /// <summary>Throws unless the components are non-null, of this family's shape and mutually compatible.</summary>
    /// <param name="components">K ≥ 1 components.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    void CheckComponents(IReadOnlyList<TComponent> components, string paramName);

    /// <summary>The dimension d of the observations of <paramref name="component"/>.</summary>
    /// <param name="component">A component.</param>
    int Dimension(TComponent component);

    /// <summary>The number of free parameters of one component (for BIC and AIC).</summary>
    /// <param name="component">A component.</param>
    int FreeParameters(TComponent component);

    /// <summary>
    /// Writes log p(xᵢ | θₖ) into <paramref name="destination"/>[i·K + k] for every row i of <paramref name="data"/> and
    /// component k. The data has already passed <see cref="CheckData"/>.
    /// </summary>
    /// <param name="components">The K components.</param>
    /// <param name="data">n × d observations.</param>
    /// <param name="destination">n·K values, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results must not depend on it.</param>
    void LogDensities(IReadOnlyList<TComponent> components, double[,] data, double[] destination, int maxDegreeOfParallelism);

    /// <summary>
    /// The M-step: for each component k, the estimate that maximises Σᵢ rᵢₖ log p(xᵢ | θ) + log p(θ), where the prior
    /// p(θ) adds <paramref name="pseudoCount"/> to every outcome count (0 gives the weighted maximum-likelihood estimate).
    /// </summary>
    /// <param name="data">n × d observations (already checked).</param>
    /// <param name="responsibilities">n·K weights rᵢₖ, row-major.</param>
    /// <param name="componentWeights">The K column sums Nₖ = Σᵢ rᵢₖ.</param>
    /// <param name="pseudoCount">Non-negative pseudo-count α.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results must not depend on it.</param>
    /// <exception cref="FittingException">A component cannot be estimated (e.g. it has no weight and there is no pseudo-count).</exception>
    TComponent[] Estimate(double[,] data, double[] responsibilities, double[] componentWeights, double pseudoCount, int maxDegreeOfParallelism);

    /// <summary>log p(θ) up to a constant for the prior that <paramref name="pseudoCount"/> stands for (0 when it is 0).</summary>
    /// <param name="component">A component.</param>
    /// <param name="pseudoCount">The pseudo-count α.</param>
    double LogPrior(TComponent component, double pseudoCount);

    /// <summary>Draws one observation of <paramref name="component"/> into <paramref name="destination"/> (d values).</summary>
    /// <param name="component">A component.</param>
    /// <param name="random">The random source.</param>
    /// <param name="destination">d values.</param>
    void Sample(TComponent component, Random random, Span<double> destination);
}
