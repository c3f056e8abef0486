namespace LatentModels.Orleans;

/// <summary>
/// One step of a seeding computed through the shards (<see cref="DistributedFit.KMeansStartAsync"/>): the driver sends it
/// to the shards one after another, in shard order, carrying the running sums from one shard to the next so that every
/// sum is taken in the order of the rows of the concatenated data, as on one machine.
/// </summary>
[GenerateSerializer]
public sealed class SeedingWork
{
    /// <summary>What to compute.</summary>
    [Id(0)]
    public SeedingStep Step { get; init; }

    /// <summary>The centers chosen so far, row-major (c × <see cref="Dimension"/>; empty for none).</summary>
    [Id(1)]
    public double[] Centers { get; init; } = [];

    /// <summary>The width d of the centers and candidates.</summary>
    [Id(2)]
    public int Dimension { get; init; }

    /// <summary><see cref="SeedingStep.Rows"/>: the shard's rows to return (0-based, within the shard).</summary>
    [Id(3)]
    public int[] Indices { get; init; } = [];

    /// <summary><see cref="SeedingStep.Search"/>: the targets of the running potential.</summary>
    [Id(4)]
    public double[] Targets { get; init; } = [];

    /// <summary><see cref="SeedingStep.Search"/>: the running potential of the rows before this shard.</summary>
    [Id(5)]
    public double RunStart { get; init; }

    /// <summary><see cref="SeedingStep.Evaluate"/>: the candidate rows, row-major (t × <see cref="Dimension"/>).</summary>
    [Id(6)]
    public double[] Candidates { get; init; } = [];

    /// <summary><see cref="SeedingStep.Evaluate"/>: per candidate, the block sums of the shards before this one, summed in block order.</summary>
    [Id(7)]
    public double[] BlockOrder { get; init; } = [];

    /// <summary><see cref="SeedingStep.Evaluate"/>: per candidate, the potential of the rows before this shard, summed in row order.</summary>
    [Id(8)]
    public double[] RowOrder { get; init; } = [];

    /// <summary><see cref="SeedingStep.MixtureStart"/>: label by K-Means' assignment (<see cref="Clustering.KMeansModel"/>) rather than the pairwise-distance kernel.</summary>
    [Id(9)]
    public bool KMeansLabels { get; init; }

    /// <summary><see cref="SeedingStep.MixtureStart"/>: the point the engine centres every row on (the data mean).</summary>
    [Id(10)]
    public double[] Shift { get; init; } = [];

    /// <summary><see cref="SeedingStep.MixtureStart"/>: the engine's rows per block.</summary>
    [Id(11)]
    public int BlockSize { get; init; }

    /// <summary><see cref="SeedingStep.MixtureStart"/>: whether the engine keeps full scatter matrices.</summary>
    [Id(12)]
    public bool FullScatter { get; init; }

    /// <summary><see cref="SeedingStep.MixtureStart"/>: the mixture's covariance type (the parts travel as its statistics).</summary>
    [Id(13)]
    public Mixtures.CovarianceType Covariance { get; init; }

    /// <summary><see cref="SeedingStep.MixtureStart"/>: the shard's first row in the concatenated data.</summary>
    [Id(14)]
    public long FirstRow { get; init; }

    /// <summary>The shard's thread cap for <see cref="SeedingStep.Search"/>, <see cref="SeedingStep.Evaluate"/> and <see cref="SeedingStep.MixtureStart"/> (results do not depend on it).</summary>
    [Id(15)]
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// The units of the step (null: the rows as given): the fleet stamps the fit's <see cref="ShardFrame"/> on every step, so
    /// a K-Means start is drawn in the frame the fit runs in, as on one machine.
    /// </summary>
    [Id(20)]
    public ShardFrame? Frame { get; set; }
}
