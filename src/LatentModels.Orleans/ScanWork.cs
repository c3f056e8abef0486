namespace LatentModels.Orleans;

/// <summary>
/// A pass of a Gaussian-mixture fit that reads a shard's rows without a model: the shard continues the values it is sent
/// (<see cref="Carry"/>) over its rows and returns them in <see cref="ShardReply.Carry"/>.
/// </summary>
[GenerateSerializer]
public sealed class ScanWork
{
    /// <summary>What to compute.</summary>
    [Id(0)]
    public ShardScan Scan { get; init; }

    /// <summary>The values carried from the shards before (the layout of <see cref="Scan"/>).</summary>
    [Id(1)]
    public double[] Carry { get; init; } = [];

    /// <summary><see cref="ShardScan.WeightTotal"/>: the power of two the weights are divided by (as the fit divides them).</summary>
    [Id(2)]
    public int WeightShift { get; init; }
}
