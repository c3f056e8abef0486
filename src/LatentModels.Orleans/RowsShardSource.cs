namespace LatentModels.Orleans;

/// <summary>
/// A shard whose rows the client pushes: the rows travel inside the source, so a shard that reactivates on another silo
/// gets them again from the driver (which keeps the source) — a reload costs the rows' bytes once.
/// </summary>
[GenerateSerializer]
public sealed class RowsShardSource : ShardSource
{
    /// <summary>Copies the rows (and weights) into a source.</summary>
    /// <param name="rows">n × d rows (copied).</param>
    /// <param name="sampleWeights">Null, or one weight per row (copied).</param>
    /// <param name="name">A name for messages.</param>
    public RowsShardSource(double[,] rows, double[]? sampleWeights = null, string name = "pushed rows")
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.GetLength(0), d = rows.GetLength(1);
        Values = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                Values[i * d + j] = rows[i, j];
            }
        }

        Columns = d;
        SampleWeights = sampleWeights is null ? null : (double[])sampleWeights.Clone();
        Name = name;
    }

    /// <summary>The rows, row-major.</summary>
    [Id(0)]
    public double[] Values { get; init; }

    /// <summary>The width d.</summary>
    [Id(1)]
    public int Columns { get; init; }

    /// <summary>Per-row sample weights, or null.</summary>
    [Id(2)]
    public double[]? SampleWeights { get; init; }

    /// <summary>A name for messages.</summary>
    [Id(3)]
    public string Name { get; init; }

    /// <inheritdoc />
    public override ShardData Load()
    {
        int d = Columns, n = d == 0 ? 0 : Values.Length / d;
        var rows = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                rows[i, j] = Values[i * d + j];
            }
        }

        return new ShardData(rows, SampleWeights is null ? null : (double[])SampleWeights.Clone());
    }

    /// <inheritdoc />
    public override string Describe() => $"{Name} ({(Columns == 0 ? 0 : Values.Length / Columns)} rows)";
}
