using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// Lloyd's K-Means over a <see cref="IRowChunkSource"/> read again for every iteration (memory: one chunk and the
/// centers), as a driver over the spine's mergeable statistics: every block of <see cref="KMeansStatistics.ChunkSize"/>
/// rows gives its <see cref="KMeansStatistics"/>, the blocks are merged in the fixed superblock fold
/// (<see cref="KMeansFold"/>), and the update is the Lloyd update with the far-row rule for empty clusters
/// (<see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/>, one more pass when a cluster is empty). The in-memory
/// <see cref="KMeans"/> takes the same fold and rule, and the starts are the in-memory starts over the source
/// (<see cref="KMeansSourceSeeding"/>: the same seed, the same centers), so the two fits are bit-identical (and an
/// iteration is bit-identical to <see cref="KMeansStatistics.Compute"/> on the whole array, and to a distributed fit on
/// superblock-aligned shards). Sample weights are a one-column source read in lockstep (<see cref="WeightedRowChunks"/>).
/// </summary>
internal static class KMeansOutOfCore
{
    /// <summary>Rows read per chunk: a multiple of <see cref="KMeansStatistics.ChunkSize"/> by construction.</summary>
    internal const int ChunkRows = 16 * KMeansStatistics.ChunkSize;

    /// <summary>
    /// The fit in the data's <see cref="RangeFrame"/> with the weights divided by a power of two, as in memory
    /// (<see cref="KMeansFraming"/>): the first pass (rows, width, weights) also gathers the columns' extremes and the
    /// largest weight, which give the frame exactly (minima and maxima do not round, in any order). Data and weights in the
    /// ordinary range take the core unchanged; other data are mapped chunk by chunk (the seeding and the iterations read the
    /// framed rows, so they are the in-memory framed fit's), the centers and trace mapped back, and the inertia is that of
    /// the returned centers on the caller's rows (one more pass, summed as the in-memory fit sums it; +∞ beyond the largest
    /// double).
    /// </summary>
    public static FitResult<KMeansModel> Fit(KMeansOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights, IProgress<FitProgress>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var chunks = new WeightedRowChunks(source, sampleWeights);

        // Pass 1: count the rows, check the width and the weights (not all zero); the extremes give the range frame.
        long n = 0;
        int d = -1;
        double total = 0, largestWeight = 0, largest = 0;
        double[] min = [], max = [];
        foreach (WeightedRowChunks.Chunk chunk in Read(chunks, -1, cancellationToken))
        {
            if (d < 0)
            {
                d = chunk.X.GetLength(1);
                min = new double[d];
                max = new double[d];
                min.AsSpan().Fill(double.PositiveInfinity);
                max.AsSpan().Fill(double.NegativeInfinity);
            }

            largest = Math.Max(largest, RangeFrame.AddExtremes(chunk.X.AsSpan(), chunk.Count, d, min, max));
            n += chunk.Count;
            if (chunk.W is not null)
            {
                foreach (double w in chunk.W.AsSpan(0, chunk.Count))
                {
                    total += w;
                    largestWeight = Math.Max(largestWeight, w);
                }
            }
        }

        if (n == 0 || d < 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        if (sampleWeights is not null && !(total > 0))
        {
            throw new ArgumentException("The sample weights are all zero.", nameof(sampleWeights));
        }

        o.Validate((int)Math.Min(n, int.MaxValue), d);
        int rows = n <= int.MaxValue ? (int)n : throw new ArgumentException($"{source.Name} has {n} rows; an out-of-core K-Means fit takes at most {int.MaxValue}.", nameof(source));
        RangeFrame frame = RangeFrame.FromExtremes(largest, min, max);
        int weightExponent = sampleWeights is null ? 0 : RangeFrame.WeightExponentOfMax(largestWeight);
        if (frame.IsIdentity && weightExponent == 0)
        {
            return FitCore(o, chunks, rows, d, progress, cancellationToken, clock);
        }

        IRowChunkSource? weights = sampleWeights is null || weightExponent == 0 ? sampleWeights : new MappedRowChunkSource(sampleWeights, (w, scaled, _) =>
        {
            w.CopyTo(scaled);
            RangeFrame.NormalizeWeights(scaled, weightExponent);
        });
        IRowChunkSource framed = frame.IsIdentity ? source : new MappedRowChunkSource(source, frame.ToFrame);
        KMeansOptions inFrame = o.InitialCenters is null || frame.IsIdentity ? o : o with { InitialCenters = frame.ToFrame(o.InitialCenters) };
        FitResult<KMeansModel> fit = FitCore(inFrame, new WeightedRowChunks(framed, weights), rows, d, progress, cancellationToken, clock);

        // Back to the caller's units: the centers, the inertia of the returned centers on the caller's rows, the trace.
        double[,] centers = fit.Model.Centers;
        frame.FromFrame(centers.AsWritableSpan(), d);
        var probe = new KMeansModel(centers, double.NaN);
        double inertia = probe.InertiaOf(new WeightedRowChunks(source, weights), rows, cancellationToken, weightExponent);
        FitReport r = fit.Report;
        int exponent = 2 * frame.Exponent + weightExponent;
        var trace = new double[r.ObjectiveTrace.Count];
        for (int i = 0; i < trace.Length; i++)
        {
            trace[i] = Math.ScaleB(r.ObjectiveTrace[i], exponent);
        }

        return new FitResult<KMeansModel>(new KMeansModel(centers, inertia), new FitReport(r.ObjectiveName, r.Iterations, r.Converged, trace, clock.Elapsed));
    }

    /// <summary>The fit of checked rows (in the units the frame chose): the starts and Lloyd's iterations over the source.</summary>
    private static FitResult<KMeansModel> FitCore(KMeansOptions o, WeightedRowChunks chunks, int rows, int d, IProgress<FitProgress>? progress,
        CancellationToken cancellationToken, Stopwatch clock)
    {
        IRowChunkSource source = chunks.Rows;
        var random = new Random(o.Seed);
        double tolerance = Math.Max(0, o.Tolerance); // × the mean column variance of the first assignment step's statistics
        var data = new Pass(chunks, rows, d, o.MaxDegreeOfParallelism);
        int starts = o.Init is KMeansInit.First or KMeansInit.Explicit ? 1 : o.Starts;
        (KMeansModel Model, int Iterations, bool Converged, double[] Trace)? best = null;
        for (int s = 0; s < starts; s++)
        {
            double[,] initial = o.Init switch
            {
                KMeansInit.First => KMeansSourceSeeding.ToMatrix(KMeansSourceSeeding.ReadRows(source, d, Enumerable.Range(0, o.Clusters).ToArray(), cancellationToken), d),
                KMeansInit.RandomRows => KMeansSourceSeeding.RandomRows(source, rows, d, o.Clusters, random, cancellationToken),
                KMeansInit.Explicit => o.InitialCenters!,
                _ => KMeansSourceSeeding.PlusPlus(chunks, rows, d, o.Clusters, random, o.MaxDegreeOfParallelism, cancellationToken),
            };
            var run = Run(o, data, new KMeansModel(initial), tolerance, s, progress, cancellationToken);
            if (best is null || run.Model.Inertia < best.Value.Model.Inertia)
            {
                best = run;
            }
        }

        return new FitResult<KMeansModel>(best!.Value.Model, new FitReport("inertia", best.Value.Iterations, best.Value.Converged, best.Value.Trace, clock.Elapsed));
    }

    /// <summary>The rows and weights and their shape: what every pass over the data needs.</summary>
    private sealed record Pass(WeightedRowChunks Chunks, int Rows, int Dimension, int MaxDegreeOfParallelism);

    /// <summary>
    /// One start: assignment steps over the source until the center shift is at most the tolerance, then the inertia of the
    /// final centers summed as the in-memory fit sums it (<see cref="KMeansModel.InertiaOf(IRowChunkSource, int?, CancellationToken)"/>).
    /// </summary>
    private static (KMeansModel Model, int Iterations, bool Converged, double[] Trace) Run(KMeansOptions o, Pass data, KMeansModel model, double tolerance,
        int start, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var trace = new List<double>();
        bool converged = false;
        double threshold = 0;
        for (int iteration = 1; iteration <= o.MaxIterations; iteration++)
        {
            KMeansStatistics s = Statistics(model, data, cancellationToken);
            if (iteration == 1)
            {
                threshold = tolerance > 0 ? tolerance * s.MeanColumnVariance : 0;
            }

            trace.Add(s.Inertia);
            progress?.Report(new FitProgress(start, iteration, o.MaxIterations, s.Inertia));
            double[,] next = s.EmptyClusters == 0 ? s.NextCenters() : Relocated(s, model, data, cancellationToken);
            double shift = KMeansStatistics.SquaredShift(model.CentersSpan, next.AsSpan());
            model = new KMeansModel(next, double.NaN);
            if (shift <= threshold)
            {
                converged = true;
                break;
            }
        }

        double inertia = model.InertiaOf(data.Chunks, data.Rows, cancellationToken);
        return (new KMeansModel(model.Centers, inertia), trace.Count, converged, trace.ToArray());
    }

    /// <summary>One assignment step over the whole source: blocks of <see cref="KMeansStatistics.ChunkSize"/> rows in the fixed fold.</summary>
    private static KMeansStatistics Statistics(KMeansModel model, Pass data, CancellationToken cancellationToken)
    {
        var fold = new KMeansFold(model.Clusters, model.Dimension);
        foreach ((double[,] chunk, double[]? w, int[] labels) in Assigned(model, data, cancellationToken))
        {
            KMeansStatistics.Summarize(chunk, w, labels, 0, labels.Length, fold, data.MaxDegreeOfParallelism);
        }

        fold.Finish();
        return fold.ToStatistics(model.CentersSpan);
    }

    /// <summary>The update with empty clusters re-seeded: passes that gather the far rows until the rule can decide.</summary>
    private static double[,] Relocated(KMeansStatistics s, KMeansModel model, Pass data, CancellationToken cancellationToken)
    {
        for (int capacity = s.FarRowCapacity; ; capacity = (int)Math.Min((long)capacity * 8, Math.Max(data.Rows, 1)))
        {
            var far = new KMeansFarRows(capacity, data.Dimension);
            long first = 0;
            foreach ((double[,] chunk, double[]? w, int[] labels) in Assigned(model, data, cancellationToken))
            {
                far.OfferAll(chunk, w, labels, model.CentersSpan, first);
                first += labels.Length;
            }

            double[,]? next = s.NextCenters(far);
            if (next is not null)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// The checked chunks of the source with their weights and every row's nearest center (the labels buffer is reused: one
    /// chunk's labels are valid until the next chunk is read).
    /// </summary>
    private static IEnumerable<(double[,] Chunk, double[]? Weights, int[] Labels)> Assigned(KMeansModel model, Pass data, CancellationToken cancellationToken)
    {
        int[] labels = [];
        foreach ((double[,] chunk, double[]? w, _) in Read(data.Chunks, data.Dimension, cancellationToken))
        {
            int rows = chunk.GetLength(0);
            if (labels.Length != rows)
            {
                labels = new int[rows];
            }

            model.Assign(chunk, labels, data.MaxDegreeOfParallelism);
            yield return (chunk, w, labels);
        }
    }

    /// <summary>The chunks of <see cref="ChunkRows"/> rows with their weights, every chunk's width checked (d &lt; 0: the first sets it).</summary>
    internal static IEnumerable<WeightedRowChunks.Chunk> Read(WeightedRowChunks chunks, int d, CancellationToken cancellationToken)
    {
        foreach (WeightedRowChunks.Chunk chunk in chunks.Read(ChunkRows, cancellationToken))
        {
            d = CheckWidth(chunk.X, d, chunks.Rows);
            yield return chunk;
        }
    }

    private static int CheckWidth(double[,] chunk, int d, IRowChunkSource source)
    {
        if (d >= 0 && chunk.GetLength(1) != d)
        {
            throw new ArgumentException($"{source.Name}: a chunk has {chunk.GetLength(1)} columns; earlier rows have {d}.", nameof(source));
        }

        return chunk.GetLength(1);
    }
}
