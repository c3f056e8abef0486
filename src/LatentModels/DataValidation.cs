using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LatentModels;

/// <summary>Checks user input once at the door and exposes 2-D arrays as row-major spans without copying.</summary>
internal static class DataValidation
{
    /// <summary>Views a rectangular array as its row-major storage (no copy).</summary>
    public static ReadOnlySpan<double> AsSpan(this double[,] array) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>Views a rectangular array as its writable row-major storage (no copy).</summary>
    public static Span<double> AsWritableSpan(this double[,] array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>Views a rectangular float array as its row-major storage (no copy).</summary>
    public static ReadOnlySpan<float> AsSpan(this float[,] array) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>One row of a rectangular array.</summary>
    public static ReadOnlySpan<double> Row(this double[,] array, int row)
    {
        int d = array.GetLength(1);
        return array.AsSpan().Slice(row * d, d);
    }

    /// <summary>Throws unless <paramref name="data"/> is non-null, has at least <paramref name="minRows"/> rows and one column, and holds only finite values.</summary>
    public static void CheckMatrix(double[,] data, string paramName, int minRows = 1)
    {
        ArgumentNullException.ThrowIfNull(data, paramName);
        int n = data.GetLength(0), d = data.GetLength(1);
        if (n < minRows)
        {
            throw new ArgumentException(n == 0 ? "The data has no rows." : $"The data has {n} rows; at least {minRows} are needed.", paramName);
        }

        if (d == 0)
        {
            throw new ArgumentException("The data has no columns.", paramName);
        }

        CheckFinite(data.AsSpan(), d, paramName);
    }

    /// <summary>Throws naming the row and column of the first NaN or infinity in a row-major block.</summary>
    public static void CheckFinite(ReadOnlySpan<double> values, int columns, string paramName)
    {
        // Fast path: the sum of x*0 is NaN iff some x is NaN or infinite.
        if (double.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(values) * 0.0) && AllFinite(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"The value at row {i / columns}, column {i % columns} is {values[i]}; every value must be finite.", paramName);
            }
        }
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks that a point has the model's dimension and finite values.</summary>
    public static void CheckPoint(ReadOnlySpan<double> point, int dimension, string paramName)
    {
        if (point.Length != dimension)
        {
            throw new ArgumentException($"The point has {point.Length} values but the model has dimension {dimension}.", paramName);
        }

        CheckFinite(point, dimension, paramName);
    }

    /// <summary>Checks that the data's column count equals the model's dimension.</summary>
    public static void CheckDimension(double[,] data, int dimension, string paramName)
    {
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (data.GetLength(1) != dimension)
        {
            throw new ArgumentException($"The data has {data.GetLength(1)} columns but the model has dimension {dimension}.", paramName);
        }
    }

    /// <summary>Checks per-row sample weights: one per row, finite, non-negative and not all zero. Returns their sum.</summary>
    public static double CheckWeights(ReadOnlySpan<double> weights, int rows, string paramName)
    {
        if (weights.Length != rows)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {rows} rows.", paramName);
        }

        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i];
            if (!double.IsFinite(w) || w < 0)
            {
                throw new ArgumentException($"The weight of row {i} is {w}; weights must be finite and non-negative.", paramName);
            }

            sum += w;
        }

        if (sum <= 0)
        {
            throw new ArgumentException("The weights sum to zero; at least one row must have a positive weight.", paramName);
        }

        return sum;
    }

    /// <summary>
    /// Checks the sample weights of one partition of the data: one per row, finite and non-negative; unlike
    /// <see cref="CheckWeights"/> they may all be zero (such a partition contributes nothing to merged statistics).
    /// </summary>
    public static void CheckPartitionWeights(ReadOnlySpan<double> weights, int rows, string paramName)
    {
        if (weights.Length != rows)
        {
            throw new ArgumentException($"There are {weights.Length} sample weights for {rows} rows.", paramName);
        }

        for (int i = 0; i < weights.Length; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException($"The sample weight of row {i} is {weights[i]}; weights must be finite and non-negative.", paramName);
            }
        }
    }

    /// <summary>Copies a jagged array into a rectangular one, rejecting null or ragged rows.</summary>
    public static double[,] ToRectangular(double[][] rows, string paramName)
    {
        ArgumentNullException.ThrowIfNull(rows, paramName);
        if (rows.Length == 0)
        {
            throw new ArgumentException("The data has no rows.", paramName);
        }

        int d = rows[0]?.Length ?? throw new ArgumentException("Row 0 is null.", paramName);
        var result = new double[rows.Length, d];
        Span<double> dst = result.AsWritableSpan();
        for (int i = 0; i < rows.Length; i++)
        {
            double[] row = rows[i] ?? throw new ArgumentException($"Row {i} is null.", paramName);
            if (row.Length != d)
            {
                throw new ArgumentException($"Row {i} has {row.Length} values but row 0 has {d}.", paramName);
            }

            row.CopyTo(dst.Slice(i * d, d));
        }

        return result;
    }
}
