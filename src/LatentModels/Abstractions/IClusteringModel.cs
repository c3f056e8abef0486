namespace LatentModels;

/// <summary>A model that assigns each row to one of a fixed number of clusters or components.</summary>
public interface IClusteringModel
{
    /// <summary>Number of clusters or components.</summary>
    int Clusters { get; }

    /// <summary>Hard assignment of each row.</summary>
    /// <param name="data">n × d observations.</param>
    int[] Predict(double[,] data);

    /// <summary>Hard assignment of one point: the label <see cref="Predict(double[,])"/> gives the same values as a row.</summary>
    /// <param name="point">d values.</param>
    int Predict(ReadOnlySpan<double> point) => Predict(OneRow(point))[0];

    /// <summary>The point as a 1 × d matrix (for the default single-point members).</summary>
    /// <param name="point">d values.</param>
    protected static double[,] OneRow(ReadOnlySpan<double> point)
    {
        var row = new double[1, point.Length];
        point.CopyTo(row.AsWritableSpan());
        return row;
    }
}
