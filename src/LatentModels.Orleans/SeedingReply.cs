namespace LatentModels.Orleans;

/// <summary>A shard's answer to a <see cref="SeedingWork"/>: the running sums continued over its rows, and rows found.</summary>
[GenerateSerializer]
public sealed class SeedingReply
{
    /// <summary><see cref="SeedingStep.Rows"/>: the rows asked for; <see cref="SeedingStep.Search"/>: the row found for each target (zeros where none), row-major.</summary>
    [Id(0)]
    public double[] Rows { get; init; } = [];

    /// <summary><see cref="SeedingStep.Search"/>: per target, the row (within the shard) where the running potential first exceeds it, or −1.</summary>
    [Id(1)]
    public int[] Found { get; init; } = [];

    /// <summary><see cref="SeedingStep.Search"/>: the running potential after the shard's rows.</summary>
    [Id(2)]
    public double RunEnd { get; init; }

    /// <summary><see cref="SeedingStep.Evaluate"/>: the block-order sums continued over the shard.</summary>
    [Id(3)]
    public double[] BlockOrder { get; init; } = [];

    /// <summary><see cref="SeedingStep.Evaluate"/>: the row-order sums continued over the shard.</summary>
    [Id(4)]
    public double[] RowOrder { get; init; } = [];

    /// <summary><see cref="SeedingStep.Search"/>: the shard's last row (a draw beyond every row clips to the last row of the data), or empty.</summary>
    [Id(5)]
    public double[] LastRow { get; init; } = [];

    /// <summary><see cref="SeedingStep.MixtureStart"/>: the statistics of each piece of the shard between global superblock boundaries, in row order.</summary>
    [Id(6)]
    public ModelPayload[] Parts { get; init; } = [];

    /// <summary><see cref="SeedingStep.Rows"/>: the sample weights of the rows asked for, or empty when the shard has none.</summary>
    [Id(7)]
    public double[] Weights { get; init; } = [];
}
