using System.Collections.Concurrent;
using System.Diagnostics;
using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM of a Gaussian mixture over a <see cref="IRowChunkSource"/> read again for every iteration (memory: one chunk
/// and the parameters), as a driver over the in-memory fit's own pieces: a first pass gives the data moments with the
/// summation order of <see cref="WeightedMoments.FromRows"/>; every E-step runs <see cref="GaussianMixtureEngine.EStepInto"/>
/// on blocks of <see cref="GaussianMixtureEngine.BlockSize"/> rows and merges them into the engine's totals from first to
/// last; the M-step is the engine's (the options' maximum-likelihood or MAP rule, the re-seeding of an empty component);
/// the iterations, the stopping rule, progress and cancellation are <see cref="EmDriver"/>'s. Chunks are
/// <see cref="ChunkRows"/> rows in the first pass (a multiple of <see cref="WeightedMoments.ChunkSize"/>) and
/// <see cref="BlocksPerChunk"/> blocks in the E-step passes, so the blocks are the in-memory blocks and every iteration
/// has the in-memory bits.
/// </summary>
internal static class GaussianMixtureOutOfCore
{
    /// <summary>Rows read per chunk: 16 × 1024, a multiple of every <see cref="GaussianMixtureEngine.BlockSizeFor"/> (a power of two ≤ 1024) and of 256.</summary>
    internal const int ChunkRows = 16 * 1024;

    /// <summary>Blocks per chunk of an E-step pass (the chunk is a whole number of blocks; memory: this many block statistics).</summary>
    internal const int BlocksPerChunk = 64;

    public static FitResult<GaussianMixtureModel> Fit(GaussianMixtureOptions o, IRowChunkSource source, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        bool full = GaussianMixtureEngine.NeedsFullDataScatter(o);
        WeightedMoments? moments = null, scratch = null;
        long n = 0;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            int rows = chunk.GetLength(0), d = chunk.GetLength(1);
            if (moments is null)
            {
                moments = new WeightedMoments(d, full);
                scratch = new WeightedMoments(d, full);
            }

            CheckWidth(chunk, moments.Dimension, source);
            moments.AccumulateRowsChecked(chunk.AsSpan(), rows, null, scratch!);
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

        o.Validate((int)n, moments.Dimension);
        if (o.InitialModel is null && !(o.InitialWeights is not null && o.InitialMeans is not null && o.InitialPrecisions is not null)
            && o.Init is not (MixtureInit.KMeans or MixtureInit.First))
        {
            throw new ArgumentException($"An out-of-core fit starts from explicit parameters, Init = KMeans (the out-of-core K-Means) or Init = First; not {o.Init}.", nameof(o));
        }

        var engine = new GaussianMixtureEngine((int)n, moments.Dimension, moments, o, row => ReadRow(source, row, moments.Dimension, cancellationToken));
        (GaussianComponents best, FitReport report) = EmDriver.Run(new Run(engine, source, o, cancellationToken),
            o.Starts, o.Seed, o.MaxIterations, o.Tolerance, engine.Rule.ObjectiveName, progress, cancellationToken, clock);
        return new FitResult<GaussianMixtureModel>(new GaussianMixtureModel(best), report);
    }

    private static void CheckWidth(double[,] chunk, int d, IRowChunkSource source)
    {
        if (chunk.GetLength(1) != d)
        {
            throw new ArgumentException($"{source.Name}: a chunk has {chunk.GetLength(1)} columns; earlier rows have {d}.", nameof(source));
        }
    }

    /// <summary>One row by index (a pass up to its chunk): for the "first" start and the rare re-seeding of an empty component.</summary>
    private static double[] ReadRow(IRowChunkSource source, int row, int d, CancellationToken cancellationToken)
    {
        long first = 0;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            int rows = chunk.GetLength(0);
            if (row < first + rows)
            {
                return chunk.AsSpan().Slice((int)(row - first) * d, d).ToArray();
            }

            first += rows;
        }

        throw new ArgumentException($"{source.Name} has fewer than {row + 1} rows.", nameof(source));
    }

    /// <summary>The EM run of the driver: starts and E-steps over the source, the engine's M-step.</summary>
    private sealed class Run : IEmRun<GaussianComponents>
    {
        private readonly GaussianMixtureEngine _engine;
        private readonly IRowChunkSource _source;
        private readonly GaussianMixtureOptions _options;
        private readonly CancellationToken _cancellationToken;
        private readonly ConcurrentBag<MixtureWorkspace> _pool = [];
        private readonly MixtureStatistics[] _blockStats;

        public Run(GaussianMixtureEngine engine, IRowChunkSource source, GaussianMixtureOptions options, CancellationToken cancellationToken)
        {
            _engine = engine;
            _source = source;
            _options = options;
            _cancellationToken = cancellationToken;
            _blockStats = new MixtureStatistics[ParallelBlocks.BlockCount((int)Math.Min(BlocksPerChunk * engine.BlockSize, engine.Rows), engine.BlockSize)];
            for (int b = 0; b < _blockStats.Length; b++)
            {
                _blockStats[b] = new MixtureStatistics(options.Components, engine.Current.D, engine.Current.Form.FullScatter);
            }
        }

        public double Start(int start, Random random)
        {
            GaussianMixtureOptions o = _options;
            if (o.InitialModel is { } initial)
            {
                _engine.InitializeFrom(initial.Parameters);
            }
            else
            {
                bool complete = o.InitialWeights is not null && o.InitialMeans is not null && o.InitialPrecisions is not null;
                if (!complete)
                {
                    if (o.Init == MixtureInit.First)
                    {
                        _engine.InitializeFirst();
                    }
                    else
                    {
                        KMeansStart(random);
                    }
                }

                if (o.InitialWeights is not null || o.InitialMeans is not null || o.InitialPrecisions is not null)
                {
                    _engine.InitializeFrom(o.PartialStart(_engine.Current));
                }
            }

            return EStep();
        }

        public double Iterate(Random random)
        {
            _engine.MStep(random);
            return EStep();
        }

        public GaussianComponents Snapshot() => _engine.Current.Clone();

        /// <summary>The in-memory K-Means start over the source: the out-of-core K-Means, its labels as one-hot responsibilities, an M-step.</summary>
        private void KMeansStart(Random random)
        {
            GaussianMixtureOptions o = _options;
            var kmeans = new KMeans(new KMeansOptions { Clusters = o.Components, Seed = random.Next(), MaxDegreeOfParallelism = o.MaxDegreeOfParallelism });
            KMeansModel centers = kmeans.Fit(_source, null, _cancellationToken).Model;
            GaussianComponents p = _engine.Current;
            int k = o.Components;
            Pass((x, rows, firstRow, stats, ws) =>
            {
                var block = new double[rows, p.D];
                x.CopyTo(block.AsWritableSpan());
                var labels = new int[rows];
                centers.Assign(block, labels, maxDegreeOfParallelism: 1);
                Span<double> resp = ws.LogProb;
                for (int i = 0; i < rows; i++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        resp[c * ws.BlockSize + i] = c == labels[i] ? 1.0 : 0.0;
                    }
                }

                GaussianMixtureEngine.ResponsibilitiesInto(p.Shift, x, rows, rows, stats, ws);
            });
            _engine.MStep(random);
        }

        /// <summary>The E-step of the current parameters over the source; returns the objective (as the in-memory fit).</summary>
        private double EStep()
        {
            GaussianComponents p = _engine.Current;
            Pass((x, rows, firstRow, stats, ws) => GaussianMixtureEngine.EStepInto(p, x, rows, null, firstRow, stats, ws));
            return _engine.Objective(_engine.Totals.LogLikelihood / _engine.Totals.SampleWeight);
        }

        private delegate void BlockBody(ReadOnlySpan<double> x, int rows, int firstRow, MixtureStatistics stats, MixtureWorkspace ws);

        /// <summary>One pass: every chunk's blocks computed (in parallel) and merged into the engine's totals in block order.</summary>
        private void Pass(BlockBody body)
        {
            int d = _engine.Current.D, blockSize = _engine.BlockSize;
            MixtureStatistics totals = _engine.Totals;
            totals.Reset();
            long first = 0;
            foreach (double[,] chunk in _source.ReadChunks(BlocksPerChunk * blockSize, _cancellationToken))
            {
                CheckWidth(chunk, d, _source);
                int rows = chunk.GetLength(0);
                int chunkFirst = (int)first;
                ParallelBlocks.For(rows, blockSize, _options.MaxDegreeOfParallelism, (block, start, end) =>
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    MixtureWorkspace ws = _pool.TryTake(out MixtureWorkspace? w) ? w : new MixtureWorkspace(blockSize, _options.Components, d);
                    body(chunk.AsSpan().Slice(start * d, (end - start) * d), end - start, chunkFirst + start, _blockStats[block], ws);
                    _pool.Add(ws);
                });
                int blocks = ParallelBlocks.BlockCount(rows, blockSize);
                for (int b = 0; b < blocks; b++)
                {
                    totals.Merge(_blockStats[b]);
                }

                first += rows;
            }
        }
    }
}
