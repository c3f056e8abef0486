namespace LatentModels;

/// <summary>A clustering model that also gives soft (probabilistic) assignments.</summary>
public interface ISoftClusteringModel : IClusteringModel
{
    /// <summary>The posterior probability of each component for each row (n × K, rows sum to one).</summary>
    /// <param name="data">n × d observations.</param>
    double[,] PredictProbabilities(double[,] data);

    /// <summary>The posterior probability of each component for one point (K values summing to one), as a row of
    /// <see cref="PredictProbabilities(double[,])"/>.</summary>
    /// <param name="point">d values.</param>
    double[] PredictProbabilities(ReadOnlySpan<double> point)
    {
        double[,] p = PredictProbabilities(OneRow(point));
        var row = new double[p.GetLength(1)];
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = p[0, c];
        }

        return row;
    }
}
