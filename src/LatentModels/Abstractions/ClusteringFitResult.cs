namespace LatentModels;

/// <summary>
/// The result of a clustering fit: the model, the report and the fit's own hard assignment of the training rows
/// (scikit-learn's <c>labels_</c>). The labels are those of the returned model — equal to
/// <c>Model.Predict(data)</c> on the training data — for rows of every weight.
/// </summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
/// <param name="Model">The immutable fitted model.</param>
/// <param name="Report">What happened during the fit.</param>
/// <param name="Labels">One zero-based cluster or component index per training row, in row order.</param>
/// <remarks>Soft clustering estimators (mixtures) return the derived <see cref="SoftClusteringFitResult{TModel}"/>, which adds the responsibilities.</remarks>
public record ClusteringFitResult<TModel>(TModel Model, FitReport Report, IReadOnlyList<int> Labels) : FitResult<TModel>(Model, Report);
