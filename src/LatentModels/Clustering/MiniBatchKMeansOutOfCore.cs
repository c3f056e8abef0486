using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// <see cref="MiniBatchKMeans"/> over a <see cref="IRowChunkSource"/>: the in-memory fit's steps on the same mini-batches,
/// in bounded memory. A range pass finds the data's <see cref="RangeFrame"/> (as <see cref="KMeansFraming"/> does on the
/// array; data in the ordinary range take the core unchanged, others are mapped chunk by chunk); the start is the
/// in-memory start over the source (<see cref="KMeansSourceSeeding"/>), the tolerance's scale is
/// <see cref="KMeans.MeanVariance"/> summed in row order over two passes; every epoch shuffles one int per row by the
/// in-memory draws and walks the order in windows (<see cref="ShuffledWindows"/>); the final inertia is the in-memory
/// one's blocks (<see cref="KMeansModel.InertiaOf(WeightedRowChunks, int, CancellationToken, int)"/>).
/// </summary>
internal static class MiniBatchKMeansOutOfCore
{
    /// <param name="o">The settings.</param>
    /// <param name="source">The rows.</param>
    /// <param name="sampleWeights">The weights (one column), or null.</param>
    /// <param name="progress">Optional per-mini-batch progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every mini-batch.</param>
    /// <param name="windowBytes">The rows an epoch holds at once, as bytes (tests take small windows).</param>
    public static FitResult<KMeansModel> Fit(MiniBatchKMeansOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken, long windowBytes = ShuffledWindows.WindowBytes)
    {
        var clock = Stopwatch.StartNew();
        (RangeFrame frame, int shift, long rows, int d) = GaussianMixtureSourcePasses.Range(new WeightedRowChunks(source, sampleWeights), counts: false, cancellationToken);
        int n = rows <= int.MaxValue ? (int)rows : throw new ArgumentException($"{source.Name} has {rows} rows; a mini-batch K-Means fit of a source takes at most {int.MaxValue}.", nameof(source));
        if (sampleWeights is not null)
        {
            CheckNotAllZero(sampleWeights, cancellationToken);
        }

        o.Validate(n, d);
        IRowChunkSource? weights = GaussianMixtureSourcePasses.ScaledWeights(sampleWeights, shift);
        if (frame.IsIdentity && shift == 0)
        {
            (KMeansModel centers, int steps, bool converged, double[] trace) = FitCore(o, source, weights, n, d, windowBytes, progress, cancellationToken);
            double inertia = centers.InertiaOf(new WeightedRowChunks(source, weights), n, cancellationToken);
            return new FitResult<KMeansModel>(new KMeansModel(centers.Centers, inertia), new FitReport("ewaMeanBatchInertia", steps, converged, trace, clock.Elapsed));
        }

        // KMeansFraming's path: the fit in the frame with the weights divided by 2^shift, the centers mapped back, the
        // inertia of the original rows (the divided weights, scaled back) and the trace scaled back.
        MiniBatchKMeansOptions framed = frame.IsIdentity || o.InitialCenters is null ? o : o with { InitialCenters = frame.ToFrame(o.InitialCenters) };
        IRowChunkSource z = frame.IsIdentity ? source : GaussianMixtureSourcePasses.Framed(source, frame);
        (KMeansModel inFrame, int frameSteps, bool frameConverged, double[] frameTrace) = FitCore(framed, z, weights, n, d, windowBytes, progress, cancellationToken);
        double[,] c = inFrame.Centers;
        frame.FromFrame(c.AsWritableSpan(), d);
        var probe = new KMeansModel(c, double.NaN);
        double total = probe.InertiaOf(new WeightedRowChunks(source, weights), n, cancellationToken, shift); // scaled with the frame in one step, as KMeansFraming
        int exponent = 2 * frame.Exponent + shift;
        for (int i = 0; i < frameTrace.Length; i++)
        {
            frameTrace[i] = Math.ScaleB(frameTrace[i], exponent);
        }

        return new FitResult<KMeansModel>(new KMeansModel(c, total), new FitReport("ewaMeanBatchInertia", frameSteps, frameConverged, frameTrace, clock.Elapsed));
    }

    /// <summary>The steps of <see cref="MiniBatchKMeans"/>'s in-memory core over the source; returns the final centers (no inertia).</summary>
    private static (KMeansModel Centers, int Steps, bool Converged, double[] Trace) FitCore(MiniBatchKMeansOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        int n, int d, long windowBytes, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var chunks = new WeightedRowChunks(source, sampleWeights);
        int k = o.Clusters;
        var random = new Random(o.Seed);
        double[,] initial = o.Init switch
        {
            KMeansInit.First => KMeansSourceSeeding.ToMatrix(KMeansSourceSeeding.ReadRows(source, d, Enumerable.Range(0, k).ToArray(), cancellationToken), d),
            KMeansInit.RandomRows => KMeansSourceSeeding.RandomRows(source, n, d, k, random, cancellationToken),
            KMeansInit.Explicit => o.InitialCenters!,
            _ => KMeansSourceSeeding.PlusPlus(chunks, n, d, k, random, o.MaxDegreeOfParallelism, cancellationToken),
        };
        double tolerance = o.Tolerance > 0 ? o.Tolerance * MeanVariance(chunks, d, cancellationToken) : 0;
        int batch = Math.Min(o.BatchSize, n);
        var steps = new MiniBatchKMeansSteps(o, initial, random, tolerance, n, batch);
        int[] order = new int[n]; // the one array per row: the epoch's order, inverted to each row's place while the epoch reads the source
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        int window = ShuffledWindows.Rows(n, d, batch, windowBytes);
        var held = new double[(long)window * d];
        double[]? heldWeights = sampleWeights is null ? null : new double[window];
        for (int epoch = 0; epoch < o.MaxEpochs && !steps.Converged; epoch++)
        {
            MiniBatchKMeansSteps.Shuffle(order, random);
            ShuffledWindows.InvertInPlace(order);
            for (int first = 0; first < n && !steps.Converged; first += window)
            {
                int end = (int)Math.Min((long)first + window, n);
                ShuffledWindows.Gather(chunks, order, first, end, d, held, heldWeights, null, cancellationToken);
                for (int start = first; start < end && !steps.Converged; start += batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int count = Math.Min(batch, n - start);
                    steps.Step(held.AsSpan((start - first) * d, count * d), heldWeights is null ? [] : heldWeights.AsSpan(start - first, count), count, progress);
                }
            }

            ShuffledWindows.InvertInPlace(order); // back to the order, which the next epoch shuffles further
        }

        return (steps.Snapshot(), steps.Steps, steps.Converged, steps.Trace);
    }

    /// <summary><see cref="KMeans.MeanVariance"/> of the rows (and weights) in two passes, summed in row order: the same bits.</summary>
    private static double MeanVariance(WeightedRowChunks chunks, int d, CancellationToken cancellationToken)
    {
        var mean = new double[d];
        double total = 0;
        foreach (WeightedRowChunks.Chunk chunk in chunks.Read(RowChunks.DefaultChunkRows, cancellationToken))
        {
            total = KMeans.AddWeightedSums(chunk.X.AsSpan(), chunk.Count, d, chunk.W, mean, total);
        }

        for (int p = 0; p < d; p++)
        {
            mean[p] /= total;
        }

        double sum = 0;
        foreach (WeightedRowChunks.Chunk chunk in chunks.Read(RowChunks.DefaultChunkRows, cancellationToken))
        {
            sum = KMeans.AddScatter(chunk.X.AsSpan(), chunk.Count, d, chunk.W, mean, sum);
        }

        return sum / total / d;
    }

    private static void CheckNotAllZero(IRowChunkSource weights, CancellationToken cancellationToken)
    {
        foreach (double[,] chunk in weights.ReadChunks(RowChunks.DefaultChunkRows, cancellationToken))
        {
            foreach (double w in chunk)
            {
                if (w > 0)
                {
                    return;
                }
            }
        }

        throw new ArgumentException("The sample weights are all zero.", "sampleWeights");
    }
}
