namespace LatentModels;

/// <summary>An estimator that also accepts non-negative per-row sample weights.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
public interface IWeightedEstimator<TModel> : IEstimator<TModel>
{
    /// <summary>Fits a model to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    FitResult<TModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default);
}
