namespace LatentModels.Orleans;

/// <summary>What a distributed fit reports after every iteration.</summary>
/// <param name="Iteration">The iteration just finished (1-based).</param>
/// <param name="MaxIterations">The iteration cap.</param>
/// <param name="Objective">The objective traced after the iteration (inertia, mean log-likelihood or log-posterior, ELBO, cost).</param>
/// <param name="Retries">Shard calls retried so far (time-outs, dead or unreachable silos).</param>
/// <param name="Reloads">Shards reloaded from their source so far (after a reactivation).</param>
/// <param name="Silos">The distinct silos that have answered so far, in the order first seen.</param>
/// <param name="ShardSilos">The silo that answered each shard last (index = shard).</param>
public sealed record DistributedFitProgress(int Iteration, int MaxIterations, double Objective, int Retries, int Reloads,
    IReadOnlyList<string> Silos, IReadOnlyList<string> ShardSilos);
