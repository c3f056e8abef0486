using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>
/// The starts of <see cref="MixtureInit"/> for a Gaussian-mixture fit (batch EM or variational) whose engine runs on the
/// driver, computed in the cluster: the fleet's counterpart of the out-of-core <c>GaussianMixtureSourcePasses</c> starts,
/// with one machine's draws. The centers come from the core's seedings over the shards (<see cref="DistributedSeeding"/>:
/// <see cref="KMeansSeeding.PlusPlusAsync"/>, <see cref="EmStarts.DistinctRows"/> fetched by index, the first K rows) or
/// from the distributed K-Means fit (<see cref="MixtureInit.KMeans"/>: k-means++ from a seed drawn from the start's
/// generator, then Lloyd); every shard labels its rows by the nearest center with the kernel one machine uses and returns
/// the one-hot responsibilities' statistics in the engine's blocks (<see cref="ShardMixtureStart"/>), which the driver
/// folds into the engine's totals in the engine's superblock structure before the engine's M-step.
/// </summary>
/// <remarks>
/// <see cref="MixtureInit.RandomResponsibilities"/> is not offered: one machine draws n × K uniforms from one
/// <see cref="Random"/> row by row, a stream that cannot be split among the shards (a shard would have to replay every
/// draw before its first row); it would mean sending n × K values from the driver.
/// </remarks>
internal sealed class DistributedMixtureStart
{
    private readonly ShardFleet _fleet;
    private readonly GaussianMixtureEngine _engine;
    private readonly Func<int, int, KMeansModel> _kmeans;
    private readonly int _maxDegreeOfParallelism;
    private readonly CancellationToken _cancellationToken;
    private DistributedSeeding? _seeding;

    /// <param name="fleet">The loaded shards.</param>
    /// <param name="engine">The engine on the driver (its shift, block size and totals).</param>
    /// <param name="kmeans">The distributed K-Means fit of one machine's <c>new KMeans(new KMeansOptions { Clusters = k, Seed = seed })</c> (k, seed → model).</param>
    /// <param name="maxDegreeOfParallelism">The thread cap of each shard.</param>
    /// <param name="cancellationToken">Cancels between calls.</param>
    public DistributedMixtureStart(ShardFleet fleet, GaussianMixtureEngine engine, Func<int, int, KMeansModel> kmeans, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        _fleet = fleet;
        _engine = engine;
        _kmeans = kmeans;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Throws when the start <paramref name="init"/> cannot be computed in the cluster.</summary>
    /// <exception cref="NotSupportedException"><see cref="MixtureInit.RandomResponsibilities"/>.</exception>
    public static void Check(MixtureInit init)
    {
        if (init == MixtureInit.RandomResponsibilities)
        {
            throw new NotSupportedException($"{nameof(MixtureInit)}.{nameof(MixtureInit.RandomResponsibilities)} is not computed in the cluster: one machine draws n × K uniforms " +
                "from one generator row by row, a stream the shards cannot split. Use KMeans, KMeansPlusPlus, RandomRows or First, or pass a start model.");
        }
    }

    /// <summary>
    /// The start <paramref name="init"/> other than <see cref="MixtureInit.First"/> (whose meaning depends on the fit): the
    /// in-memory <c>GaussianMixture.InitializeByMethod</c> through the shards, drawing from <paramref name="random"/> as it does.
    /// </summary>
    public void InitializeByMethod(MixtureInit init, Random random)
    {
        int k = _engine.Current.K;
        switch (init)
        {
            case MixtureInit.RandomResponsibilities:
                Check(init);
                break;
            case MixtureInit.RandomRows:
                {
                    int[] rows = EmStarts.DistinctRows(_engine.Rows, k, random);
                    StartFromLabels(KMeansSeeding.ToMatrix(Wait(Seeding().RowsAsync(rows, _cancellationToken).AsTask())), kmeans: false, random);
                    break;
                }

            case MixtureInit.KMeansPlusPlus:
                StartFromLabels(Wait(KMeansSeeding.PlusPlusAsync(Seeding(), k, random, _cancellationToken).AsTask()), kmeans: false, random);
                break;
            default:
                // One machine's start: K-Means (weighted as the fit) with a seed drawn from the start's generator.
                StartFromLabels(_kmeans(k, random.Next()).Centers, kmeans: true, random);
                break;
        }
    }

    /// <summary>The variational "first" start: every row labelled by the nearest of the first K rows, then one M-step.</summary>
    public void StartFromNearestOfFirstRows(Random random) =>
        StartFromLabels(Wait(Seeding().FirstRowsAsync(_engine.Current.K, _cancellationToken)), kmeans: false, random);

    private DistributedSeeding Seeding() => _seeding ??= Wait(DistributedSeeding.CreateAsync(_fleet, _cancellationToken));

    /// <summary>
    /// Every shard's one-hot statistics of its rows labelled by the nearest of <paramref name="centers"/> (the K-Means
    /// assignment when <paramref name="kmeans"/>), folded into the engine's totals in row order, then one M-step.
    /// </summary>
    private void StartFromLabels(double[,] centers, bool kmeans, Random random)
    {
        GaussianMixtureEngine engine = _engine;
        IReadOnlyList<int> counts = _fleet.RowCounts;
        var works = new SeedingWork[counts.Count];
        long first = 0;
        for (int s = 0; s < counts.Count; s++)
        {
            works[s] = new SeedingWork
            {
                Step = SeedingStep.MixtureStart,
                Dimension = engine.Current.D,
                Centers = centers.AsSpan().ToArray(),
                KMeansLabels = kmeans,
                Shift = (double[])engine.Current.Shift.Clone(),
                BlockSize = engine.BlockSize,
                FullScatter = engine.Totals.FullScatter,
                Covariance = engine.Current.Type,
                FirstRow = first,
                MaxDegreeOfParallelism = _maxDegreeOfParallelism,
            };
            first += counts[s];
        }

        SeedingReply[] replies = Wait(Task.WhenAll(Enumerable.Range(0, counts.Count)
            .Select(s => counts[s] == 0 ? Task.FromResult(new SeedingReply()) : _fleet.SeedAsync(s, works[s], _cancellationToken))));
        MixtureStatistics totals = engine.Totals;
        totals.Reset();
        var fold = new MixtureSuperblockFold(totals.K, totals.D, totals.FullScatter, engine.BlockSize);
        for (int s = 0; s < counts.Count; s++)
        {
            (int Start, int Count)[] pieces = [.. KMeansStatistics.PartRows(works[s].FirstRow, counts[s])];
            if (replies[s].Parts.Length != pieces.Length)
            {
                throw new DistributedFitException($"Shard {s} returned {replies[s].Parts.Length} parts of a mixture start for {counts[s]} rows.") { Shard = s };
            }

            for (int p = 0; p < pieces.Length; p++)
            {
                fold.AddPart(totals, replies[s].Parts[p].Decode<GaussianMixtureStatistics>().Totals, (works[s].FirstRow + pieces[p].Start) / KMeansStatistics.SuperblockRows);
            }
        }

        fold.Finish(totals);
        engine.MStep(random);
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
