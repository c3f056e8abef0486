using System.Diagnostics;
using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.SparseCoding;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Orleans;

/// <summary>
/// The driver of distributed fits on an Orleans cluster: one <see cref="IShardGrain"/> per <see cref="ShardSource"/>, and
/// for every iteration the spine of the core library — each shard computes the statistics of its rows under the current
/// model (the E-step), the driver merges them in shard order (<see cref="MergeableStatistics.Merge{T}"/>) and takes the
/// core's update (<see cref="KMeansStatistics.ToModel"/>, <see cref="GaussianMixtureStatistics.ToModel"/>,
/// <see cref="DiscreteMixtureStatistics.ToBernoulliModel"/>, <see cref="DictionaryStatistics.ToModel"/>, …). Nothing
/// numerical happens here, so a fit gives the answer one machine gives from the same start: the same bits when every
/// shard after the first is one block of the statistics' chunk size, and otherwise the same up to rounding.
/// </summary>
/// <remarks>
/// A silo that dies mid-fit costs the retry of its shards' calls: the grains reactivate on another silo, have no rows,
/// are reloaded from their sources and answer; the round's statistics — and so the answer — are unchanged. Retries are
/// bounded (<see cref="DistributedFitOptions"/>) and reported in the progress and the result. One driver runs one fit at
/// a time.
/// </remarks>
public sealed class DistributedFit
{
    private readonly ShardFleet _fleet;
    private readonly DistributedFitOptions _options;

    /// <summary>Creates a driver over shards; nothing is loaded until the first fit.</summary>
    /// <param name="grains">The cluster client (or any grain factory).</param>
    /// <param name="shards">The shards in merge order (at least one).</param>
    /// <param name="options">Time-outs, retries and keys (defaults when null).</param>
    /// <exception cref="ArgumentException">There are no shards, one is null, or an option is invalid.</exception>
    public DistributedFit(IGrainFactory grains, IReadOnlyList<ShardSource> shards, DistributedFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0)
        {
            throw new ArgumentException("There are no shards.", nameof(shards));
        }

        for (int i = 0; i < shards.Count; i++)
        {
            if (shards[i] is null)
            {
                throw new ArgumentException($"Shard {i} is null.", nameof(shards));
            }
        }

        _options = options ?? new DistributedFitOptions();
        _options.Validate();
        _fleet = new ShardFleet(grains, shards.ToArray(), _options);
    }

    /// <summary>The number of shards.</summary>
    public int Shards => _fleet.ShardSilos.Count;

    /// <summary>
    /// The start of <see cref="KMeans"/> computed through the shards: the centers the in-memory fit with
    /// <see cref="KMeansOptions.Init"/> = <paramref name="init"/> and <see cref="KMeansOptions.Seed"/> =
    /// <paramref name="seed"/> starts from (its first start) on the concatenation of the shards' rows in shard order
    /// (weighted by the shards' sample weights, if any) — the same <see cref="Random"/> draws, rows fetched by their
    /// index in the concatenated data, and every sum of greedy k-means++ (the running potential, the candidates' block
    /// sums) continued from shard to shard in shard order. The same rows are chosen as on one machine; the candidates'
    /// potentials are the same bits when every shard but the last holds a multiple of
    /// <see cref="KMeansSeeding.PotentialBlockRows"/> rows (otherwise they agree to rounding, which can change a choice
    /// only between two candidates whose potentials tie to rounding). On data beyond 2^±200 or far from the origin relative
    /// to their spread (or weights outside [2^−20, 2^20]) the draws are made in the range frame of all the shards' rows, as
    /// on one machine, and the centers mapped back (<see cref="ShardFrame"/>).
    /// </summary>
    /// <remarks>
    /// k-means++ reads the shards 2k − 1 times (k + 1 more with sample weights) and each pass visits the shards one after
    /// another (a running sum cannot be split without changing its bits), so it costs about 2k × shards calls in sequence:
    /// cheap for tens or hundreds of shards; with thousands, fit a start on a sample instead. Random and first rows take
    /// one parallel call per shard that holds a chosen row.
    /// </remarks>
    /// <param name="clusters">K (1 ≤ K ≤ the rows).</param>
    /// <param name="init"><see cref="KMeansInit.KMeansPlusPlus"/> (the default of <see cref="KMeans"/>), <see cref="KMeansInit.RandomRows"/> or <see cref="KMeansInit.First"/>.</param>
    /// <param name="seed">The seed of <see cref="KMeansOptions.Seed"/>.</param>
    /// <param name="cancellationToken">Cancels between calls.</param>
    /// <returns>The starting centers (inertia not computed: NaN).</returns>
    /// <exception cref="ArgumentOutOfRangeException">K is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="init"/> is <see cref="KMeansInit.Explicit"/> (the start is then given).</exception>
    public async Task<KMeansModel> KMeansStartAsync(int clusters, KMeansInit init = KMeansInit.KMeansPlusPlus, int seed = 0, CancellationToken cancellationToken = default)
    {
        if (init is not (KMeansInit.KMeansPlusPlus or KMeansInit.RandomRows or KMeansInit.First))
        {
            throw new ArgumentException($"There is no start to compute for {init}: pass the centers to {nameof(FitKMeansAsync)}.", nameof(init));
        }

        RangeFrame frame = await KMeansFrameAsync(cancellationToken).ConfigureAwait(false);
        double[,] centers;
        try
        {
            DistributedSeeding data = await DistributedSeeding.CreateAsync(_fleet, cancellationToken).ConfigureAwait(false);
            centers = init switch
            {
                KMeansInit.KMeansPlusPlus => await KMeansSeeding.PlusPlusAsync(data, clusters, new Random(seed), cancellationToken).ConfigureAwait(false),
                KMeansInit.RandomRows => await KMeansSeeding.RandomRowsAsync(data, clusters, new Random(seed), cancellationToken).ConfigureAwait(false),
                _ => await data.FirstRowsAsync(clusters, cancellationToken).ConfigureAwait(false),
            };
        }
        finally
        {
            _fleet.Frame = null;
        }

        frame.FromFrame(centers.AsWritableSpan(), centers.GetLength(1));
        return new KMeansModel(centers);
    }

    /// <summary>
    /// Loads the shards (their load replies carry the range pass) and sets the fleet's units to the K-Means range frame of
    /// all their rows and weights — the frame <see cref="KMeans"/> fits in on one machine; the caller resets
    /// <see cref="ShardFleet.Frame"/> to null when done. Returns the frame (the identity for ordinary data and weights).
    /// </summary>
    private async Task<RangeFrame> KMeansFrameAsync(CancellationToken cancellationToken)
    {
        await _fleet.LoadAsync(cancellationToken).ConfigureAwait(false);
        _fleet.Frame = ShardFrame.Of(_fleet.DataFrame, _fleet.WeightExponent);
        return _fleet.Frame is null ? RangeFrame.Identity : _fleet.DataFrame;
    }

    /// <summary>
    /// Lloyd's K-Means from <paramref name="start"/>, the fit of <see cref="KMeans"/> (in memory or out of core) on the
    /// shards' rows in order: each iteration one assignment step on every shard (<see cref="KMeansStatistics"/>, cut at the
    /// global superblock boundaries and merged in the fixed fold), its inertia traced, then the update to the clusters'
    /// means — a cluster without weight takes the farthest row of a cluster that can spare it (one more round,
    /// <see cref="KMeansFarRows"/>). Stops when the total squared center shift is at most <paramref name="tolerance"/> × the
    /// mean column variance pooled from the first statistics (<see cref="KMeansStatistics.MeanColumnVariance"/>) — a shift
    /// of 0, i.e. labels that no longer change, always stops. A last assignment step gives the returned model its inertia.
    /// When every shard starts at a multiple of <see cref="KMeansStatistics.SuperblockRows"/> rows (or is one block of
    /// <see cref="KMeansStatistics.ChunkSize"/> rows), the iterations, trace, centers and inertia are <see cref="KMeans"/>'s
    /// from the same start bit for bit; other cuts agree to rounding. Data beyond 2^±200 or far from the origin relative to
    /// their spread, and weights outside [2^−20, 2^20], are fitted in the range frame of all the shards' rows as
    /// <see cref="KMeans"/> fits them (<see cref="ShardFrame"/>: the start mapped in; centers, trace and progress mapped
    /// back; the inertia that of the returned centers on the caller's rows, summed as <see cref="KMeans"/> sums it, by one
    /// more round or pass): the same bits.
    /// </summary>
    /// <param name="start">The starting centers (e.g. <see cref="KMeansStartAsync"/>: the in-memory fit's start, computed through the shards; for
    /// <see cref="KMeans"/>' whole fit, start and restarts included and kept in the range frame, use
    /// <see cref="FitKMeansAsync(KMeansOptions, IProgress{DistributedFitProgress}?, CancellationToken)"/>).</param>
    /// <param name="maxIterations">Assignment steps at most (≥ 1).</param>
    /// <param name="tolerance">Relative tolerance on the center shift (≥ 0; 0: stop only at a fixed point).</param>
    /// <param name="progress">Optional per-iteration report (also where a caller can act between iterations).</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    public Task<DistributedFitResult<KMeansModel>> FitKMeansAsync(KMeansModel start, int maxIterations = 300, double tolerance = 1e-4,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        KMeansFitAsync(start, maxIterations, tolerance, progress, beginFit: true, cancellationToken);

    /// <summary>
    /// The distributed twin of <c>new KMeans(<paramref name="options"/>).Fit(rows[, weights])</c> on the concatenation of the
    /// shards' rows in shard order (weighted by their sample weights, if any): every start of <paramref name="options"/>
    /// computed through the shards in the fit's units — <see cref="KMeansInit.KMeansPlusPlus"/> (the default),
    /// <see cref="KMeansInit.RandomRows"/> and <see cref="KMeansInit.First"/> as <see cref="KMeansStartAsync"/> computes them
    /// but drawn and kept in the range frame (no round trip through the caller's units), <see cref="KMeansInit.Explicit"/>
    /// taking <see cref="KMeansOptions.InitialCenters"/> mapped into the frame as <see cref="KMeans"/> maps them — then Lloyd's
    /// iterations of <see cref="FitKMeansAsync(KMeansModel, int, double, IProgress{DistributedFitProgress}?, CancellationToken)"/>
    /// with <see cref="KMeansOptions.MaxIterations"/> (0: the start itself, with the inertia of the assignment to it) and
    /// <see cref="KMeansOptions.Tolerance"/>. <see cref="KMeansOptions.Starts"/> random starts draw from one generator seeded
    /// with <see cref="KMeansOptions.Seed"/>, one after another, and the start of lowest inertia (in the fit's units, the
    /// first on ties) wins, as in <see cref="KMeans"/>. <see cref="KMeansOptions.Algorithm"/> does not matter (the
    /// accelerated iteration returns Lloyd's bits; the cluster runs Lloyd), nor does
    /// <see cref="KMeansOptions.MaxDegreeOfParallelism"/> (the shards' cap is <see cref="DistributedFitOptions"/>'). On shards
    /// that start at superblock boundaries (or are one block of <see cref="KMeansStatistics.ChunkSize"/> rows each) and
    /// multiples of <see cref="KMeansSeeding.PotentialBlockRows"/> rows for k-means++, the centers, inertia, iterations,
    /// convergence and trace are <see cref="KMeans"/>'s bit for bit, data of any finite range or position included; other
    /// cuts agree to rounding. The labels are not gathered to the driver: <see cref="KMeansModel.Predict(double[,])"/> of the
    /// returned model on a shard's rows gives <see cref="KMeans"/>' labels of them.
    /// </summary>
    /// <param name="options">The settings of the in-memory fit.</param>
    /// <param name="progress">Optional per-iteration report (every start's iterations, in the caller's units).</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="ArgumentException">The options do not fit the data (e.g. more clusters than rows, explicit centers of another shape).</exception>
    /// <exception cref="NotSupportedException">A drawn start on shards holding more than <see cref="int.MaxValue"/> rows (as on one machine).</exception>
    public async Task<DistributedFitResult<KMeansModel>> FitKMeansAsync(KMeansOptions options, IProgress<DistributedFitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        KMeansOptions o = options;
        await _fleet.LoadAsync(cancellationToken).ConfigureAwait(false);
        o.Validate((int)Math.Min(_fleet.TotalRows, int.MaxValue), _fleet.Columns);
        var random = new Random(o.Seed);
        int starts = o.Init is KMeansInit.First or KMeansInit.Explicit ? 1 : o.Starts;
        return await KMeansFitAsync(async (frame, _) =>
        {
            if (o.Init == KMeansInit.Explicit)
            {
                return new KMeansModel(frame.ToFrame(o.InitialCenters!));
            }

            DistributedSeeding data = await DistributedSeeding.CreateAsync(_fleet, cancellationToken).ConfigureAwait(false); // per start: it keeps the chosen centers
            double[,] centers = o.Init switch
            {
                KMeansInit.RandomRows => await KMeansSeeding.RandomRowsAsync(data, o.Clusters, random, cancellationToken).ConfigureAwait(false),
                KMeansInit.First => await data.FirstRowsAsync(o.Clusters, cancellationToken).ConfigureAwait(false),
                _ => await KMeansSeeding.PlusPlusAsync(data, o.Clusters, random, cancellationToken).ConfigureAwait(false),
            };
            return new KMeansModel(centers, double.NaN);
        }, starts, o.MaxIterations, o.Tolerance, progress, beginFit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="FitKMeansAsync(KMeansModel, int, double, IProgress{DistributedFitProgress}?, CancellationToken)"/>; <paramref name="beginFit"/> = false keeps the fleet's counters running (a K-Means fit inside another fit's start).</summary>
    private async Task<DistributedFitResult<KMeansModel>> KMeansFitAsync(KMeansModel start, int maxIterations, double tolerance,
        IProgress<DistributedFitProgress>? progress, bool beginFit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        CheckTolerance(tolerance);
        // The caller's centers mapped into the fit's units (unchanged when the fleet computes on the rows as given).
        return await KMeansFitAsync((frame, framed) => Task.FromResult(framed ? new KMeansModel(frame.ToFrame(start.Centers)) : start),
            1, maxIterations, tolerance, progress, beginFit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The K-Means fit in the range frame of all the shards' rows (<see cref="KMeansFrameAsync"/>), as <see cref="KMeans"/>
    /// fits on one machine: <paramref name="starts"/> times a start in the fleet's units from <paramref name="start"/> (given
    /// the frame and whether the fleet computes in one) and Lloyd's iterations from it, the start of lowest inertia kept (the
    /// first on ties); then the centers, trace and progress mapped back and the inertia that of the returned centers on the
    /// caller's rows (<see cref="CallerInertiaAsync"/>), as <c>KMeansFraming</c> maps them.
    /// </summary>
    private async Task<DistributedFitResult<KMeansModel>> KMeansFitAsync(Func<RangeFrame, bool, Task<KMeansModel>> start, int starts, int maxIterations,
        double tolerance, IProgress<DistributedFitProgress>? progress, bool beginFit, CancellationToken cancellationToken)
    {
        CheckTolerance(tolerance);
        RangeFrame frame = await KMeansFrameAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        if (beginFit)
        {
            _fleet.BeginFit();
        }

        bool framed = _fleet.Frame is not null;
        int weightExponent = _fleet.Frame?.WeightExponent ?? 0;
        int exponent = 2 * frame.Exponent + weightExponent;
        try
        {
            IProgress<DistributedFitProgress>? report = progress is null || !framed ? progress : new ScaledProgress(progress, exponent);
            DistributedFitResult<KMeansModel>? best = null;
            for (int s = 0; s < starts; s++)
            {
                KMeansModel initial = await start(frame, framed).ConfigureAwait(false);
                if (initial.Dimension != _fleet.Columns)
                {
                    throw new ArgumentException($"The start has {initial.Dimension} columns; the shards' rows have {_fleet.Columns}.", "start");
                }

                DistributedFitResult<KMeansModel> r = await LloydAsync(initial, maxIterations, tolerance, report, beginFit: false, cancellationToken).ConfigureAwait(false);
                if (best is null || r.Model.Inertia < best.Model.Inertia)
                {
                    best = r;
                }
            }

            KMeansModel model = best!.Model;
            IReadOnlyList<double> trace = best.Trace;
            if (framed)
            {
                double[,] centers = model.Centers;
                frame.FromFrame(centers.AsWritableSpan(), centers.GetLength(1));
                double inertia = await CallerInertiaAsync(new KMeansModel(centers, double.NaN), weightExponent, cancellationToken).ConfigureAwait(false);
                model = new KMeansModel(centers, inertia);
                trace = [.. trace.Select(v => Math.ScaleB(v, exponent))];
            }

            return new DistributedFitResult<KMeansModel>(model, best.ObjectiveName, trace, best.Converged, _fleet.Retries, _fleet.Reloads, _fleet.Silos, _fleet.ShardSilos,
                _fleet.StatisticsBytes, clock.Elapsed)
            {
                Rounds = _fleet.Rounds,
                ShardWaitTime = _fleet.WaitTime,
                DriverTime = _fleet.DriverTime,
            };
        }
        finally
        {
            _fleet.Frame = null;
        }
    }

    /// <summary>
    /// The inertia of the returned centers on the caller's rows, as <see cref="KMeans"/> reports a framed fit's
    /// (<c>KMeansModel.WeightedInertiaOf</c> with the weights divided by 2^<paramref name="weightExponent"/>, scaled back in one
    /// step): from the statistics of one more round when the centers' own frame is the identity and nothing can overflow,
    /// else row by row in the global blocks of <c>LloydEngine.BlockSizeFor(n)</c> rows, one pass visiting the shards in
    /// order and continuing the open block's sum from shard to shard — so the same bits as one machine for any cuts.
    /// </summary>
    private async Task<double> CallerInertiaAsync(KMeansModel probe, int weightExponent, CancellationToken cancellationToken)
    {
        _fleet.Frame = weightExponent == 0 ? null : new ShardFrame { WeightExponent = weightExponent };
        if (probe.InertiaFromStatistics(_fleet.LargestMagnitude))
        {
            KMeansStatistics s = await MergedAsync<KMeansStatistics>(probe, 0, cancellationToken).ConfigureAwait(false);
            return Math.ScaleB(s.Inertia, weightExponent);
        }

        int blockSize = LloydEngine.BlockSizeFor(checked((int)_fleet.TotalRows));
        double[] centers = [.. probe.CentersSpan];
        var sums = new List<double>();
        long first = 0;
        for (int shard = 0; shard < _fleet.RowCounts.Count; shard++)
        {
            int rows = _fleet.RowCounts[shard];
            if (rows == 0)
            {
                continue;
            }

            long firstBlock = first / blockSize;
            double carry = firstBlock < sums.Count ? sums[(int)firstBlock] : 0;
            SeedingReply reply = await _fleet.SeedAsync(shard, new SeedingWork
            {
                Step = SeedingStep.KMeansInertia,
                Dimension = probe.Dimension,
                Centers = centers,
                FirstRow = first,
                BlockSize = blockSize,
                RunStart = carry,
            }, cancellationToken).ConfigureAwait(false);
            for (int j = 0; j < reply.BlockOrder.Length; j++)
            {
                int block = (int)(firstBlock + j);
                if (block < sums.Count)
                {
                    sums[block] = reply.BlockOrder[j];
                }
                else
                {
                    sums.Add(reply.BlockOrder[j]);
                }
            }

            first += rows;
        }

        double total = 0;
        foreach (double v in sums)
        {
            total += v;
        }

        return Math.ScaleB(total, probe.RowInertiaExponent + weightExponent);
    }

    /// <summary>Progress whose objective is mapped back to the caller's units (× 2^exponent).</summary>
    private sealed class ScaledProgress(IProgress<DistributedFitProgress> inner, int exponent) : IProgress<DistributedFitProgress>
    {
        public void Report(DistributedFitProgress value) => inner.Report(value with { Objective = Math.ScaleB(value.Objective, exponent) });
    }

    /// <summary>Lloyd's iterations of <see cref="FitKMeansAsync(KMeansModel, int, double, IProgress{DistributedFitProgress}?, CancellationToken)"/> in the fleet's units.</summary>
    private Task<DistributedFitResult<KMeansModel>> LloydAsync(KMeansModel start, int maxIterations, double tolerance,
        IProgress<DistributedFitProgress>? progress, bool beginFit, CancellationToken cancellationToken)
    {
        double threshold = 0;
        return IterateAsync(start, maxIterations, tolerance, "inertia", prepare: null, async (model, iteration) =>
        {
            KMeansStatistics s = await MergedAsync<KMeansStatistics>(model, iteration, cancellationToken).ConfigureAwait(false);
            if (iteration == 1)
            {
                threshold = tolerance > 0 ? tolerance * s.MeanColumnVariance : 0;
            }

            KMeansModel next = s.EmptyClusters == 0 ? Timed(s.ToModel) : await RelocatedAsync(s, model, iteration, cancellationToken).ConfigureAwait(false);
            return (next, s.Inertia, SquaredShift(model.Centers, next.Centers) <= threshold);
        }, async (model, rounds) => (await MergedAsync<KMeansStatistics>(model, rounds + 1, cancellationToken).ConfigureAwait(false)).AssignmentModel(),
        progress, cancellationToken, beginFit);
    }

    /// <summary>
    /// The start <see cref="MixtureInit.KMeans"/> of a Gaussian mixture on one machine — <c>new KMeans(new KMeansOptions {
    /// Clusters = k, Seed = seed })</c> on the (weighted) rows — through the shards: its k-means++ start
    /// (<see cref="KMeansStartAsync"/>) and its Lloyd iterations with the default cap and tolerance, the fleet's counters
    /// running on (the K-Means rounds count as the mixture fit's).
    /// </summary>
    private async Task<KMeansModel> MixtureKMeansAsync(int k, int seed, CancellationToken cancellationToken)
    {
        var o = new KMeansOptions { Clusters = k, Seed = seed };
        ShardFrame? mixture = _fleet.Frame;
        if (mixture is null)
        {
            // The mixture fits the rows as given: K-Means in its own frame of them (weights alone, at most), as one machine.
            KMeansModel start = await KMeansStartAsync(k, o.Init, o.Seed, cancellationToken).ConfigureAwait(false);
            return (await KMeansFitAsync(start, o.MaxIterations, o.Tolerance, progress: null, beginFit: false, cancellationToken).ConfigureAwait(false)).Model;
        }

        // One machine runs this K-Means on the mixture-framed rows and weights (GaussianMixture's start inside
        // GaussianMixtureFraming): K-Means' own frame of those rows, composed with the mixture's; its centers stay in the
        // mixture's units, where the shards label their rows next.
        _fleet.Frame = MixtureKMeansFrame(mixture);
        try
        {
            DistributedSeeding data = await DistributedSeeding.CreateAsync(_fleet, cancellationToken).ConfigureAwait(false);
            double[,] centers = await KMeansSeeding.PlusPlusAsync(data, k, new Random(o.Seed), cancellationToken).ConfigureAwait(false);
            return (await LloydAsync(new KMeansModel(centers), o.MaxIterations, o.Tolerance, progress: null, beginFit: false, cancellationToken).ConfigureAwait(false)).Model;
        }
        finally
        {
            _fleet.Frame = mixture;
        }
    }

    /// <summary>
    /// The units of one machine's K-Means start inside a mixture fit in the frame <paramref name="mixture"/>: K-Means' range
    /// frame of the mixture-framed rows (<c>RangeFrame.ForRows</c>, from the loads' column extremes mapped through the
    /// mixture's frame — exact, the map being monotone) and the power of two it divides the mixture-divided weights by. The
    /// mixture's frame brings the rows into the ordinary range and centres them, so K-Means' frame of them is the identity
    /// and only a weight exponent may add up (weights kept as counts beyond 2^20); the mixture's frame with the summed
    /// exponent.
    /// </summary>
    /// <exception cref="NotSupportedException">K-Means' frame of the framed rows is not the identity (a second change of units the shards cannot compose).</exception>
    private ShardFrame MixtureKMeansFrame(ShardFrame mixture)
    {
        int d = _fleet.Columns;
        RangeFrame outer = RangeFrame.Of(mixture.Prescale, mixture.Centre, mixture.Scale);
        double[] min = [.. _fleet.ColumnMinima], max = [.. _fleet.ColumnMaxima];
        outer.ToFrame(min, min, d);
        outer.ToFrame(max, max, d);
        double largest = 0;
        for (int p = 0; p < d; p++)
        {
            largest = Math.Max(largest, Math.Max(Math.Abs(min[p]), Math.Abs(max[p])));
        }

        if (!RangeFrame.FromExtremes(largest, min, max).IsIdentity)
        {
            throw new NotSupportedException("The rows in the mixture's range frame would be rescaled again by K-Means' start; "
                + "the K-Means start computed in the cluster does not compose two frames: use Init = KMeansPlusPlus, RandomRows or First, or give a start (InitialModel).");
        }

        int weights = _fleet.Weighted ? RangeFrame.WeightExponentOfMax(Math.ScaleB(_fleet.LargestWeight, -mixture.WeightExponent)) : 0;
        return weights == 0 ? mixture : new ShardFrame { Prescale = mixture.Prescale, Centre = mixture.Centre, Scale = mixture.Scale, WeightExponent = mixture.WeightExponent + weights };
    }

    /// <summary>
    /// Batch EM of a Gaussian mixture from <paramref name="start"/> under the rule of <paramref name="options"/> — maximum
    /// likelihood (plus <see cref="GaussianMixtureOptions.Regularization"/>) or MAP under
    /// <see cref="GaussianMixtureOptions.Prior"/> — for any <see cref="GaussianMixtureOptions.Covariance"/>: the fit of
    /// <see cref="GaussianMixture"/> with <see cref="GaussianMixtureOptions.InitialModel"/> = <paramref name="start"/> on the
    /// shards' rows in order. Its engine runs on the driver (M-step, stopping rule, objective, the re-seeding of a component
    /// that lost its weight at the worst-explained row, fetched from its shard); a first pass continues the data moments
    /// from shard to shard (the engine's centre and the MAP prior's defaults), and every E-step runs on the shards in the
    /// engine's blocks, cut at the global superblock boundaries and folded in the engine's order. When every shard starts at
    /// a multiple of <see cref="KMeansStatistics.SuperblockRows"/> rows (or is one E-step block), the iterations, trace and
    /// model are <see cref="GaussianMixture"/>'s from the same start bit for bit; other cuts agree to rounding.
    /// </summary>
    /// <remarks>Data beyond 2^±200 (about 1e±60), far from the origin relative to its spread, or with extreme weights are fitted in
    /// one machine's range frame (<c>RangeFrame</c>, from the extremes the shards report when they load): every call carries it
    /// (<see cref="ShardFrame"/>), the shards map their rows
    /// (keeping the mapped copy), and the mixture and trace are mapped back — the same bits as one machine.</remarks>
    /// <param name="start">The starting mixture (its covariance type, K and dimension must match the options and the shards).</param>
    /// <param name="options">The rule and the stopping settings (starts, init and seed of a start are not used: the start is
    /// given; <see cref="GaussianMixtureOptions.Seed"/> draws the rows a second empty component is re-seeded at, as in memory).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="ArgumentException">The start does not match the options or the shards, or the options do not fit the data.</exception>
    /// <exception cref="FittingException">A covariance is not positive definite.</exception>
    public async Task<DistributedFitResult<GaussianMixtureModel>> FitGaussianMixtureAsync(GaussianMixtureModel start, GaussianMixtureOptions options,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(options);
        if (start.Components != options.Components || start.CovarianceType != options.Covariance)
        {
            throw new ArgumentException($"The start has {start.Components} {start.CovarianceType} components; the options ask for {options.Components} {options.Covariance}.", nameof(start));
        }

        GaussianMixtureOptions o = options with { InitialModel = start, InitialWeights = null, InitialMeans = null, InitialPrecisions = null, Starts = 1 };
        return await GaussianMixtureFitAsync(o, start.Dimension,
            (engine, framed, _) => _ => engine.InitializeFrom(framed.InitialModel!.Parameters), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Batch EM of a Gaussian mixture with the start of <paramref name="options"/> computed in the cluster: the fit of
    /// <see cref="GaussianMixture"/>(<paramref name="options"/>) on the shards' rows in order — its
    /// <see cref="GaussianMixtureOptions.InitialModel"/> or initial parameters if given, else its
    /// <see cref="GaussianMixtureOptions.Init"/> with <see cref="GaussianMixtureOptions.Seed"/> and
    /// <see cref="GaussianMixtureOptions.Starts"/> — with the engine, E-steps and M-steps of
    /// <see cref="FitGaussianMixtureAsync(GaussianMixtureModel, GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>.
    /// The starts are one machine's draws and arithmetic through the shards: <see cref="MixtureInit.KMeans"/> (the default)
    /// fits K-Means in the cluster (k-means++ from a seed drawn from the start's generator, then Lloyd:
    /// <see cref="KMeansStartAsync"/> and <see cref="FitKMeansAsync(KMeansModel, int, double, IProgress{DistributedFitProgress}?, CancellationToken)"/>), every shard labels its rows by K-Means'
    /// assignment and returns the one-hot responsibilities' statistics in the engine's blocks, and the engine takes one
    /// M-step; <see cref="MixtureInit.KMeansPlusPlus"/> and <see cref="MixtureInit.RandomRows"/> draw the centers as one
    /// machine does (k-means++ through the shards; distinct row indices fetched from their shards) and label by the nearest
    /// center; <see cref="MixtureInit.First"/> reads the first K rows. The start, and so the fit, is
    /// <see cref="GaussianMixture"/>'s bit for bit when the shards align with the engine's blocks (every shard one E-step
    /// block, or starting at a superblock boundary) and the seeding's blocks; otherwise to rounding.
    /// </summary>
    /// <remarks>
    /// <see cref="MixtureInit.RandomResponsibilities"/> is not offered: one machine draws n × K uniforms from one generator
    /// row by row, a stream the shards cannot split without replaying it. On data one machine fits in a range frame (see
    /// <see cref="FitGaussianMixtureAsync(GaussianMixtureModel, GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>)
    /// the starts read the rows through that frame as one machine does: <see cref="MixtureInit.KMeans"/> runs the distributed
    /// K-Means on the framed rows and weights (K-Means' own frame of them, the identity but for a further power of two of
    /// the weights kept as counts), as <see cref="GaussianMixture"/> runs its K-Means start inside its frame — the same bits.
    /// </remarks>
    /// <param name="options">The mixture's settings, start included.</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="NotSupportedException">The start is <see cref="MixtureInit.RandomResponsibilities"/>.</exception>
    /// <exception cref="ArgumentException">The options do not fit the data.</exception>
    /// <exception cref="FittingException">A covariance is not positive definite.</exception>
    public async Task<DistributedFitResult<GaussianMixtureModel>> FitGaussianMixtureAsync(GaussianMixtureOptions options,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        GaussianMixtureOptions o = options;
        if (o.InitialModel is null && !(o.InitialWeights is not null && o.InitialMeans is not null && o.InitialPrecisions is not null))
        {
            DistributedMixtureStart.Check(o.Init);
        }

        return await GaussianMixtureFitAsync(o, o.InitialModel?.Dimension, (engine, framed, start) => random => GaussianMixture.Initialize(engine, framed, () =>
        {
            if (o.Init == MixtureInit.First)
            {
                engine.InitializeFirst();
            }
            else
            {
                start.InitializeByMethod(o.Init, random);
            }
        }), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The distributed fit of <see cref="GaussianMixture"/>(<paramref name="o"/>): the range frame and the data moments through
    /// the shards, the engine and <c>EmDriver</c> on the driver (off the caller's context), every E-step on the shards, each
    /// start by <paramref name="start"/> (given the engine, the options in the fit's units and the cluster's starts), the
    /// result mapped back from the range frame as one machine maps it.
    /// </summary>
    private async Task<DistributedFitResult<GaussianMixtureModel>> GaussianMixtureFitAsync(GaussianMixtureOptions o, int? modelDimension,
        Func<GaussianMixtureEngine, GaussianMixtureOptions, DistributedMixtureStart, Action<Random>> start, IProgress<DistributedFitProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(o.MaxIterations, "options");
        CheckTolerance(o.Tolerance);
        var clock = Stopwatch.StartNew();
        _fleet.BeginFit();
        var passes = new GaussianShardPasses(_fleet, cancellationToken);
        (RangeFrame frame, int shift, int n, int d) = await passes.FrameAsync(counts: o.Prior is not null).ConfigureAwait(false);
        try
        {
            if (modelDimension is int m)
            {
                CheckDimension(m, d);
            }

            o.Validate(n, d);
            GaussianMixtureOptions inFrame = frame.IsIdentity ? o : GaussianMixtureFraming.ToFrame(o, frame, d); // as GaussianMixtureFraming.Fit
            WeightedMoments moments = await passes.MomentsAsync(GaussianMixtureEngine.NeedsFullDataScatter(inFrame)).ConfigureAwait(false);
            return await Task.Run(() =>
            {
                var engine = new GaussianMixtureEngine(n, d, moments, inFrame, passes.RowAt);
                var run = new GaussianBatchRun(engine, start(engine, inFrame, Starts(engine, cancellationToken)), () => passes.EStep(engine, new GaussianMixtureModel(engine.Current)));
                (GaussianComponents best, FitReport report) = EmDriver.Run(run, inFrame.Starts, inFrame.Seed, inFrame.MaxIterations, inFrame.Tolerance, engine.Rule.ObjectiveName,
                    new ForwardProgress(this, progress), cancellationToken, clock);
                var model = new GaussianMixtureModel(best);
                if (!frame.IsIdentity)
                {
                    (model, report) = (GaussianMixtureFraming.FromFrame(model, frame), GaussianMixtureFraming.FromFrame(report, frame, d));
                }

                return Result(model, report.ObjectiveName, [.. report.ObjectiveTrace], report.Converged, clock);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            passes.EndFrame(); // the rows as given for the next fit
        }
    }

    /// <summary>The starts of <see cref="MixtureInit"/> through the shards for <paramref name="engine"/> (its K-Means start the distributed K-Means fit).</summary>
    private DistributedMixtureStart Starts(GaussianMixtureEngine engine, CancellationToken cancellationToken) =>
        new(_fleet, engine, (k, seed) => MixtureKMeansAsync(k, seed, cancellationToken).GetAwaiter().GetResult(), _options.MaxDegreeOfParallelismPerShard, cancellationToken);

    /// <summary>
    /// Variational Bayes of a Gaussian mixture from the posterior <paramref name="start"/>: the fit of
    /// <see cref="VariationalGaussianMixture"/> warm-started from it (<see cref="VariationalGaussianMixtureOptions.InitialModel"/>)
    /// on the shards' rows in order — its engine, variational update, ELBO and stopping rule on the driver (the first change
    /// of the ELBO never stops, as for a warm start; the fit stops in the iteration whose ELBO changed by less than
    /// <see cref="VariationalGaussianMixtureOptions.Tolerance"/>), the data moments (the prior's defaults and the centre)
    /// and every variational E-step on the shards as for <see cref="FitGaussianMixtureAsync(GaussianMixtureModel, GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>: bit for bit on shards that
    /// start at superblock boundaries (or are one E-step block each), to rounding otherwise.
    /// </summary>
    /// <remarks>Data of extreme range are fitted in one machine's range frame (see
    /// <see cref="FitGaussianMixtureAsync(GaussianMixtureModel, GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>);
    /// the posterior, ELBO and trace are mapped back as one machine maps them.</remarks>
    /// <param name="start">The starting posterior (e.g. a short fit on a sample, or a previous fit).</param>
    /// <param name="options">The prior (unset hyper-parameters resolve from the data's moments, computed through the shards) and
    /// the stopping settings; K, covariance type and weight prior must match <paramref name="start"/>.</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="ArgumentException">The start does not match the options or the shards, or the options do not fit the data.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite.</exception>
    public async Task<DistributedFitResult<VariationalGaussianMixtureModel>> FitVariationalGaussianMixtureAsync(VariationalGaussianMixtureModel start,
        VariationalGaussianMixtureOptions options, IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(options);
        if (start.Components != options.Components || start.CovarianceType != options.Covariance || start.WeightPrior != options.WeightPrior)
        {
            throw new ArgumentException($"The start has {start.Components} {start.CovarianceType} components with a {start.WeightPrior} weight prior; the options ask for {options.Components} {options.Covariance} with {options.WeightPrior}.", nameof(start));
        }

        VariationalGaussianMixtureOptions o = options with { InitialModel = start, Starts = 1 };
        return await VariationalFitAsync(o, start.Dimension, _ => _ => throw new InvalidOperationException("The distributed fit is warm-started."), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Variational Bayes of a Gaussian mixture with the start of <paramref name="options"/> computed in the cluster: the fit
    /// of <see cref="VariationalGaussianMixture"/>(<paramref name="options"/>) on the shards' rows in order — its
    /// <see cref="VariationalGaussianMixtureOptions.InitialModel"/> if given (a warm start), else its
    /// <see cref="VariationalGaussianMixtureOptions.Init"/> with its seed and starts — with the engine, E-steps and updates of
    /// <see cref="FitVariationalGaussianMixtureAsync(VariationalGaussianMixtureModel, VariationalGaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>.
    /// The starts are those of <see cref="FitGaussianMixtureAsync(GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>
    /// (K-Means in the cluster, k-means++, random rows; <see cref="MixtureInit.First"/> labels every row by the nearest of
    /// the first K rows, as the variational fit does) followed by the variational update: bit for bit on aligned shards,
    /// to rounding otherwise.
    /// </summary>
    /// <remarks><see cref="MixtureInit.RandomResponsibilities"/> is not offered (see <see cref="FitGaussianMixtureAsync(GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>). On data one machine fits in a range frame, every start (the K-Means one included) reads the rows through the frame, as one machine.</remarks>
    /// <param name="options">The prior, the start and the stopping settings.</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="NotSupportedException">The start is <see cref="MixtureInit.RandomResponsibilities"/>.</exception>
    /// <exception cref="ArgumentException">The options do not fit the data.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite.</exception>
    public async Task<DistributedFitResult<VariationalGaussianMixtureModel>> FitVariationalGaussianMixtureAsync(VariationalGaussianMixtureOptions options,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        VariationalGaussianMixtureOptions o = options;
        if (o.InitialModel is null)
        {
            DistributedMixtureStart.Check(o.Init);
        }

        return await VariationalFitAsync(o, o.InitialModel?.Dimension, start => random =>
        {
            if (o.Init == MixtureInit.First)
            {
                start.StartFromNearestOfFirstRows(random);
            }
            else
            {
                start.InitializeByMethod(o.Init, random);
            }
        }, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The distributed fit of <see cref="VariationalGaussianMixture"/>(<paramref name="o"/>), each start by <paramref name="start"/>.</summary>
    private async Task<DistributedFitResult<VariationalGaussianMixtureModel>> VariationalFitAsync(VariationalGaussianMixtureOptions o, int? modelDimension,
        Func<DistributedMixtureStart, Action<Random>> start, IProgress<DistributedFitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(o.MaxIterations, "options");
        CheckTolerance(o.Tolerance);
        var clock = Stopwatch.StartNew();
        _fleet.BeginFit();
        var passes = new GaussianShardPasses(_fleet, cancellationToken);
        (RangeFrame frame, int shift, int n, int d) = await passes.FrameAsync(counts: true).ConfigureAwait(false);
        try
        {
            if (modelDimension is int m)
            {
                CheckDimension(m, d);
            }

            o.Validate(n, d);
            VariationalGaussianMixtureOptions inFrame = frame.IsIdentity ? o : VariationalGaussianMixtureFraming.ToFrame(o, frame, d); // as VariationalGaussianMixtureFraming.Fit
            WeightedMoments moments = await passes.MomentsAsync(GaussianMixtureEngine.NeedsFullDataScatter(inFrame.EngineOptions())).ConfigureAwait(false);
            (VariationalGaussianMixtureModel model, FitReport report) = await Task.Run(() =>
            {
                var engine = new GaussianMixtureEngine(n, d, moments, inFrame.EngineOptions(), passes.RowAt,
                    (dataMoments, centre) => VariationalGaussianMixture.CreateRule(inFrame, dataMoments, centre, d, dataParameter: "shards"));
                var rule = (VariationalGaussianUpdate)engine.Rule;
                var run = new VariationalBatchRun(engine, inFrame, start(Starts(engine, cancellationToken)),
                    () => passes.EStep(engine, VariationalGaussianMixtureModel.FromPosterior(rule, engine.Current, double.NaN, double.NaN)));
                return EmDriver.Run(run, inFrame.Starts, inFrame.Seed, inFrame.MaxIterations, inFrame.Tolerance, engine.Rule.ObjectiveName,
                    new ForwardProgress(this, progress), cancellationToken, clock, stopAtOnce: true);
            }, cancellationToken).ConfigureAwait(false);
            if (!frame.IsIdentity || shift != 0)
            {
                // The bound's offset needs the total weight summed in row order, as one machine sums it.
                double total = _fleet.Weighted ? await passes.WeightTotalAsync().ConfigureAwait(false) : n;
                (model, report) = VariationalGaussianMixtureFraming.FromFrame(model, report, frame, d, total, shift);
            }

            return Result(model, report.ObjectiveName, [.. report.ObjectiveTrace], report.Converged, clock);
        }
        finally
        {
            passes.EndFrame(); // the rows as given for the next fit
        }
    }

    /// <summary>Throws unless the shards' width is the start's.</summary>
    private static void CheckDimension(int model, int data)
    {
        if (model != data)
        {
            throw new ArgumentException($"The start has dimension {model}; the shards' rows have {data} columns.", "start");
        }
    }

    /// <summary>
    /// Batch EM of a mixture of independent Bernoulli vectors from <paramref name="start"/>: the fit of
    /// <see cref="BernoulliMixture"/>(<paramref name="options"/>) with <see cref="Mixture{TComponent}.FitFrom(MixtureModel{TComponent}, double[,], IProgress{FitProgress}?, CancellationToken)"/>
    /// on the shards' rows in order. Its engine runs on the driver — the M-step with <see cref="MixtureOptions.PseudoCount"/>,
    /// the objective (mean log-likelihood, or mean log-posterior with a positive pseudo-count), the stopping rule and the
    /// trace — and every E-step on the shards: each returns the engine's statistics (<see cref="DiscreteMixtureStatistics"/>
    /// of chunks of <see cref="DiscreteMixtureStatistics.ChunkSize"/> rows at the global multiples of the chunk size) in
    /// parts cut at the global superblock boundaries, folded on the driver in the engine's order. When every shard starts at
    /// a multiple of <see cref="KMeansStatistics.SuperblockRows"/> rows (or is one chunk), the iterations, trace and model
    /// are <see cref="BernoulliMixture"/>'s from the same start bit for bit; other cuts agree to rounding.
    /// </summary>
    /// <remarks>A component that loses all its weight under maximum likelihood (<see cref="MixtureOptions.PseudoCount"/> = 0)
    /// is re-seeded as on one machine (<see cref="Mixture{TComponent}"/>'s repair at the worst-explained row), which needs every
    /// row's responsibilities: the driver then gathers the shards' rows for that one M-step.</remarks>
    /// <param name="start">The starting mixture (K and dimension must match the options and the shards).</param>
    /// <param name="options">The pseudo-count and stopping settings (init, starts and seed are not used: the start is given).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="ArgumentException">The start does not match the options or the shards, the options do not fit the data, or a shard's rows are not binary.</exception>
    /// <exception cref="FittingException">A component cannot be estimated or re-seeded.</exception>
    public Task<DistributedFitResult<MixtureModel<IndependentBernoulli>>> FitBernoulliMixtureAsync(MixtureModel<IndependentBernoulli> start, MixtureOptions options,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(options);
        return DiscreteFitAsync(new BernoulliMixture(options), start, progress, cancellationToken);
    }

    /// <summary>
    /// Batch EM of a mixture of independent categorical vectors from <paramref name="start"/>: the fit of
    /// <see cref="CategoricalMixture"/>(the start's category counts, <paramref name="options"/>) from the start on the shards'
    /// rows in order, with the engine and E-steps of <see cref="FitBernoulliMixtureAsync(MixtureModel{IndependentBernoulli}, MixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>:
    /// bit for bit on shards that start at superblock boundaries (or are one chunk each), to rounding otherwise.
    /// </summary>
    /// <param name="start">The starting mixture (its components' category counts are the family's).</param>
    /// <param name="options">The pseudo-count and stopping settings (the start is given).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    /// <exception cref="ArgumentException">The start does not match the options or the shards, the options do not fit the data, or a shard's codes are out of range.</exception>
    /// <exception cref="FittingException">A component cannot be estimated or re-seeded.</exception>
    public Task<DistributedFitResult<MixtureModel<IndependentCategorical>>> FitCategoricalMixtureAsync(MixtureModel<IndependentCategorical> start, MixtureOptions options,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(options);
        return DiscreteFitAsync(new CategoricalMixture([.. start.Distributions[0].CategoryCounts], options), start, progress, cancellationToken);
    }

    /// <summary>
    /// The distributed fit of a Bernoulli or categorical <paramref name="estimator"/>: its batch EM
    /// (<c>DiscreteStatisticsRun</c>, <c>EmDriver</c>) on the driver, off the caller's context, from <paramref name="initial"/>
    /// (or, when null, each start by <paramref name="clusterStart"/>), every E-step on the shards.
    /// </summary>
    private async Task<DistributedFitResult<MixtureModel<TComponent>>> DiscreteFitAsync<TComponent>(Mixture<TComponent> estimator, MixtureModel<TComponent>? initial,
        IProgress<DistributedFitProgress>? progress, CancellationToken cancellationToken, Func<Random, MixtureModel<TComponent>>? clusterStart = null)
        where TComponent : class
    {
        MixtureOptions o = estimator.Options;
        CheckTolerance(o.Tolerance);
        var clock = Stopwatch.StartNew();
        _fleet.BeginFit();
        await _fleet.LoadAsync(cancellationToken).ConfigureAwait(false);
        long n = _fleet.TotalRows;
        if (n == 0 || _fleet.Columns == 0)
        {
            throw new ArgumentException("The shards hold no rows.", "shards");
        }

        o.Validate((int)Math.Min(n, int.MaxValue), estimator.Family.SupportsPseudoCounts, estimator.Family.Name);
        if (initial is not null)
        {
            if (initial.Components != o.Components || initial.Dimension != _fleet.Columns)
            {
                throw new ArgumentException(
                    $"The start has {initial.Components} components of dimension {initial.Dimension}; the options ask for {o.Components} components and the shards' rows have {_fleet.Columns} columns.", "start");
            }

            estimator.Family.CheckComponents(initial.Distributions, "start");
        }

        return await Task.Run(() =>
        {
            int round = 0;
            var run = new DiscreteStatisticsRun<TComponent>(estimator, random => initial ?? clusterStart!(random), model =>
            {
                (DiscreteMixtureStatistics[] parts, long[] partRows) = _fleet.RoundAsync<DiscreteMixtureStatistics>(model, round++, cancellationToken)
                    .GetAwaiter().GetResult();
                return Timed(() => DiscreteMixtureStatistics.FoldParts(parts, partRows));
            }, model => Timed(() => GatheredRepair(estimator, model, cancellationToken)));
            (MixtureModel<TComponent> best, FitReport report) = EmDriver.Run(run, initial is null ? o.Starts : 1, o.Seed, o.MaxIterations, o.Tolerance,
                o.PseudoCount > 0 ? "meanLogPosterior" : "meanLogLikelihood", new ForwardProgress(this, progress), cancellationToken, clock);
            return Result(best, report.ObjectiveName, [.. report.ObjectiveTrace], report.Converged, clock);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The repaired M-step of a discrete mixture (a component without weight under maximum likelihood), as one machine takes
    /// it (<see cref="Mixture{TComponent}"/>: every row's responsibilities, the re-seeding at the worst-explained row): the
    /// shards' rows and weights are gathered on the driver, in shard order, for this step.
    /// </summary>
    private MixtureModel<TComponent> GatheredRepair<TComponent>(Mixture<TComponent> estimator, MixtureModel<TComponent> model, CancellationToken cancellationToken)
        where TComponent : class
    {
        IReadOnlyList<int> counts = _fleet.RowCounts;
        int d = _fleet.Columns, n = counts.Sum();
        var data = new double[n, d];
        double[]? weights = null;
        int first = 0;
        for (int shard = 0; shard < counts.Count; shard++)
        {
            if (counts[shard] == 0)
            {
                continue;
            }

            SeedingReply reply = _fleet.SeedAsync(shard, new SeedingWork { Step = SeedingStep.Rows, Indices = [.. Enumerable.Range(0, counts[shard])], Dimension = d },
                cancellationToken).GetAwaiter().GetResult();
            reply.Rows.AsSpan().CopyTo(data.AsWritableSpan().Slice(first * d, counts[shard] * d));
            if (reply.Weights.Length > 0)
            {
                if (weights is null)
                {
                    weights = new double[n];
                    weights.AsSpan(0, first).Fill(1);
                }

                reply.Weights.AsSpan().CopyTo(weights.AsSpan(first));
            }
            else
            {
                weights?.AsSpan(first, counts[shard]).Fill(1);
            }

            first += counts[shard];
        }

        return estimator.RepairedMStep(model, data, weights);
    }

    /// <summary>
    /// Batch dictionary learning from <paramref name="start"/>: each iteration codes every shard's rows on the current
    /// dictionary (<see cref="DictionaryStatistics.Compute"/>: the lasso at the model's α), merges A = ZᵀZ and B = XᵀZ, takes
    /// one pass of block coordinate descent over the atoms (<see cref="DictionaryStatistics.ToModel"/>) and traces the
    /// cost of the codes under the new atoms (<see cref="DictionaryStatistics.Cost"/>); stops as
    /// <see cref="DictionaryLearning"/> when the cost falls by less than <paramref name="tolerance"/> × itself (or rises).
    /// </summary>
    /// <param name="start">The starting dictionary (its α and sign constraint are kept).</param>
    /// <param name="maxIterations">Iterations at most (≥ 1).</param>
    /// <param name="tolerance">Relative decrease of the cost below which the fit stops (≥ 0).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Cancels between and during rounds.</param>
    public async Task<DistributedFitResult<DictionaryModel>> FitDictionaryAsync(DictionaryModel start, int maxIterations = 100, double tolerance = 1e-8,
        IProgress<DistributedFitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        double previous = double.NaN;
        return await IterateAsync(start, maxIterations, tolerance, "cost", prepare: null, async (current, iteration) =>
        {
            DictionaryStatistics s = await MergedAsync<DictionaryStatistics>(current, iteration, cancellationToken).ConfigureAwait(false);
            DictionaryModel model = Timed(() => s.ToModel(current));
            double cost = s.Cost(model);
            bool settled = iteration > 1 && previous - cost < tolerance * cost;
            previous = cost;
            return (model, cost, settled);
        }, finish: null, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The one iteration loop of every fit: resets the fleet's counters, runs <paramref name="prepare"/> (e.g. the start's
    /// E-step) and then <paramref name="step"/> for iterations 1, 2, … — each returns the next model, the objective traced
    /// and reported for the iteration, and whether the fit has converged — until it converges or
    /// <paramref name="maxIterations"/> is reached; <paramref name="finish"/> maps the last model (given the iterations
    /// run) to the returned one.
    /// </summary>
    private async Task<DistributedFitResult<TModel>> IterateAsync<TModel>(TModel start, int maxIterations, double tolerance, string objectiveName,
        Func<TModel, Task>? prepare, Func<TModel, int, Task<(TModel Model, double Objective, bool Converged)>> step, Func<TModel, int, Task<TModel>>? finish,
        IProgress<DistributedFitProgress>? progress, CancellationToken cancellationToken, bool beginFit = true)
        where TModel : class
    {
        CheckTolerance(tolerance);
        var clock = Stopwatch.StartNew();
        if (beginFit)
        {
            _fleet.BeginFit();
        }

        var trace = new List<double>();
        TModel model = start;
        bool converged = false;
        if (prepare is not null)
        {
            await prepare(model).ConfigureAwait(false);
        }

        for (int iteration = 1; iteration <= maxIterations && !converged; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (model, double objective, converged) = await step(model, iteration).ConfigureAwait(false);
            trace.Add(objective);
            Report(progress, iteration, maxIterations, objective);
        }

        if (finish is not null)
        {
            model = await finish(model, trace.Count).ConfigureAwait(false);
        }

        return Result(model, objectiveName, trace, converged, clock);
    }

    /// <summary>
    /// One round: every shard's statistics of <paramref name="model"/>, merged in shard order — K-Means parts in the fixed
    /// superblock structure of <see cref="KMeansStatistics.MergeParts"/>.
    /// </summary>
    private async Task<T> MergedAsync<T>(object model, int iteration, CancellationToken cancellationToken) where T : class, IMergeableStatistics<T>
    {
        cancellationToken.ThrowIfCancellationRequested();
        (T[] parts, long[] partRows) = await _fleet.RoundAsync<T>(model, iteration, cancellationToken).ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        T merged = parts is KMeansStatistics[] kmeans
            ? (T)(object)KMeansStatistics.MergeParts(kmeans, partRows) // the single pass's superblock fold
            : MergeableStatistics.Merge(parts);
        _fleet.AddDriverTime(Stopwatch.GetTimestamp() - started);
        return merged;
    }

    /// <summary>Runs an update and counts its time as the driver's.</summary>
    private T Timed<T>(Func<T> update)
    {
        long started = Stopwatch.GetTimestamp();
        T result = update();
        _fleet.AddDriverTime(Stopwatch.GetTimestamp() - started);
        return result;
    }

    /// <summary>The engine loop's per-iteration reports as the distributed fit's (with the fleet's counters), synchronously.</summary>
    private sealed class ForwardProgress(DistributedFit fit, IProgress<DistributedFitProgress>? progress) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => fit.Report(progress, value.Iteration, value.MaxIterations, value.Objective);
    }

    private void Report(IProgress<DistributedFitProgress>? progress, int iteration, int maxIterations, double objective) =>
        progress?.Report(new DistributedFitProgress(iteration, maxIterations, objective, _fleet.Retries, _fleet.Reloads, _fleet.Silos, _fleet.ShardSilos));

    private DistributedFitResult<TModel> Result<TModel>(TModel model, string objectiveName, List<double> trace, bool converged, Stopwatch clock) where TModel : class =>
        new(model, objectiveName, trace.ToArray(), converged, _fleet.Retries, _fleet.Reloads, _fleet.Silos, _fleet.ShardSilos, _fleet.StatisticsBytes, clock.Elapsed)
        {
            Rounds = _fleet.Rounds,
            ShardWaitTime = _fleet.WaitTime,
            DriverTime = _fleet.DriverTime,
        };

    private static void CheckTolerance(double tolerance)
    {
        if (!(tolerance >= 0) || double.IsPositiveInfinity(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and non-negative.");
        }
    }

    /// <summary>Σ‖next − current‖² over the centers, in order.</summary>
    private static double SquaredShift(double[,] current, double[,] next)
    {
        double total = 0;
        for (int j = 0; j < current.GetLength(0); j++)
        {
            for (int p = 0; p < current.GetLength(1); p++)
            {
                double t = next[j, p] - current[j, p];
                total += t * t;
            }
        }

        return total;
    }

    /// <summary>
    /// The K-Means update with <see cref="KMeans"/>' rule for empty clusters: rounds that gather every shard's farthest rows
    /// (<see cref="KMeansFarRows"/>, merged) until <see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/> can decide.
    /// </summary>
    private async Task<KMeansModel> RelocatedAsync(KMeansStatistics s, KMeansModel model, int iteration, CancellationToken cancellationToken)
    {
        for (long capacity = s.FarRowCapacity; ; capacity = Math.Min(capacity * 8, Math.Max(_fleet.TotalRows, 1)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (KMeansFarRows[] parts, _) = await _fleet.RoundAsync<KMeansFarRows>(model, iteration, cancellationToken, (int)Math.Min(capacity, int.MaxValue)).ConfigureAwait(false);
            KMeansFarRows far = MergeableStatistics.Merge(parts);
            if (Timed(() => s.NextCenters(far)) is double[,] next)
            {
                return new KMeansModel(next);
            }
        }
    }
}
