namespace LatentModels;

/// <summary>A model that assigns each row to one of a fixed number of clusters or components.</summary>
public interface IClusteringModel
{
    /// <summary>Number of clusters or components.</summary>
    int Clusters { get; }

    /// <summary>Hard assignment of each row.</summary>
    /// <param name="data">n × d observations.</param>
    int[] Predict(double[,] data);
}
