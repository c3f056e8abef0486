using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>
/// A chunk source that keeps the rows of its first complete pass in memory, when they take at most a given number of
/// values, and serves every later pass from there: the fits that stream a file re-read it many times (an epoch, a
/// k-means++ pass, an iteration), and a small file should be parsed once. Later passes hand out the same values in
/// chunks of the same sizes as the file would, so results keep their bits. A pass that outgrows the bound (or stops
/// early, or fails) keeps nothing, and the source then reads the file every time: memory stays bounded by the bound.
/// </summary>
/// <param name="inner">The file's source.</param>
/// <param name="maxValues">The most values kept (8 bytes each).</param>
internal sealed class CachedRowChunkSource(IRowChunkSource inner, long maxValues) : IRowChunkSource
{
    private readonly object _gate = new();
    private List<double[]>? _blocks; // Row-major copies of the first complete pass's chunks, in order.
    private int _columns;
    private long _rows;
    private bool _tooLarge;

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <summary>Whether the rows are held in memory (after a complete pass within the bound).</summary>
    public bool IsCached
    {
        get
        {
            lock (_gate)
            {
                return _blocks is not null;
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        List<double[]>? blocks;
        bool tooLarge;
        lock (_gate)
        {
            blocks = _blocks;
            tooLarge = _tooLarge;
        }

        return blocks is not null ? Replay(blocks, chunkRows, cancellationToken)
            : tooLarge ? inner.ReadChunks(chunkRows, cancellationToken)
            : ReadThrough(chunkRows, cancellationToken);
    }

    private IEnumerable<double[,]> ReadThrough(int chunkRows, CancellationToken cancellationToken)
    {
        List<double[]>? kept = [];
        long values = 0, rows = 0;
        int columns = 0;
        foreach (double[,] chunk in inner.ReadChunks(chunkRows, cancellationToken))
        {
            if (kept is not null)
            {
                values += chunk.Length;
                if (values > maxValues)
                {
                    kept = null;
                    lock (_gate)
                    {
                        _tooLarge = true;
                    }
                }
                else
                {
                    kept.Add(Values(chunk).ToArray());
                    rows += chunk.GetLength(0);
                    columns = chunk.GetLength(1);
                }
            }

            yield return chunk;
        }

        if (kept is not null)
        {
            lock (_gate)
            {
                (_blocks, _rows, _columns) = (kept, rows, columns);
            }
        }
    }

    private IEnumerable<double[,]> Replay(List<double[]> blocks, int chunkRows, CancellationToken cancellationToken)
    {
        int d = _columns;
        long left = _rows;
        double[,]? full = null;
        int block = 0, offset = 0; // The next value to copy: blocks[block][offset].
        while (left > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = (int)Math.Min(chunkRows, left);
            double[,] chunk = rows == chunkRows ? full ??= new double[chunkRows, d] : new double[rows, d];
            Span<double> target = Values(chunk);
            int filled = 0;
            while (filled < target.Length)
            {
                double[] source = blocks[block];
                int take = Math.Min(source.Length - offset, target.Length - filled);
                source.AsSpan(offset, take).CopyTo(target[filled..]);
                filled += take;
                offset += take;
                if (offset == source.Length)
                {
                    block++;
                    offset = 0;
                }
            }

            left -= rows;
            yield return chunk;
        }
    }

    /// <summary>A rectangular array's row-major storage (no copy).</summary>
    private static Span<double> Values(double[,] array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);
}
