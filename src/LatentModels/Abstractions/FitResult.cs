namespace LatentModels;

/// <summary>A fitted model together with the report of the fit that produced it.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
/// <param name="Model">The immutable fitted model.</param>
/// <param name="Report">What happened during the fit.</param>
/// <remarks>Clustering estimators return the derived <see cref="ClusteringFitResult{TModel}"/>, which adds the labels of the training rows.</remarks>
public record FitResult<TModel>(TModel Model, FitReport Report);
