namespace LatentModels;

/// <summary>
/// The result of a mixture fit: the model, the report, the labels of the training rows and their responsibilities
/// under the returned model (the final E-step, as scikit-learn's <c>fit_predict</c> runs it): row i of
/// <see cref="Responsibilities"/> equals row i of <c>Model.PredictProbabilities(data)</c>, and
/// <see cref="ClusteringFitResult{TModel}.Labels"/> equals <c>Model.Predict(data)</c>.
/// </summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
/// <param name="Model">The immutable fitted model.</param>
/// <param name="Report">What happened during the fit.</param>
/// <param name="Labels">The most probable component of every training row, in row order.</param>
/// <param name="Responsibilities">n × K posterior probabilities of the components for every training row (rows sum to one).</param>
public sealed record SoftClusteringFitResult<TModel>(TModel Model, FitReport Report, IReadOnlyList<int> Labels, double[,] Responsibilities)
    : ClusteringFitResult<TModel>(Model, Report, Labels);
