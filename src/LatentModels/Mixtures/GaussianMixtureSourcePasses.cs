using System.Collections.Concurrent;
using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Em;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// The passes of an out-of-core Gaussian-mixture fit (batch EM or variational) over a source read again for each: the
/// data moments with the summation order of <see cref="WeightedMoments.FromRows"/>; the E-step of
/// <see cref="GaussianMixtureEngine.EStepInto"/> on the engine's blocks, merged into its totals in block order; and the
/// starts of <see cref="MixtureInit"/> with the in-memory draws and arithmetic (the responsibilities or labels of each
/// block, their statistics, one M-step). Chunks are whole numbers of blocks, so every block is an in-memory block and every
/// pass has the in-memory bits. Sample weights, when given, are read in lockstep with the rows.
/// </summary>
internal sealed class GaussianMixtureSourcePasses
{
    /// <summary>Rows read per chunk of the moments pass: a multiple of <see cref="WeightedMoments.ChunkSize"/>.</summary>
    internal const int MomentRows = 16 * 1024;

    /// <summary>Blocks computed (in parallel) between two merges (memory: this many block statistics).</summary>
    internal const int BlocksPerChunk = 64;

    /// <summary>
    /// Rows per chunk of a pass that labels rows by their nearest center: 15 × 2048, a multiple of the distance kernel's row
    /// block (240), of K-Means' assignment block (1024) and of every engine block size (a power of two up to 1024), so each
    /// row's label has the bits of the in-memory labelling of the whole array.
    /// </summary>
    internal const int LabelRows = 15 * 2048;

    private readonly GaussianMixtureEngine _engine;
    private readonly WeightedRowChunks _source;
    private readonly int _k, _d, _dop;
    private readonly CancellationToken _cancellationToken;
    private readonly ConcurrentBag<MixtureWorkspace> _pool = [];
    private readonly MixtureStatistics[] _blockStats;

    public GaussianMixtureSourcePasses(GaussianMixtureEngine engine, WeightedRowChunks source, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        _engine = engine;
        _source = source;
        _k = engine.Current.K;
        _d = engine.Current.D;
        _dop = maxDegreeOfParallelism;
        _cancellationToken = cancellationToken;
        _blockStats = new MixtureStatistics[ParallelBlocks.BlockCount((int)Math.Min((long)BlocksPerChunk * engine.BlockSize, engine.Rows), engine.BlockSize)];
        for (int b = 0; b < _blockStats.Length; b++)
        {
            _blockStats[b] = new MixtureStatistics(_k, _d, engine.Current.Form.FullScatter);
        }
    }

    /// <summary>
    /// The first pass: the number of rows and the data moments (weighted by the sample weights) with the bits of
    /// <see cref="WeightedMoments.FromRowsChecked"/> on the whole array.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, more than <see cref="int.MaxValue"/>, chunks of another width, or bad weights (all zero included).</exception>
    public static (int Rows, WeightedMoments Moments) Moments(WeightedRowChunks source, bool fullScatter, CancellationToken cancellationToken)
    {
        WeightedMoments? moments = null, scratch = null;
        long n = 0;
        bool positive = false;
        foreach (WeightedRowChunks.Chunk chunk in source.Read(MomentRows, cancellationToken))
        {
            int rows = chunk.Count, d = chunk.X.GetLength(1);
            if (moments is null)
            {
                moments = new WeightedMoments(d, fullScatter);
                scratch = new WeightedMoments(d, fullScatter);
            }

            CheckWidth(chunk.X, moments.Dimension, source.Rows);
            moments.AccumulateRowsChecked(chunk.X.AsSpan(), rows, chunk.W, scratch!);
            positive |= chunk.W is null || chunk.W.AsSpan(0, rows).ContainsAnyExcept(0.0);
            n += rows;
        }

        if (moments is null || n == 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        if (n > int.MaxValue)
        {
            throw new ArgumentException($"{source.Name} has {n} rows; an out-of-core Gaussian mixture fit takes at most {int.MaxValue}.", nameof(source));
        }

        if (!positive)
        {
            throw new ArgumentException("The weights sum to zero; at least one row must have a positive weight.", "sampleWeights");
        }

        return ((int)n, moments);
    }

    /// <summary>
    /// The range pass: the rows' <see cref="RangeFrame"/> (that of <see cref="RangeFrame.ForRows(double[,])"/> on the whole
    /// array: the minima, maxima and largest magnitude are exact in any order), the power of two
    /// <see cref="RangeFrame.RelativeWeights"/> divides the weights by (0 without weights), and the rows and columns.
    /// </summary>
    public static (RangeFrame Frame, int WeightShift, long Rows, int Columns) Range(WeightedRowChunks source, bool counts, CancellationToken cancellationToken)
    {
        double[]? min = null, max = null;
        double a = 0, largestWeight = 0;
        long n = 0;
        foreach (WeightedRowChunks.Chunk chunk in source.Read(MomentRows, cancellationToken))
        {
            int rows = chunk.Count, d = chunk.X.GetLength(1);
            if (min is null)
            {
                min = new double[d];
                max = new double[d];
                min.AsSpan().Fill(double.PositiveInfinity);
                max.AsSpan().Fill(double.NegativeInfinity);
            }

            CheckWidth(chunk.X, min.Length, source.Rows);
            a = Math.Max(a, RangeFrame.AddExtremes(chunk.X.AsSpan(), rows, d, min, max!));
            if (chunk.W is not null && rows > 0)
            {
                largestWeight = Math.Max(largestWeight, System.Numerics.Tensors.TensorPrimitives.Max(chunk.W.AsSpan(0, rows)));
            }

            n += rows;
        }

        if (min is null || n == 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        int shift = source.Weights is null ? 0 : RangeFrame.RelativeExponent(RangeFrame.WeightExponentOfMax(largestWeight), counts);
        return (RangeFrame.FromExtremes(a, min, max!), shift, n, min.Length);
    }

    /// <summary>The weights divided by 2^<paramref name="shift"/> as <see cref="RangeFrame.RelativeWeights"/> divides them (the source itself for 0).</summary>
    public static IRowChunkSource? ScaledWeights(IRowChunkSource? weights, int shift) =>
        weights is null || shift == 0 ? weights : new MappedRowChunkSource(weights, (w, scaled, _) =>
        {
            w.CopyTo(scaled);
            RangeFrame.NormalizeWeights(scaled, shift);
        });

    /// <summary>The rows in the frame's units (the source itself for the identity).</summary>
    public static IRowChunkSource Framed(IRowChunkSource source, RangeFrame frame) =>
        frame.IsIdentity ? source : new MappedRowChunkSource(source, frame.ToFrame);

    /// <summary>Throws when a chunk's width is not the data's.</summary>
    public static void CheckWidth(double[,] chunk, int d, IRowChunkSource source)
    {
        if (chunk.GetLength(1) != d)
        {
            throw new ArgumentException($"{source.Name}: a chunk has {chunk.GetLength(1)} columns; earlier rows have {d}.", nameof(source));
        }
    }

    /// <summary>One row by index (a pass up to its chunk): the "first" start and the re-seeding of an empty component.</summary>
    public static double[] ReadRow(IRowChunkSource source, int row, int d, CancellationToken cancellationToken) =>
        KMeansSourceSeeding.ReadRows(source, d, [row], cancellationToken)[0];

    /// <summary>The E-step of the engine's current parameters over the source into its totals; returns the mean log-likelihood (as <see cref="GaussianMixtureEngine.EStep"/>).</summary>
    public double EStep()
    {
        GaussianComponents p = _engine.Current;
        Pass(BlocksPerChunk * _engine.BlockSize, null, (x, w, rows, firstRow, _, stats, ws) => GaussianMixtureEngine.EStepInto(p, x, rows, w, firstRow, stats, ws));
        return _engine.Totals.LogLikelihood / _engine.Totals.SampleWeight;
    }

    /// <summary>
    /// The start <see cref="MixtureInit"/> <paramref name="init"/> other than <see cref="MixtureInit.First"/> (whose meaning
    /// depends on the fit): the in-memory <c>GaussianMixture.InitializeByMethod</c> over the source.
    /// </summary>
    public void InitializeByMethod(MixtureInit init, Random random)
    {
        switch (init)
        {
            case MixtureInit.RandomResponsibilities:
                // The in-memory start draws n × K uniforms row by row before its M-step: here chunk by chunk, in row order.
                StartFromResponsibilities((chunk, resp) => EmStarts.FillRandomResponsibilities(resp, chunk.Count, _k, random), random);
                break;
            case MixtureInit.RandomRows:
                {
                    int[] rows = EmStarts.DistinctRows(_engine.Rows, _k, random);
                    StartFromNearest(KMeansSourceSeeding.ToMatrix(KMeansSourceSeeding.ReadRows(_source.Rows, _d, rows, _cancellationToken), _d), random);
                    break;
                }

            case MixtureInit.KMeansPlusPlus:
                StartFromNearest(KMeansSourceSeeding.PlusPlus(_source, _engine.Rows, _d, _k, random, _dop, _cancellationToken), random);
                break;
            default:
                {
                    // The in-memory start: K-Means (weighted as the fit) with a seed drawn from the start's generator.
                    var kmeans = new KMeans(new KMeansOptions { Clusters = _k, Seed = random.Next(), MaxDegreeOfParallelism = _dop });
                    KMeansModel centers = (_source.Weights is null
                        ? kmeans.Fit(_source.Rows, null, _cancellationToken)
                        : kmeans.Fit(_source.Rows, _source.Weights, null, _cancellationToken)).Model;
                    StartFromLabels((chunk, labels) => centers.Assign(chunk.X, labels, _dop), random);
                    break;
                }
        }
    }

    /// <summary>The variational "first" start: every row labelled by the nearest of the first K rows, then one M-step.</summary>
    public void StartFromNearestOfFirstRows(Random random) =>
        StartFromNearest(KMeansSourceSeeding.ToMatrix(KMeansSourceSeeding.ReadRows(_source.Rows, _d, Enumerable.Range(0, _k).ToArray(), _cancellationToken), _d), random);

    /// <summary>Every row labelled by its nearest center (squared Euclidean, first on ties; the in-memory kernel), one-hot responsibilities, one M-step.</summary>
    private void StartFromNearest(double[,] centers, Random random)
    {
        int k = centers.GetLength(0), d = _d;
        double[] distances = [];
        StartFromLabels((chunk, labels) =>
        {
            int m = chunk.Count;
            if (distances.Length != m * k)
            {
                distances = new double[m * k];
            }

            Distances.PairwiseSquared(chunk.X.AsSpan(), m, d, centers.AsSpan(), k, distances, _dop);
            Distances.RowArgMin(distances, m, k, labels, default);
        }, random);
    }

    /// <summary>One-hot responsibilities from every chunk's labels, their statistics, one M-step (<see cref="GaussianMixtureEngine.InitializeFromLabels"/>).</summary>
    private void StartFromLabels(Action<WeightedRowChunks.Chunk, int[]> label, Random random)
    {
        int[] labels = [];
        StartFromResponsibilities((chunk, resp) =>
        {
            int m = chunk.Count;
            if (labels.Length != m)
            {
                labels = new int[m];
            }

            label(chunk, labels);
            Array.Clear(resp, 0, m * _k);
            for (int i = 0; i < m; i++)
            {
                resp[i * _k + labels[i]] = 1;
            }
        }, random);
    }

    /// <summary>
    /// The statistics of responsibilities written chunk by chunk (row-major, rows × K, for the chunk's rows), block by block
    /// as <see cref="GaussianMixtureEngine.InitializeFromResponsibilities"/> does, then one M-step.
    /// </summary>
    private void StartFromResponsibilities(Action<WeightedRowChunks.Chunk, double[]> responsibilities, Random random)
    {
        double[] resp = [];
        int k = _k;
        Pass(LabelRows, chunk =>
        {
            if (resp.Length < chunk.Count * k)
            {
                resp = new double[chunk.Count * k];
            }

            responsibilities(chunk, resp);
        }, (x, w, rows, _, offset, stats, ws) =>
        {
            Span<double> r = ws.LogProb;
            int stride = ws.BlockSize;
            double sw = 0;
            for (int i = 0; i < rows; i++)
            {
                double wi = w.IsEmpty ? 1.0 : w[i];
                sw += wi;
                for (int c = 0; c < k; c++)
                {
                    r[c * stride + i] = wi * resp[(offset + i) * k + c];
                }
            }

            GaussianMixtureEngine.ResponsibilitiesInto(_engine.Current.Shift, x, rows, sw, stats, ws);
        });
        _engine.MStep(random);
    }

    private delegate void BlockBody(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int rows, int firstRow, int offset, MixtureStatistics stats, MixtureWorkspace ws);

    /// <summary>
    /// One pass in chunks of <paramref name="chunkRows"/> rows (a whole number of blocks): <paramref name="prepare"/> on each
    /// chunk, then its blocks (in parallel, <see cref="BlocksPerChunk"/> at a time) merged into the engine's totals in block order.
    /// </summary>
    private void Pass(int chunkRows, Action<WeightedRowChunks.Chunk>? prepare, BlockBody body)
    {
        int d = _d, blockSize = _engine.BlockSize, group = BlocksPerChunk * blockSize;
        MixtureStatistics totals = _engine.Totals;
        totals.Reset();
        var fold = new MixtureSuperblockFold(_k, d, totals.FullScatter, blockSize); // the engine's structure
        foreach (WeightedRowChunks.Chunk chunk in _source.Read(chunkRows, _cancellationToken))
        {
            CheckWidth(chunk.X, d, _source.Rows);
            prepare?.Invoke(chunk);
            int rows = chunk.Count;
            for (int g = 0; g < rows; g += group)
            {
                int first = g, count = Math.Min(group, rows - g);
                ParallelBlocks.For(count, blockSize, _dop, (block, start, end) =>
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    MixtureWorkspace ws = _pool.TryTake(out MixtureWorkspace? w) ? w : new MixtureWorkspace(blockSize, _k, d);
                    int offset = first + start, m = end - start;
                    body(chunk.X.AsSpan().Slice(offset * d, m * d), chunk.W is null ? default : chunk.W.AsSpan(offset, m), m, (int)chunk.First + offset, offset, _blockStats[block], ws);
                    _pool.Add(ws);
                });
                int blocks = ParallelBlocks.BlockCount(count, blockSize);
                for (int b = 0; b < blocks; b++)
                {
                    fold.Add(totals, _blockStats[b]);
                }
            }
        }

        fold.Finish(totals);
    }
}
