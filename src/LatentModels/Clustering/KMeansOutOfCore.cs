using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// Lloyd's K-Means over a <see cref="IRowChunkSource"/> read again for every iteration (memory: one chunk, the centers
/// and a bounded seeding sample), as a driver over the spine's mergeable statistics: every block of
/// <see cref="KMeansStatistics.ChunkSize"/> rows gives its <see cref="KMeansStatistics"/>, the blocks are merged in the
/// fixed superblock fold (<see cref="KMeansFold"/>), and the update is the Lloyd update with the far-row rule for empty
/// clusters (<see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/>, one more pass when a cluster is empty). The
/// in-memory <see cref="KMeans"/> takes the same fold and rule, so from the same start the two fits are bit-identical (and
/// an iteration is bit-identical to <see cref="KMeansStatistics.Compute"/> on the whole array, and to a distributed fit on
/// superblock-aligned shards).
/// </summary>
internal static class KMeansOutOfCore
{
    /// <summary>Rows read per chunk: a multiple of <see cref="KMeansStatistics.ChunkSize"/> by construction.</summary>
    internal const int ChunkRows = 16 * KMeansStatistics.ChunkSize;

    /// <summary>The most rows the k-means++ / random seeding sees: up to this many rows, all of them (the in-memory start).</summary>
    internal const int SeedingRows = 1 << 16;

    public static FitResult<KMeansModel> Fit(KMeansOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights, IProgress<FitProgress>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        // Pass 1: count, the mean, and the seeding sample (all rows up to SeedingRows, else a seeded uniform reservoir).
        var random = new Random(o.Seed);
        var reservoirRandom = new Random(unchecked(o.Seed * 31 + 17));
        long n = 0;
        int d = -1;
        double[] mean = [];
        var sample = new List<double[]>();
        var sampleWeightList = new List<double>();
        double total = 0;
        foreach ((double[,] chunk, double[]? w) in Read(source, sampleWeights, -1, cancellationToken))
        {
            d = chunk.GetLength(1);
            if (mean.Length == 0)
            {
                mean = new double[d];
            }

            ReadOnlySpan<double> x = chunk.AsSpan();
            for (int i = 0; i < chunk.GetLength(0); i++, n++)
            {
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                double wi = w is null ? 1.0 : w[i];
                total += wi;
                for (int p = 0; p < d; p++)
                {
                    mean[p] += wi * row[p];
                }

                if (sample.Count < SeedingRows)
                {
                    sample.Add(row.ToArray());
                    sampleWeightList.Add(wi);
                }
                else
                {
                    long slot = reservoirRandom.NextInt64(n + 1);
                    if (slot < SeedingRows)
                    {
                        sample[(int)slot] = row.ToArray();
                        sampleWeightList[(int)slot] = wi;
                    }
                }
            }
        }

        if (n == 0 || d < 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        if (!(total > 0))
        {
            throw new ArgumentException("The sample weights are all zero.", nameof(sampleWeights));
        }

        o.Validate((int)Math.Min(n, int.MaxValue), d);
        for (int p = 0; p < d; p++)
        {
            mean[p] /= total;
        }

        // Pass 2: the mean column variance, summed in row order as KMeans does (the tolerance's scale).
        double sum = 0;
        foreach ((double[,] chunk, double[]? w) in Read(source, sampleWeights, d, cancellationToken))
        {
            ReadOnlySpan<double> x = chunk.AsSpan();
            for (int i = 0; i < chunk.GetLength(0); i++)
            {
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                double wi = w is null ? 1.0 : w[i];
                for (int p = 0; p < d; p++)
                {
                    double c = row[p] - mean[p];
                    sum += wi * c * c;
                }
            }
        }

        double tolerance = o.Tolerance > 0 ? o.Tolerance * (sum / total / d) : 0;
        var data = new Pass(source, sampleWeights, checked((int)n), d, o.MaxDegreeOfParallelism);
        var seeding = new double[sample.Count, d];
        for (int i = 0; i < sample.Count; i++)
        {
            sample[i].CopyTo(seeding.AsWritableSpan().Slice(i * d, d));
        }

        double[]? seedingWeights = sampleWeights is null ? null : sampleWeightList.ToArray();
        sample.Clear();
        int starts = o.Init is KMeansInit.First or KMeansInit.Explicit ? 1 : o.Starts;
        (KMeansModel Model, int Iterations, bool Converged, double[] Trace)? best = null;
        for (int s = 0; s < starts; s++)
        {
            double[,] initial = o.Init switch
            {
                KMeansInit.First => First(seeding, o.Clusters),
                KMeansInit.RandomRows => KMeansSeeding.RandomRowsCore(seeding, o.Clusters, random),
                KMeansInit.Explicit => o.InitialCenters!,
                _ => KMeansSeeding.PlusPlusCore(seeding, o.Clusters, random, seedingWeights, o.MaxDegreeOfParallelism, cancellationToken),
            };
            var run = Run(o, data, new KMeansModel(initial), tolerance, s, progress, cancellationToken);
            if (best is null || run.Model.Inertia < best.Value.Model.Inertia)
            {
                best = run;
            }
        }

        return new FitResult<KMeansModel>(best!.Value.Model, new FitReport("inertia", best.Value.Iterations, best.Value.Converged, best.Value.Trace, clock.Elapsed));
    }

    /// <summary>The source, its weights and its shape: what every pass over the data needs.</summary>
    private sealed record Pass(IRowChunkSource Source, IRowChunkSource? Weights, int Rows, int Dimension, int MaxDegreeOfParallelism);

    /// <summary>
    /// One start: assignment steps over the source until the center shift is at most the tolerance, then the inertia of the
    /// final centers summed as the in-memory fit sums it (<see cref="KMeansModel.InertiaOf(IRowChunkSource, int?, CancellationToken)"/>).
    /// </summary>
    private static (KMeansModel Model, int Iterations, bool Converged, double[] Trace) Run(KMeansOptions o, Pass data, KMeansModel model, double tolerance,
        int start, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var trace = new List<double>();
        bool converged = false;
        for (int iteration = 1; iteration <= o.MaxIterations; iteration++)
        {
            KMeansStatistics s = Statistics(model, data, cancellationToken);
            trace.Add(s.Inertia);
            progress?.Report(new FitProgress(start, iteration, o.MaxIterations, s.Inertia));
            double[,] next = s.EmptyClusters == 0 ? s.NextCenters() : Relocated(s, model, data, cancellationToken);
            double shift = KMeansStatistics.SquaredShift(model.CentersSpan, next.AsSpan());
            model = new KMeansModel(next, double.NaN);
            if (shift <= tolerance)
            {
                converged = true;
                break;
            }
        }

        double inertia = model.InertiaOf(data.Source, data.Weights, data.Rows, cancellationToken);
        return (new KMeansModel(model.Centers, inertia), trace.Count, converged, trace.ToArray());
    }

    /// <summary>One assignment step over the whole source: blocks of <see cref="KMeansStatistics.ChunkSize"/> rows in the fixed fold.</summary>
    private static KMeansStatistics Statistics(KMeansModel model, Pass data, CancellationToken cancellationToken)
    {
        var fold = new KMeansFold(model.Clusters, model.Dimension);
        int[] labels = [];
        foreach ((double[,] chunk, double[]? w) in Read(data.Source, data.Weights, data.Dimension, cancellationToken))
        {
            int rows = chunk.GetLength(0);
            if (labels.Length != rows)
            {
                labels = new int[rows];
            }

            model.Assign(chunk, labels, data.MaxDegreeOfParallelism);
            KMeansStatistics.Summarize(chunk, w, labels, 0, rows, fold, data.MaxDegreeOfParallelism);
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
            int[] labels = [];
            foreach ((double[,] chunk, double[]? w) in Read(data.Source, data.Weights, data.Dimension, cancellationToken))
            {
                int rows = chunk.GetLength(0);
                if (labels.Length != rows)
                {
                    labels = new int[rows];
                }

                model.Assign(chunk, labels, data.MaxDegreeOfParallelism);
                far.OfferAll(chunk, w, labels, model.CentersSpan, first);
                first += rows;
            }

            double[,]? next = s.NextCenters(far);
            if (next is not null)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// The source's chunks of <see cref="ChunkRows"/> rows with the matching sample weights (read in lockstep from a
    /// one-column source; null without weights). Checks every chunk's width (d &lt; 0: the first sets it) and every weight.
    /// </summary>
    internal static IEnumerable<(double[,] Chunk, double[]? Weights)> Read(IRowChunkSource source, IRowChunkSource? weights, int d, CancellationToken cancellationToken)
    {
        using IEnumerator<double[,]>? w = weights?.ReadChunks(ChunkRows, cancellationToken).GetEnumerator();
        double[] buffer = [];
        long row = 0;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            d = CheckWidth(chunk, d, source);
            int rows = chunk.GetLength(0);
            if (w is null)
            {
                yield return (chunk, null);
                row += rows;
                continue;
            }

            if (!w.MoveNext() || w.Current.GetLength(0) != rows)
            {
                throw new ArgumentException($"{weights!.Name} has fewer sample weights than {source.Name} has rows ({row + (w.Current?.GetLength(0) ?? 0)} or fewer, not {row + rows} or more).", "sampleWeights");
            }

            double[,] wc = w.Current;
            if (wc.GetLength(1) != 1)
            {
                throw new ArgumentException($"{weights!.Name}: the sample weights must be one column; a chunk has {wc.GetLength(1)}.", "sampleWeights");
            }

            if (buffer.Length != rows)
            {
                buffer = new double[rows];
            }

            wc.AsSpan().CopyTo(buffer);
            for (int i = 0; i < rows; i++)
            {
                if (!double.IsFinite(buffer[i]) || buffer[i] < 0)
                {
                    throw new ArgumentException($"{weights!.Name}: the sample weight of row {row + i + 1} is {buffer[i]}; weights must be finite and non-negative.", "sampleWeights");
                }
            }

            yield return (chunk, buffer);
            row += rows;
        }

        if (w is not null && w.MoveNext())
        {
            throw new ArgumentException($"{weights!.Name} has more sample weights than {source.Name} has rows ({row}).", "sampleWeights");
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

    private static double[,] First(double[,] rows, int k)
    {
        int d = rows.GetLength(1);
        var centers = new double[k, d];
        rows.AsSpan()[..(k * d)].CopyTo(centers.AsWritableSpan());
        return centers;
    }
}
