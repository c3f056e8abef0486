namespace LatentModels;

/// <summary>An estimator: holds options and fits a model to the rows of a data matrix.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
public interface IEstimator<TModel>
{
    /// <summary>Fits a model to the rows of <paramref name="data"/> (n × d). The array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    FitResult<TModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default);
}
