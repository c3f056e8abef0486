using LatentModels.Statistics;

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

    /// <summary>
    /// The global index of the shard's first row (the rows of the shards before it): a K-Means shard cuts its statistics at
    /// the global superblock boundaries (<see cref="KMeansStatistics.ComputeParts"/>) so the driver's merge is the single
    /// pass's fold.
    /// </summary>
    [Id(3)]
    public long FirstRow { get; init; }

    /// <summary>
    /// When positive, with a K-Means model: the shard returns its <see cref="KMeansFarRows"/> of this capacity (the
    /// candidates for re-seeding empty clusters) instead of its statistics.
    /// </summary>
    [Id(4)]
    public int FarRowCapacity { get; init; }

    /// <summary>
    /// With a <see cref="Mixtures.GaussianMixtureModel"/> or <see cref="Variational.VariationalGaussianMixtureModel"/>: the
    /// point the engine centres every row on (the data mean of all the shards, from the first pass); the shard then
    /// returns the engine's E-step in parts cut at the global superblock boundaries (blocks of <see cref="BlockSize"/>
    /// rows, worst rows numbered globally). Null for the statistics of the model alone.
    /// </summary>
    [Id(5)]
    public double[]? Center { get; init; }

    /// <summary>With <see cref="Center"/>: the rows per block of the engine's E-step on all the shards' rows.</summary>
    [Id(6)]
    public int BlockSize { get; init; }

    /// <summary>
    /// The units the shard computes in (null: its rows as given): a K-Means or Gaussian-mixture fit on data beyond 2^±200 or
    /// far from the origin works in the range frame of all the shards' rows, as <see cref="Clustering.KMeans"/> and
    /// <see cref="Mixtures.GaussianMixture"/> do on one machine.
    /// </summary>
    [Id(20)]
    public ShardFrame? Frame { get; init; }
}
