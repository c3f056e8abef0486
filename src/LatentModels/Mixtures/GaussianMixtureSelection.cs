namespace LatentModels.Mixtures;

/// <summary>The outcome of choosing the number of components by BIC.</summary>
/// <param name="Best">The candidate with the lowest BIC (the first on ties).</param>
/// <param name="Candidates">Every candidate in the order given.</param>
public sealed record GaussianMixtureSelection(GaussianMixtureCandidate Best, IReadOnlyList<GaussianMixtureCandidate> Candidates);
