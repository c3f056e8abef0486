namespace LatentModels.Orleans;

/// <summary>A shard grain's answer.</summary>
[GenerateSerializer]
public sealed class ShardReply
{
    /// <summary>False when the grain holds no rows (it was reactivated): the driver must load it again.</summary>
    [Id(0)]
    public bool Loaded { get; init; }

    /// <summary>The statistics in their binary wire form (null for a load, or when not loaded; see <see cref="ModelPayload"/>).</summary>
    [Id(1)]
    public ModelPayload? Statistics { get; init; }

    /// <summary>The silo that answered (its address).</summary>
    [Id(2)]
    public string Silo { get; init; } = "";

    /// <summary>The number of rows the shard holds.</summary>
    [Id(3)]
    public int Rows { get; init; }

    /// <summary>The width of the shard's rows.</summary>
    [Id(4)]
    public int Columns { get; init; }

    /// <summary>Whether the shard's rows carry sample weights.</summary>
    [Id(5)]
    public bool Weighted { get; init; }

    /// <summary>The answer to a seeding step (null otherwise).</summary>
    [Id(6)]
    public SeedingReply? Seeding { get; init; }

    /// <summary>
    /// The statistics in parts, in row order, when there are not exactly one (a K-Means shard cuts its statistics at the
    /// global superblock boundaries: <see cref="LatentModels.Statistics.KMeansStatistics.ComputeParts"/>); null when
    /// <see cref="Statistics"/> holds the one part.
    /// </summary>
    [Id(7)]
    public ModelPayload[]? Parts { get; init; }

    /// <summary>The values of a <see cref="ScanWork"/> continued over the shard's rows (null otherwise).</summary>
    [Id(8)]
    public double[]? Carry { get; init; }

    /// <summary>The answer to a load: every column's smallest value (empty otherwise). With the maxima and the largest magnitude, the shard's part of the range pass (exact in any order).</summary>
    [Id(20)]
    public double[] ColumnMinima { get; init; } = [];

    /// <summary>The answer to a load: every column's largest value (empty otherwise).</summary>
    [Id(21)]
    public double[] ColumnMaxima { get; init; } = [];

    /// <summary>The answer to a load: the largest absolute value of the rows (0 otherwise).</summary>
    [Id(22)]
    public double LargestMagnitude { get; init; }

    /// <summary>The answer to a load: the largest sample weight (0 without weights).</summary>
    [Id(23)]
    public double LargestWeight { get; init; }
}
