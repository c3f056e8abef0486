namespace LatentModels.Orleans;

/// <summary>The rows of one shard as a shard grain holds them in memory (never sent over the wire).</summary>
public sealed class ShardData
{
    /// <summary>Wraps rows (not copied) and optional sample weights.</summary>
    /// <param name="rows">n × d rows, finite.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row.</param>
    /// <exception cref="ArgumentException">A value is not finite or the weights do not match the rows (the message names the row).</exception>
    public ShardData(double[,] rows, double[]? sampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.GetLength(0), d = rows.GetLength(1);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (!double.IsFinite(rows[i, j]))
                {
                    throw new ArgumentException($"The value at row {i}, column {j} is {rows[i, j]}; values must be finite.", nameof(rows));
                }
            }
        }

        if (sampleWeights is not null)
        {
            if (sampleWeights.Length != n)
            {
                throw new ArgumentException($"There are {sampleWeights.Length} sample weights for {n} rows.", nameof(sampleWeights));
            }

            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(sampleWeights[i]) || sampleWeights[i] < 0)
                {
                    throw new ArgumentException($"The sample weight of row {i} is {sampleWeights[i]}; weights must be finite and non-negative.", nameof(sampleWeights));
                }
            }
        }

        Rows = rows;
        SampleWeights = sampleWeights;
    }

    /// <summary>The n × d rows.</summary>
    public double[,] Rows { get; }

    /// <summary>Per-row sample weights, or null (every row weighs 1).</summary>
    public double[]? SampleWeights { get; }

    /// <summary>The number of rows n.</summary>
    public int Count => Rows.GetLength(0);

    /// <summary>The width d.</summary>
    public int Dimension => Rows.GetLength(1);
}
