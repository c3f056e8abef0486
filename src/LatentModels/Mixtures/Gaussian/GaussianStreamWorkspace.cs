using System.Collections.Concurrent;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// The buffers streaming EM keeps across mini-batches: the per-row step weights, the statistics of the current
/// mini-batch, one block workspace for batches of one block (every single point), and for larger batches a pool of
/// workspaces and per-block statistics merged in block order. Nothing is allocated per point once a batch of the same
/// size has been seen.
/// </summary>
internal sealed class GaussianStreamWorkspace
{
    private readonly int _k, _d;
    private readonly bool _full;
    private readonly int _blockSize;
    private readonly MixtureWorkspace _single;
    private readonly ConcurrentBag<MixtureWorkspace> _pool = [];
    private MixtureStatistics[] _blocks = [];
    private double[] _weights = new double[1];
    private GaussianComponents? _parameters;
    private double[,]? _data;

    public GaussianStreamWorkspace(int components, int dimension, bool fullScatter)
    {
        _k = components;
        _d = dimension;
        _full = fullScatter;
        _blockSize = GaussianMixtureEngine.BlockSizeFor(components, dimension);
        _single = new MixtureWorkspace(_blockSize, components, dimension);
        Batch = new MixtureStatistics(components, dimension, fullScatter);
    }

    /// <summary>The statistics of the last mini-batch (means relative to the parameters' shift).</summary>
    public MixtureStatistics Batch { get; }

    /// <summary>The per-row step weights of a mini-batch of <paramref name="rows"/> rows (grown when needed, else reused).</summary>
    public double[] Weights(int rows)
    {
        if (_weights.Length < rows)
        {
            _weights = new double[rows];
        }

        return _weights;
    }

    /// <summary>
    /// The weighted E-step of the rows <paramref name="x"/> (row-major, <paramref name="rows"/> × d; the weights from
    /// <see cref="Weights"/>) against <paramref name="p"/> into <see cref="Batch"/>. A batch of at most one block runs inline;
    /// a larger one runs its fixed-size blocks in parallel (<paramref name="source"/> holds the same rows) and merges them
    /// in block order, so the bits do not depend on the thread count.
    /// </summary>
    public void EStep(GaussianComponents p, ReadOnlySpan<double> x, int rows, double[,]? source, int maxDegreeOfParallelism)
    {
        if (rows <= _blockSize)
        {
            GaussianMixtureEngine.EStepInto(p, x, rows, _weights.AsSpan(0, rows), 0, Batch, _single);
            return;
        }

        EStepBlocks(p, rows, source ?? throw new InvalidOperationException("A batch of several blocks needs its rows as an array."), maxDegreeOfParallelism);
    }

    /// <summary>
    /// The blocks of a batch of several blocks, through the state-passing <see cref="ParallelBlocks.For{TState}(int, int, int, TState, Action{TState, int, int, int})"/> with a
    /// static body: nothing is allocated when the blocks run serially (one thread); the parallel dispatch allocates only
    /// its own bookkeeping.
    /// </summary>
    private void EStepBlocks(GaussianComponents p, int rows, double[,] data, int maxDegreeOfParallelism)
    {
        int blocks = ParallelBlocks.BlockCount(rows, _blockSize);
        if (_blocks.Length < blocks)
        {
            int old = _blocks.Length;
            Array.Resize(ref _blocks, blocks);
            for (int b = old; b < blocks; b++)
            {
                _blocks[b] = new MixtureStatistics(_k, _d, _full);
            }
        }

        _parameters = p;
        _data = data;
        try
        {
            ParallelBlocks.For(rows, _blockSize, maxDegreeOfParallelism, this, static (self, block, start, end) => self.EStepBlock(block, start, end));
        }
        finally
        {
            _parameters = null;
            _data = null;
        }

        Batch.Reset();
        for (int b = 0; b < blocks; b++)
        {
            Batch.Merge(_blocks[b]);
        }
    }

    private void EStepBlock(int block, int start, int end)
    {
        int d = _d;
        MixtureWorkspace ws = _pool.TryTake(out MixtureWorkspace? pooled) ? pooled : new MixtureWorkspace(_blockSize, _k, d);
        GaussianMixtureEngine.EStepInto(_parameters!, _data!.AsSpan().Slice(start * d, (end - start) * d), end - start, _weights.AsSpan(start, end - start), start, _blocks[block], ws);
        _pool.Add(ws);
    }
}
