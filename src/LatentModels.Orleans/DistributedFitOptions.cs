namespace LatentModels.Orleans;

/// <summary>How a <see cref="DistributedFit"/> talks to its shards: time-outs, bounded retries, parallelism, grain keys.</summary>
public sealed record DistributedFitOptions
{
    /// <summary>How long the driver waits for one shard call before it counts the call as failed and retries it. Default 2 minutes.</summary>
    public TimeSpan ShardTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Retries of one shard within one round (one E-step) before the fit fails with a <see cref="DistributedFitException"/>;
    /// a retry follows a time-out, a dead or unreachable silo, or a grain that lost its rows (it is reloaded from its
    /// source first). Default 10.
    /// </summary>
    public int MaxRetriesPerShard { get; init; } = 10;

    /// <summary>The pause before a retry (membership needs a moment to declare a dead silo dead). Default 500 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The thread cap of each shard's E-step on its silo (≤ 0: all cores). Results do not depend on it. Default 1.</summary>
    public int MaxDegreeOfParallelismPerShard { get; init; } = 1;

    /// <summary>
    /// The prefix of the shard grains' keys (<c>{FitId}/{shard index}</c>): fits with different ids use different grains;
    /// fits with the same id over the same sources reuse the grains and their loaded rows. Default: a new GUID.
    /// </summary>
    public string FitId { get; init; } = Guid.NewGuid().ToString("N");

    internal void Validate()
    {
        if (ShardTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ShardTimeout), ShardTimeout, "The shard time-out must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetriesPerShard, nameof(MaxRetriesPerShard));
        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "The retry delay must not be negative.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(FitId, nameof(FitId));
    }
}
