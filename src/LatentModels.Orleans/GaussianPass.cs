namespace LatentModels.Orleans;

/// <summary>What a pass of a distributed Gaussian-mixture fit adds to a <see cref="ShardWork"/>: for an E-step, the engine's centre and block size.</summary>
/// <param name="Center">The engine's centre (an E-step), or null (the data moments).</param>
/// <param name="BlockSize">The engine's block size (an E-step).</param>
internal sealed record GaussianPass(double[]? Center = null, int BlockSize = 0)
{
    /// <summary>The work of this pass for a shard, in the units of <paramref name="frame"/>.</summary>
    public ShardWork Work(ModelPayload model, int maxDegreeOfParallelism, int iteration, long firstRow, ShardFrame? frame) => new()
    {
        Frame = frame,
        Model = model,
        MaxDegreeOfParallelism = maxDegreeOfParallelism,
        Iteration = iteration,
        FirstRow = firstRow,
        Center = Center,
        BlockSize = BlockSize,
    };
}
