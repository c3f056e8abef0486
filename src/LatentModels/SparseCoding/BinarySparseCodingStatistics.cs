using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// The expected sufficient statistics of binary sparse coding under q: the row count, Σĥ, Σ(1 − ĥ), A = Σ E[hhᵀ]
/// (= ĤᵀĤ + diag Σ ĥ(1 − ĥ)), B = Σ v ĥᵀ (d × H) and Σ v² per dimension. Sums merge by addition
/// (<see cref="Merge"/>); the M-step (<see cref="ToModel"/>) turns them into W, b and β in closed form. Partitions
/// compute them where their data lives (<see cref="BinarySparseCodingModel.ComputeStatistics"/>), a driver merges them
/// in a fixed order (<see cref="MergeableStatistics.Merge{T}"/>) and takes the M-step: one step of variational EM.
/// Immutable to callers; persisted by <see cref="Persistence.ModelJson"/> (format
/// <c>LatentModels.BinarySparseCodingStatistics</c>).
/// </summary>
/// <remarks>
/// <see cref="BinarySparseCodingModel.ComputeStatistics"/> infers q and sums the statistics in fixed blocks of
/// <see cref="BlockRows"/> rows, first to last, so partitions of one block each, merged from first to last, equal the
/// statistics of all the rows bit for bit (for any thread count); partitions aligned with the blocks agree to rounding,
/// other splits to the inference tolerance (the mean-field sweeps of a block stop together).
/// </remarks>
public sealed class BinarySparseCodingStatistics : IMergeableStatistics<BinarySparseCodingStatistics>
{
    /// <summary>The rows per block of <see cref="BinarySparseCodingModel.ComputeStatistics"/>.</summary>
    public const int BlockRows = 64;

    internal BinarySparseCodingStatistics(int components, int dimension)
    {
        Components = components;
        Dimension = dimension;
        SumMeans = new double[components];
        SumComplements = new double[components];
        SecondMoments = new double[components * components];
        Cross = new double[dimension * components];
        SumSquares = new double[dimension];
    }

    /// <summary>The number of latents H.</summary>
    public int Components { get; }

    /// <summary>The dimension d of the rows.</summary>
    public int Dimension { get; }

    /// <summary>The number of rows summarised.</summary>
    public double TotalWeight => Count;

    /// <summary>Rows summarised.</summary>
    internal double Count { get; set; }

    /// <summary>Σ ĥᵢ.</summary>
    internal double[] SumMeans { get; }

    /// <summary>Σ (1 − ĥᵢ), each term computed as σ(−ℓᵢ) (exact where ĥᵢ rounds to 1).</summary>
    internal double[] SumComplements { get; }

    /// <summary>A = Σ E[h hᵀ], H × H.</summary>
    internal double[] SecondMoments { get; }

    /// <summary>B = Σ v ĥᵀ, d × H.</summary>
    internal double[] Cross { get; }

    /// <summary>Σ v² per dimension.</summary>
    internal double[] SumSquares { get; }

    /// <summary>The posterior means summed over the rows, Σĥᵢ (H values, a copy).</summary>
    public double[] SumPosteriorMeans => (double[])SumMeans.Clone();

    /// <summary>The expected second moments A = Σ E[hhᵀ] (H × H, a copy).</summary>
    public double[,] SecondMomentMatrix => ToMatrix(SecondMoments, Components, Components);

    /// <summary>The cross moments B = Σ v ĥᵀ (d × H, a copy).</summary>
    public double[,] CrossMomentMatrix => ToMatrix(Cross, Dimension, Components);

    /// <summary>The empty statistics of the same shape.</summary>
    public BinarySparseCodingStatistics Empty() => new(Components, Dimension);

    /// <summary>The statistics of the rows of both values (element-wise sums); neither is modified.</summary>
    /// <param name="other">Statistics with the same H and d.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public BinarySparseCodingStatistics Merge(BinarySparseCodingStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Components != Components || other.Dimension != Dimension)
        {
            throw new ArgumentException(
                $"Statistics of H = {other.Components}, d = {other.Dimension} cannot be merged with statistics of H = {Components}, d = {Dimension}.", nameof(other));
        }

        var result = new BinarySparseCodingStatistics(Components, Dimension);
        result.Add(this);
        result.Add(other);
        return result;
    }

    /// <summary>
    /// The M-step: the parameters maximising the expected complete-data log-likelihood under these statistics — W from
    /// A·wₖ = Bₖ (Cholesky; a ridge only where A does not factor), βₖ⁻¹ = (Σvₖ² − wₖ·Bₖ)/N floored at
    /// <paramref name="noiseVarianceFloor"/>, bᵢ = ln Σĥᵢ − ln Σ(1 − ĥᵢ).
    /// </summary>
    /// <param name="noiseVarianceFloor">The smallest noise variance, positive and finite (the fit uses
    /// <see cref="BinarySparseCodingOptions.NoiseVarianceFloor"/> times the data's mean column variance).</param>
    /// <exception cref="ArgumentOutOfRangeException">The floor is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">The statistics are empty.</exception>
    /// <exception cref="FittingException">A is singular even with the largest ridge.</exception>
    public BinarySparseCodingModel ToModel(double noiseVarianceFloor)
    {
        if (!(noiseVarianceFloor > 0) || double.IsPositiveInfinity(noiseVarianceFloor))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseVarianceFloor), noiseVarianceFloor, "The noise variance floor must be positive and finite.");
        }

        if (!(Count > 0))
        {
            throw new InvalidOperationException("The statistics summarise no rows; there is nothing to estimate the parameters from.");
        }

        var parameters = new BinarySparseCodingParameters(Components, Dimension);
        new BinarySparseCodingMStep(Components).Apply(this, Enumerable.Repeat(noiseVarianceFloor, Dimension).ToArray(), parameters);
        return new BinarySparseCodingModel(parameters, double.NaN);
    }

    /// <summary>Adds <paramref name="part"/> (same shape) to these sums, in place.</summary>
    internal void Add(BinarySparseCodingStatistics part)
    {
        Count += part.Count;
        Add(SumMeans, part.SumMeans);
        Add(SumComplements, part.SumComplements);
        Add(SecondMoments, part.SecondMoments);
        Add(Cross, part.Cross);
        Add(SumSquares, part.SumSquares);
    }

    private static double[,] ToMatrix(double[] values, int rows, int columns)
    {
        var m = new double[rows, columns];
        values.CopyTo(m.AsWritableSpan());
        return m;
    }

    /// <summary>Sets the statistics of rows first … first + count − 1 (data rows given from the batch's first row).</summary>
    internal void Compute(ReadOnlySpan<double> rows, int count, double[] logits, double[] means, int first, int maxDegreeOfParallelism)
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
    internal void SetSum(IReadOnlyList<BinarySparseCodingStatistics> parts)
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
