using LatentModels.Persistence;
using Orleans.Placement;
using Orleans.Runtime;

namespace LatentModels.Orleans;

/// <summary>
/// The shard grain: holds its partition's rows in memory and answers the driver's E-steps (see <see cref="IShardGrain"/>).
/// Rows are never persisted: a reactivated grain reloads them from its <see cref="ShardSource"/> when the driver asks.
/// Shards are placed at random, which spreads a fit's shards over the silos.
/// </summary>
[RandomPlacement]
public sealed class ShardGrain : Grain, IShardGrain
{
    private readonly string _silo;
    private ShardData? _data;

    /// <summary>Created by Orleans on activation.</summary>
    /// <param name="silo">The hosting silo (its address is reported with every reply).</param>
    public ShardGrain(ILocalSiloDetails silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _silo = silo.SiloAddress.ToString();
    }

    /// <inheritdoc />
    public async Task<ShardReply> LoadAsync(ShardSource source)
    {
        ArgumentNullException.ThrowIfNull(source);

        // On the thread pool, not the grain's scheduler: a source may block on asynchronous I/O (Parquet.Net's reader
        // does), whose continuations would otherwise queue behind the blocked grain turn and never run.
        _data = await Task.Run(source.Load).ConfigureAwait(true);
        return Loaded();
    }

    /// <inheritdoc />
    public Task<ShardReply> SeedAsync(SeedingWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.FromResult(_data is null ? new ShardReply { Loaded = false, Silo = _silo } : Loaded(ShardSeeding.Compute(work, _data)));
    }

    private ShardReply Loaded(SeedingReply? seeding = null) =>
        new() { Loaded = true, Silo = _silo, Rows = _data!.Count, Columns = _data.Dimension, Weighted = _data.SampleWeights is not null, Seeding = seeding };

    /// <inheritdoc />
    public Task<ShardReply> ScanAsync(ScanWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.FromResult(_data is null
            ? new ShardReply { Loaded = false, Silo = _silo }
            : new ShardReply { Loaded = true, Silo = _silo, Rows = _data.Count, Carry = ShardStatistics.Scan(work, _data) });
    }

    /// <inheritdoc />
    public Task<ShardReply> ComputeAsync(ShardWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_data is null)
        {
            return Task.FromResult(new ShardReply { Loaded = false, Silo = _silo });
        }

        IReadOnlyList<ModelPayload> parts = ShardStatistics.ComputeParts(work, _data);
        return Task.FromResult(parts.Count == 1
            ? new ShardReply { Loaded = true, Statistics = parts[0], Silo = _silo, Rows = _data.Count }
            : new ShardReply { Loaded = true, Parts = [.. parts], Silo = _silo, Rows = _data.Count });
    }
}
