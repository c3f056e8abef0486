using MathNet.Numerics.LinearAlgebra;

namespace LatentModels;

/// <summary>Conversions between the library's row-major <c>double[,]</c> matrices and other representations.</summary>
public static class Interop
{
    /// <summary>Copies a jagged array (rows of equal length) into a rectangular matrix.</summary>
    /// <param name="rows">The rows; none may be null and all must have the same length.</param>
    /// <exception cref="ArgumentException">A row is null or has a different length from row 0.</exception>
    public static double[,] ToMatrix(this double[][] rows) => DataValidation.ToRectangular(rows, nameof(rows));

    /// <summary>Copies a MathNet matrix into a rectangular row-major array.</summary>
    /// <param name="matrix">The MathNet matrix.</param>
    public static double[,] ToMatrix(this Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.ToArray();
    }

    /// <summary>Copies a rectangular array into a MathNet dense matrix.</summary>
    /// <param name="array">The array.</param>
    public static Matrix<double> ToMathNet(this double[,] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return Matrix<double>.Build.DenseOfArray(array);
    }
}
