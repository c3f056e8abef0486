namespace LatentModels.Orleans;

/// <summary>
/// A shard grain owns one partition of the data: it loads its rows from a <see cref="ShardSource"/> and, for every model
/// the driver sends, returns the spine's mergeable statistics of its rows (the E-step of that model). The grain keeps the
/// rows in memory only; when it reactivates (e.g. on another silo after its silo died) it has none and answers
/// <see cref="ShardReply.Loaded"/> = false, and the driver sends the source again.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Loads (or reloads) the shard's rows from <paramref name="source"/>.</summary>
    /// <param name="source">Where the rows are.</param>
    /// <returns>A reply without statistics: the silo and the number of rows.</returns>
    Task<ShardReply> LoadAsync(ShardSource source);

    /// <summary>Computes the statistics of the shard's rows under the model of <paramref name="work"/>.</summary>
    /// <param name="work">The model (a <see cref="ModelPayload"/>) and the thread cap.</param>
    /// <returns>The statistics (a <see cref="ModelPayload"/>), or <see cref="ShardReply.Loaded"/> = false when the grain holds no rows.</returns>
    Task<ShardReply> ComputeAsync(ShardWork work);

    /// <summary>Computes the shard's part of a seeding step (see <see cref="SeedingWork"/>).</summary>
    /// <param name="work">The step and the sums carried from the shards before.</param>
    /// <returns>The step's answer in <see cref="ShardReply.Seeding"/>, or <see cref="ShardReply.Loaded"/> = false when the grain holds no rows.</returns>
    Task<ShardReply> SeedAsync(SeedingWork work);

    /// <summary>Continues the values of a pass that reads the rows without a model (see <see cref="ScanWork"/>).</summary>
    /// <param name="work">The pass and the values carried from the shards before.</param>
    /// <returns>The values in <see cref="ShardReply.Carry"/>, or <see cref="ShardReply.Loaded"/> = false when the grain holds no rows.</returns>
    Task<ShardReply> ScanAsync(ScanWork work);
}
