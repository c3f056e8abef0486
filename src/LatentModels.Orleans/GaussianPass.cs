using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>
/// What a pass of a distributed Gaussian-mixture fit adds to a <see cref="ShardWork"/>: the units of the fit (the range
/// frame and the weights' power of two, as one machine chooses them) and, for an E-step, the engine's centre and block size.
/// </summary>
/// <param name="Frame">The range frame the rows are mapped into.</param>
/// <param name="WeightShift">The power of two the sample weights are divided by.</param>
/// <param name="Center">The engine's centre (an E-step), or null (the data moments).</param>
/// <param name="BlockSize">The engine's block size (an E-step).</param>
internal sealed record GaussianPass(RangeFrame Frame, int WeightShift, double[]? Center = null, int BlockSize = 0)
{
    /// <summary>The work of this pass for a shard.</summary>
    public ShardWork Work(ModelPayload model, int maxDegreeOfParallelism, int iteration, long firstRow) => new()
    {
        Model = model,
        MaxDegreeOfParallelism = maxDegreeOfParallelism,
        Iteration = iteration,
        FirstRow = firstRow,
        Center = Center,
        BlockSize = BlockSize,
        FramePrescale = Frame.Prescale,
        FrameCentre = Frame.Centre,
        FrameScale = Frame.Scale,
        WeightShift = WeightShift,
    };
}
