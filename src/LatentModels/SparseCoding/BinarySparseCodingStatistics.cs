using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// The expected sufficient statistics of binary sparse coding under q: the row count, Σĥ, Σ(1 − ĥ), A = Σ E[hhᵀ]
/// (= ĤᵀĤ + diag Σ ĥ(1 − ĥ)), B = Σ v ĥᵀ (d × H) and Σ v² per dimension. Sums merge by addition; the M-step turns them
/// into W, b and β in closed form.
/// </summary>
internal sealed class BinarySparseCodingStatistics
{
    public BinarySparseCodingStatistics(int components, int dimension)
    {
        Components = components;
        Dimension = dimension;
        SumMeans = new double[components];
        SumComplements = new double[components];
        SecondMoments = new double[components * components];
        Cross = new double[dimension * components];
        SumSquares = new double[dimension];
    }

    /// <summary>H.</summary>
    public int Components { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>Rows summarised.</summary>
    public double Count { get; private set; }

    /// <summary>Σ ĥᵢ.</summary>
    public double[] SumMeans { get; }

    /// <summary>Σ (1 − ĥᵢ), each term computed as σ(−ℓᵢ) (exact where ĥᵢ rounds to 1).</summary>
    public double[] SumComplements { get; }

    /// <summary>A = Σ E[h hᵀ], H × H.</summary>
    public double[] SecondMoments { get; }

    /// <summary>B = Σ v ĥᵀ, d × H.</summary>
    public double[] Cross { get; }

    /// <summary>Σ v² per dimension.</summary>
    public double[] SumSquares { get; }

    /// <summary>Sets the statistics of rows first … first + count − 1 (data rows given from the batch's first row).</summary>
    public void Compute(ReadOnlySpan<double> rows, int count, double[] logits, double[] means, int first, int maxDegreeOfParallelism)
    {
        int h = Components, d = Dimension;
        ReadOnlySpan<double> m = means.AsSpan(first * h, count * h);
        ReadOnlySpan<double> l = logits.AsSpan(first * h, count * h);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, h, h, count, 1.0, m, h, m, h, 0.0, SecondMoments, h, maxDegreeOfParallelism);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, d, h, count, 1.0, rows, d, m, h, 0.0, Cross, h, maxDegreeOfParallelism);
        Array.Clear(SumMeans);
        Array.Clear(SumComplements);
        Array.Clear(SumSquares);
        for (int r = 0; r < count; r++)
        {
            for (int i = 0; i < h; i++)
            {
                double on = m[r * h + i], off = BernoulliMeanField.Sigmoid(-l[r * h + i]);
                SumMeans[i] += on;
                SumComplements[i] += off;
            }

            ReadOnlySpan<double> v = rows.Slice(r * d, d);
            for (int k = 0; k < d; k++)
            {
                SumSquares[k] += v[k] * v[k];
            }
        }

        // E[hᵢ²] = E[hᵢ] = ĥᵢ: the diagonal of A is Σĥᵢ (ĤᵀĤ's Σĥᵢ² plus the variances Σĥᵢ(1 − ĥᵢ)).
        for (int i = 0; i < h; i++)
        {
            SecondMoments[i * h + i] = SumMeans[i];
        }

        Count = count;
        Symmetrize();
    }

    /// <summary>Sets these statistics to the sum of <paramref name="parts"/>, added in order.</summary>
    public void SetSum(IReadOnlyList<BinarySparseCodingStatistics> parts)
    {
        Count = 0;
        Array.Clear(SumMeans);
        Array.Clear(SumComplements);
        Array.Clear(SecondMoments);
        Array.Clear(Cross);
        Array.Clear(SumSquares);
        foreach (BinarySparseCodingStatistics part in parts)
        {
            Count += part.Count;
            Add(SumMeans, part.SumMeans);
            Add(SumComplements, part.SumComplements);
            Add(SecondMoments, part.SecondMoments);
            Add(Cross, part.Cross);
            Add(SumSquares, part.SumSquares);
        }
    }

    private static void Add(double[] total, double[] part)
    {
        for (int i = 0; i < total.Length; i++)
        {
            total[i] += part[i];
        }
    }

    /// <summary>The GEMM computes the two triangles of ĤᵀĤ from different products; keep the lower one.</summary>
    private void Symmetrize()
    {
        int h = Components;
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < i; j++)
            {
                SecondMoments[j * h + i] = SecondMoments[i * h + j];
            }
        }
    }
}
