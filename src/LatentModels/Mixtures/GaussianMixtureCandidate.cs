namespace LatentModels.Mixtures;

/// <summary>One fitted candidate of a model selection.</summary>
/// <param name="Components">The number of components K.</param>
/// <param name="Bic">Its BIC on the data (lower is better).</param>
/// <param name="Aic">Its AIC on the data (lower is better).</param>
/// <param name="Fit">The fitted model and report.</param>
public sealed record GaussianMixtureCandidate(int Components, double Bic, double Aic, FitResult<GaussianMixtureModel> Fit);
