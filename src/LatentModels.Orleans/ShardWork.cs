namespace LatentModels.Orleans;

/// <summary>What the driver sends a shard each iteration: the current model and how to compute its statistics.</summary>
[GenerateSerializer]
public sealed class ShardWork
{
    /// <summary>The current model in its binary wire form (bit-exact; see <see cref="ModelPayload"/>).</summary>
    [Id(0)]
    public required ModelPayload Model { get; init; }

    /// <summary>The thread cap of the shard's E-step (≤ 0: all cores of the silo). Results do not depend on it.</summary>
    [Id(1)]
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>The iteration this work belongs to (for logs and tests; 0 for the start).</summary>
    [Id(2)]
    public int Iteration { get; init; }
}
