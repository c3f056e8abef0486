using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// Lloyd's K-Means over a <see cref="IRowChunkSource"/> read again for every iteration (memory: one chunk and the
/// centers), as a driver over the spine's mergeable statistics: every block of
/// <see cref="KMeansStatistics.ChunkSize"/> rows gives its <see cref="KMeansStatistics"/>, the blocks are merged from first
/// to last, and the update is <see cref="KMeansStatistics.ToModel"/>. Blocks of one chunk each merged in order are the
/// statistics of all the rows bit for bit, so an iteration here is bit-identical to
/// <see cref="KMeansStatistics.Compute"/> on the whole array (and to a distributed fit on block-aligned shards). The
/// starts are the in-memory starts over the source (<see cref="KMeansSourceSeeding"/>: the same seed, the same centers).
/// </summary>
internal static class KMeansOutOfCore
{
    /// <summary>Rows read per chunk: a multiple of <see cref="KMeansStatistics.ChunkSize"/> by construction.</summary>
    internal const int ChunkRows = 16 * KMeansStatistics.ChunkSize;

    public static FitResult<KMeansModel> Fit(KMeansOptions o, IRowChunkSource source, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        // Pass 1: count and the mean.
        var random = new Random(o.Seed);
        long n = 0;
        int d = -1;
        double[] mean = [];
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            d = CheckWidth(chunk, d, source);
            if (mean.Length == 0)
            {
                mean = new double[d];
            }

            ReadOnlySpan<double> x = chunk.AsSpan();
            for (int i = 0; i < chunk.GetLength(0); i++, n++)
            {
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                for (int p = 0; p < d; p++)
                {
                    mean[p] += row[p];
                }
            }
        }

        if (n == 0 || d < 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        o.Validate((int)Math.Min(n, int.MaxValue), d);
        for (int p = 0; p < d; p++)
        {
            mean[p] /= n;
        }

        // Pass 2: the mean column variance, summed in row order as KMeans does (the tolerance's scale).
        double sum = 0;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            CheckWidth(chunk, d, source);
            ReadOnlySpan<double> x = chunk.AsSpan();
            for (int i = 0; i < chunk.GetLength(0); i++)
            {
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                for (int p = 0; p < d; p++)
                {
                    double c = row[p] - mean[p];
                    sum += c * c;
                }
            }
        }

        double tolerance = o.Tolerance > 0 ? o.Tolerance * (sum / n / d) : 0;
        int rows = n <= int.MaxValue ? (int)n : throw new ArgumentException($"{source.Name} has {n} rows; an out-of-core K-Means fit takes at most {int.MaxValue}.", nameof(source));
        int starts = o.Init is KMeansInit.First or KMeansInit.Explicit ? 1 : o.Starts;
        (KMeansModel Model, int Iterations, bool Converged, double[] Trace)? best = null;
        for (int s = 0; s < starts; s++)
        {
            double[,] initial = o.Init switch
            {
                KMeansInit.First => KMeansSourceSeeding.ToMatrix(KMeansSourceSeeding.ReadRows(source, d, Enumerable.Range(0, o.Clusters).ToArray(), cancellationToken), d),
                KMeansInit.RandomRows => KMeansSourceSeeding.RandomRows(source, rows, d, o.Clusters, random, cancellationToken),
                KMeansInit.Explicit => o.InitialCenters!,
                _ => KMeansSourceSeeding.PlusPlus(new WeightedRowChunks(source, null), rows, d, o.Clusters, random, o.MaxDegreeOfParallelism, cancellationToken),
            };
            var run = Run(o, source, new KMeansModel(initial), tolerance, s, progress, cancellationToken);
            if (best is null || run.Model.Inertia < best.Value.Model.Inertia)
            {
                best = run;
            }
        }

        return new FitResult<KMeansModel>(best!.Value.Model, new FitReport("inertia", best.Value.Iterations, best.Value.Converged, best.Value.Trace, clock.Elapsed));
    }

    /// <summary>One start: assignment steps over the source until the center shift is at most the tolerance, then a last one for the inertia.</summary>
    private static (KMeansModel Model, int Iterations, bool Converged, double[] Trace) Run(KMeansOptions o, IRowChunkSource source, KMeansModel model, double tolerance,
        int start, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var trace = new List<double>();
        bool converged = false;
        for (int iteration = 1; iteration <= o.MaxIterations; iteration++)
        {
            KMeansStatistics s = Statistics(model, source, o.MaxDegreeOfParallelism, cancellationToken);
            trace.Add(s.Inertia);
            progress?.Report(new FitProgress(start, iteration, o.MaxIterations, s.Inertia));
            KMeansModel next = s.ToModel();
            double shift = SquaredShift(model.CentersSpan, next.CentersSpan);
            model = next;
            if (shift <= tolerance)
            {
                converged = true;
                break;
            }
        }

        KMeansStatistics last = Statistics(model, source, o.MaxDegreeOfParallelism, cancellationToken);
        return (last.AssignmentModel(), trace.Count, converged, trace.ToArray());
    }

    /// <summary>One assignment step over the whole source: blocks of <see cref="KMeansStatistics.ChunkSize"/> rows merged in order.</summary>
    internal static KMeansStatistics Statistics(KMeansModel model, IRowChunkSource source, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        int d = model.Dimension;
        KMeansStatistics? total = null;
        double[,]? block = null;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            CheckWidth(chunk, d, source);
            int rows = chunk.GetLength(0);
            for (int first = 0; first < rows; first += KMeansStatistics.ChunkSize)
            {
                int m = Math.Min(KMeansStatistics.ChunkSize, rows - first);
                if (block is null || block.GetLength(0) != m)
                {
                    block = new double[m, d];
                }

                chunk.AsSpan().Slice(first * d, m * d).CopyTo(block.AsWritableSpan());
                KMeansStatistics part = KMeansStatistics.ComputeCore(model, block, null, maxDegreeOfParallelism);
                total = total is null ? part : total.Merge(part);
            }
        }

        return total ?? throw new ArgumentException("The data has no rows.", nameof(source));
    }

    private static int CheckWidth(double[,] chunk, int d, IRowChunkSource source)
    {
        if (d >= 0 && chunk.GetLength(1) != d)
        {
            throw new ArgumentException($"{source.Name}: a chunk has {chunk.GetLength(1)} columns; earlier rows have {d}.", nameof(source));
        }

        return chunk.GetLength(1);
    }

    private static double SquaredShift(ReadOnlySpan<double> current, ReadOnlySpan<double> next)
    {
        double total = 0;
        for (int i = 0; i < current.Length; i++)
        {
            double t = next[i] - current[i];
            total += t * t;
        }

        return total;
    }
}
