namespace LatentModels.LinearAlgebra;

/// <summary>Pairwise squared Euclidean distances and row-wise arg-min, computed through GEMM.</summary>
public static class Distances
{
    /// <summary>Writes ‖xᵢ‖² for each row of the row-major n × d matrix <paramref name="x"/>.</summary>
    /// <param name="x">n × d, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="norms">n values.</param>
    public static void RowSquaredNorms(ReadOnlySpan<double> x, int rows, int cols, Span<double> norms)
    {
        for (int i = 0; i < rows; i++)
        {
            norms[i] = System.Numerics.Tensors.TensorPrimitives.Dot(x.Slice(i * cols, cols), x.Slice(i * cols, cols));
        }
    }

    /// <summary>
    /// D[i, j] = ‖xᵢ − cⱼ‖² = ‖xᵢ‖² − 2xᵢ·cⱼ + ‖cⱼ‖², clamped at 0, for the rows of x (n × d) and of the centres (k × d).
    /// </summary>
    /// <param name="x">n × d rows, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="centres">k × d centres, row-major.</param>
    /// <param name="centreCount">k.</param>
    /// <param name="destination">n × k distances, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static void PairwiseSquared(ReadOnlySpan<double> x, int rows, int cols, ReadOnlySpan<double> centres, int centreCount,
        Span<double> destination, int maxDegreeOfParallelism = 0)
    {
        var xn = new double[rows];
        var cn = new double[centreCount];
        RowSquaredNorms(x, rows, cols, xn);
        RowSquaredNorms(centres, centreCount, cols, cn);
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, centreCount, cols, -2.0, x, cols, centres, cols, 0.0, destination, centreCount, maxDegreeOfParallelism);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < centreCount; j++)
            {
                destination[i * centreCount + j] = Math.Max(0.0, destination[i * centreCount + j] + xn[i] + cn[j]);
            }
        }
    }

    /// <summary>For each row of a row-major rows × cols matrix, the index and value of its smallest entry (first on ties).</summary>
    /// <param name="values">rows × cols, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns (≥ 1).</param>
    /// <param name="argMin">rows indices.</param>
    /// <param name="min">rows minima (may be empty to skip).</param>
    public static void RowArgMin(ReadOnlySpan<double> values, int rows, int cols, Span<int> argMin, Span<double> min)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = values.Slice(i * cols, cols);
            int best = 0;
            for (int j = 1; j < cols; j++)
            {
                if (row[j] < row[best])
                {
                    best = j;
                }
            }

            argMin[i] = best;
            if (!min.IsEmpty)
            {
                min[i] = row[best];
            }
        }
    }
}
