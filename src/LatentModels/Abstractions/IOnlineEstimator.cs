namespace LatentModels;

/// <summary>An online estimator: consumes points or mini-batches one at a time and exposes a snapshot of its model.</summary>
/// <typeparam name="TModel">The model type of a snapshot.</typeparam>
public interface IOnlineEstimator<TModel>
{
    /// <summary>Number of points consumed so far.</summary>
    long Count { get; }

    /// <summary>Consumes one point.</summary>
    /// <param name="point">The point; its length must equal the model dimension.</param>
    void Update(ReadOnlySpan<double> point);

    /// <summary>Consumes a mini-batch (its rows).</summary>
    /// <param name="batch">The mini-batch, one point per row.</param>
    void Update(double[,] batch);

    /// <summary>An immutable copy of the current model.</summary>
    TModel Snapshot();
}
