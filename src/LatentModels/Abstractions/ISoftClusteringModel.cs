namespace LatentModels;

/// <summary>A clustering model that also gives soft (probabilistic) assignments.</summary>
public interface ISoftClusteringModel : IClusteringModel
{
    /// <summary>The posterior probability of each component for each row (n × K, rows sum to one).</summary>
    /// <param name="data">n × d observations.</param>
    double[,] PredictProbabilities(double[,] data);
}
