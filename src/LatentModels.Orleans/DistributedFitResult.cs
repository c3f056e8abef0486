namespace LatentModels.Orleans;

/// <summary>The outcome of a distributed fit: the model, the objective trace, and what the cluster cost.</summary>
/// <typeparam name="TModel">The model type.</typeparam>
public sealed class DistributedFitResult<TModel> where TModel : class
{
    internal DistributedFitResult(TModel model, string objectiveName, IReadOnlyList<double> trace, bool converged, int retries, int reloads,
        IReadOnlyList<string> silos, IReadOnlyList<string> shardSilos, long statisticsBytes, TimeSpan elapsed)
    {
        Model = model;
        ObjectiveName = objectiveName;
        Trace = trace;
        Converged = converged;
        Retries = retries;
        Reloads = reloads;
        Silos = silos;
        ShardSilos = shardSilos;
        StatisticsBytes = statisticsBytes;
        Elapsed = elapsed;
    }

    /// <summary>The fitted model.</summary>
    public TModel Model { get; }

    /// <summary>The name of the traced objective (e.g. <c>inertia</c>, <c>meanLogLikelihood</c>, <c>elbo</c>, <c>cost</c>).</summary>
    public string ObjectiveName { get; }

    /// <summary>The objective after every iteration.</summary>
    public IReadOnlyList<double> Trace { get; }

    /// <summary>The number of iterations run.</summary>
    public int Iterations => Trace.Count;

    /// <summary>Whether the stopping rule (rather than the iteration cap) ended the fit.</summary>
    public bool Converged { get; }

    /// <summary>Shard calls retried (time-outs, dead or unreachable silos); 0 when nothing failed.</summary>
    public int Retries { get; }

    /// <summary>Shards reloaded from their source after the first load (a reactivation, e.g. on another silo).</summary>
    public int Reloads { get; }

    /// <summary>The distinct silos that answered during the fit, in the order first seen.</summary>
    public IReadOnlyList<string> Silos { get; }

    /// <summary>The silo that answered each shard last (index = shard).</summary>
    public IReadOnlyList<string> ShardSilos { get; }

    /// <summary>The bytes of statistics the driver received (the length of their <see cref="ModelPayload"/>s, 8 bytes a double): what crossed the network towards the driver.</summary>
    public long StatisticsBytes { get; }

    /// <summary>Wall-clock time of the fit.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The rounds run: one E-step on every shard each (the iterations, plus the start's or a final one).</summary>
    public int Rounds { get; init; }

    /// <summary>
    /// Time the driver waited for the shards' replies, summed over rounds: the slowest shard's E-step, the transport and
    /// any retries.
    /// </summary>
    public TimeSpan ShardWaitTime { get; init; }

    /// <summary>
    /// Time the driver spent on its own, summed over rounds: serialising the model, parsing every shard's statistics,
    /// merging them in shard order and the update. It grows with the number of shards; where it rivals
    /// <see cref="ShardWaitTime"/> the driver is the bottleneck (docs/scale-out.md).
    /// </summary>
    public TimeSpan DriverTime { get; init; }
}
