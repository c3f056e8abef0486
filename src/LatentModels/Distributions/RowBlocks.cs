using LatentModels.LinearAlgebra;

namespace LatentModels.Distributions;

/// <summary>Evaluates a function of rows block by block: fixed-size blocks, in parallel, same bits for any thread count.</summary>
internal static class RowBlocks
{
    /// <summary>Rows per block; block boundaries depend only on n, never on the number of threads.</summary>
    public const int BlockSize = 256;

    /// <summary>Below this many floating-point operations a batch runs on the calling thread: waking the thread pool
    /// costs more than the work. Results do not depend on the choice (blocks are fixed).</summary>
    public const long ParallelThreshold = 1L << 20;

    /// <summary>The degree of parallelism for <paramref name="work"/> operations under the cap <paramref name="maxDegreeOfParallelism"/>.</summary>
    public static int Parallelism(long work, int maxDegreeOfParallelism) => work < ParallelThreshold ? 1 : maxDegreeOfParallelism;

    /// <summary>Computes a value for each row of a block: (rows of the block, row count, destination).</summary>
    public delegate void BlockBody(ReadOnlySpan<double> rows, int count, Span<double> destination);

    /// <summary>Runs <paramref name="body"/> over all rows of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    public static void Evaluate(double[,] data, Span<double> destination, int maxDegreeOfParallelism, BlockBody body)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        if (n <= BlockSize || ParallelBlocks.Resolve(maxDegreeOfParallelism) == 1)
        {
            ReadOnlySpan<double> all = data.AsSpan();
            for (int start = 0; start < n; start += BlockSize)
            {
                int count = Math.Min(BlockSize, n - start);
                body(all.Slice(start * d, count * d), count, destination.Slice(start, count));
            }

            return;
        }

        // The destination stays pinned while the (synchronous) parallel loop writes each block straight into it.
        unsafe
        {
            fixed (double* pinned = destination)
            {
                nint address = (nint)pinned;
                ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (_, start, end) =>
                    body(data.AsSpan().Slice(start * d, (end - start) * d), end - start, new Span<double>((double*)address + start, end - start)));
            }
        }
    }

    /// <summary>The mean of the per-row values of <paramref name="body"/>: block sums combined in block order.</summary>
    public static double Mean(double[,] data, int maxDegreeOfParallelism, BlockBody body)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        int blocks = ParallelBlocks.BlockCount(n, BlockSize);
        var sums = new double[blocks];
        ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (b, start, end) =>
        {
            Span<double> values = stackalloc double[BlockSize];
            values = values[..(end - start)];
            body(data.AsSpan().Slice(start * d, (end - start) * d), end - start, values);
            double s = 0;
            foreach (double v in values)
            {
                s += v;
            }

            sums[b] = s;
        });
        double total = 0;
        foreach (double s in sums)
        {
            total += s;
        }

        return total / n;
    }
}
