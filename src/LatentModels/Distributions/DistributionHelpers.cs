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

/// <summary>Standard normal variates from a caller's <see cref="Random"/> (Box–Muller, both outputs used).</summary>
internal static class StandardNormal
{
    /// <summary>One standard normal variate.</summary>
    public static double Next(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with independent standard normal variates.</summary>
    public static void Fill(Random random, Span<double> destination)
    {
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            destination[i] = radius * cos;
            destination[i + 1] = radius * sin;
        }

        if (i < destination.Length)
        {
            destination[i] = Next(random);
        }
    }
}

/// <summary>Argument checks shared by the distributions.</summary>
internal static class DistributionChecks
{
    /// <summary>Validates data and weights for a weighted fit; returns the total weight W.</summary>
    public static double CheckFitInput(double[,] data, ReadOnlySpan<double> weights, string dataName, string weightsName)
    {
        DataValidation.CheckMatrix(data, dataName);
        return weights.IsEmpty ? data.GetLength(0) : DataValidation.CheckWeights(weights, data.GetLength(0), weightsName);
    }

    /// <summary>Checks the model dimension of a batch and the length of its destination.</summary>
    public static void CheckBatch(double[,] data, int dimension, Span<double> destination, string dataName, string destinationName)
    {
        DataValidation.CheckDimension(data, dimension, dataName);
        if (destination.Length < data.GetLength(0))
        {
            throw new ArgumentException($"The destination has {destination.Length} values but the data has {data.GetLength(0)} rows.", destinationName);
        }

        DataValidation.CheckFinite(data.AsSpan(), dimension, dataName);
    }

    /// <summary>The mean log-density of the rows (summed in row order): the <c>Score</c> of the discrete distributions.</summary>
    public static double MeanLogDensity(IDensityModel model, double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        var values = new double[data.GetLength(0)];
        model.LogDensity(data, values);
        return values.Sum() / values.Length;
    }

    /// <summary>Checks that a probability is finite and in [0, 1].</summary>
    public static void CheckProbability(double p, string paramName, string what)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, p, $"{what} is {p}; a probability must be in [0, 1].");
        }
    }

    /// <summary>Checks that a value is exactly 0 or 1.</summary>
    public static void CheckBinary(double value, int row, int column, string paramName)
    {
        if (value != 0 && value != 1)
        {
            throw new ArgumentException($"The value at row {row}, column {column} is {value}; binary data must be 0 or 1.", paramName);
        }
    }

    /// <summary>p·log(p/q) with 0·log(0/q) = 0 and +∞ when p &gt; 0 = q.</summary>
    public static double RelativeEntropyTerm(double p, double q) =>
        p == 0 ? 0 : (q == 0 ? double.PositiveInfinity : p * Math.Log(p / q));

    /// <summary>−p·log p with 0·log 0 = 0.</summary>
    public static double EntropyTerm(double p) => p == 0 ? 0 : -p * Math.Log(p);

    /// <summary>A copy of a 1-D array as an immutable list.</summary>
    public static IReadOnlyList<double> ReadOnly(double[] values) => Array.AsReadOnly(values);
}
