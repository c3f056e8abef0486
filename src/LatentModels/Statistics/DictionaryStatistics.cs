using LatentModels.LinearAlgebra;
using LatentModels.SparseCoding;

namespace LatentModels.Statistics;

/// <summary>
/// The sufficient statistics of dictionary learning on some rows (Mairal et al. 2009): with zᵢ the lasso codes of row
/// xᵢ under some dictionary, A = Σ zᵢzᵢᵀ (K × K), B = Σ xᵢzᵢᵀ (d × K), the row count, Σ‖xᵢ‖² and Σ‖zᵢ‖₁. The dictionary
/// step (block coordinate descent on the atoms, <see cref="ToModel"/>) needs only A and B, and the cost
/// Σ ½‖xᵢ − zᵢD‖² + α‖zᵢ‖₁ of any dictionary D at these codes is
/// ½(Σ‖x‖² − 2·tr(D·B) + tr(D·A·Dᵀ)) + α·Σ‖z‖₁ (<see cref="Cost"/>). Sums merge exactly: partitions compute their
/// statistics where the data lives (<see cref="DictionaryModel.ComputeStatistics"/>), a driver merges them in a fixed
/// order and takes the dictionary step; the online learner keeps the running sums of its mini-batches. Immutable;
/// persisted by <see cref="Persistence.ModelJson"/> (format <c>LatentModels.DictionaryStatistics</c>).
/// </summary>
/// <remarks>
/// <see cref="Compute"/> sums fixed chunks of <see cref="ChunkSize"/> rows from first to last, so statistics of
/// partitions of one chunk each, merged from first to last, equal those of all the rows bit for bit, for any thread
/// count; any other split agrees to rounding.
/// </remarks>
public sealed class DictionaryStatistics : IMergeableStatistics<DictionaryStatistics>
{
    /// <summary>The rows per chunk of <see cref="Compute"/> (the coders' block size).</summary>
    public const int ChunkSize = SparseCodingEngine.BlockSize;

    private readonly double[] _a;
    private readonly double[] _bt;

    private DictionaryStatistics(int atoms, int dimension, double[] a, double[] bt, double totalWeight, double sumSquaredNorms, double sumAbsoluteCodes)
    {
        Atoms = atoms;
        Dimension = dimension;
        _a = a;
        _bt = bt;
        TotalWeight = totalWeight;
        SumSquaredNorms = sumSquaredNorms;
        SumAbsoluteCodes = sumAbsoluteCodes;
    }

    /// <summary>Empty statistics of K atoms in dimension d.</summary>
    internal DictionaryStatistics(int atoms, int dimension)
        : this(atoms, dimension, new double[atoms * atoms], new double[atoms * dimension], 0, 0, 0)
    {
    }

    /// <summary>Recreates statistics from their parts (copied), e.g. received from another process.</summary>
    /// <param name="a">A = Σ zzᵀ, K × K, symmetric.</param>
    /// <param name="b">B = Σ xzᵀ, d × K.</param>
    /// <param name="totalWeight">The number of rows summarised (≥ 0).</param>
    /// <param name="sumSquaredNorms">Σ‖x‖² (≥ 0).</param>
    /// <param name="sumAbsoluteCodes">Σ‖z‖₁ (≥ 0).</param>
    /// <exception cref="ArgumentException">A shape does not match, a value is not finite, A is not symmetric, or a sum is negative (the message names it).</exception>
    public DictionaryStatistics(double[,] a, double[,] b, double totalWeight, double sumSquaredNorms, double sumAbsoluteCodes)
    {
        DataValidation.CheckMatrix(a, nameof(a));
        DataValidation.CheckMatrix(b, nameof(b));
        int k = a.GetLength(0), d = b.GetLength(0);
        if (a.GetLength(1) != k)
        {
            throw new ArgumentException($"A is {k} × {a.GetLength(1)}; it must be square (K × K).", nameof(a));
        }

        if (b.GetLength(1) != k)
        {
            throw new ArgumentException($"B is {d} × {b.GetLength(1)}; it must be d × K with K = {k}.", nameof(b));
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (a[i, j] != a[j, i])
                {
                    throw new ArgumentException($"A is not symmetric at row {i}, column {j}.", nameof(a));
                }
            }

            if (a[i, i] < 0)
            {
                throw new ArgumentException($"A has a negative diagonal value at row {i}, column {i}.", nameof(a));
            }
        }

        CheckSum(totalWeight, nameof(totalWeight));
        CheckSum(sumSquaredNorms, nameof(sumSquaredNorms));
        CheckSum(sumAbsoluteCodes, nameof(sumAbsoluteCodes));
        Atoms = k;
        Dimension = d;
        _a = a.AsSpan().ToArray();
        _bt = new double[k * d];
        for (int p = 0; p < d; p++)
        {
            for (int j = 0; j < k; j++)
            {
                _bt[j * d + p] = b[p, j];
            }
        }

        TotalWeight = totalWeight;
        SumSquaredNorms = sumSquaredNorms;
        SumAbsoluteCodes = sumAbsoluteCodes;
    }

    /// <summary>The number of atoms K.</summary>
    public int Atoms { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    /// <remarks>The number of rows summarised.</remarks>
    public double TotalWeight { get; }

    /// <summary>Σ‖xᵢ‖².</summary>
    public double SumSquaredNorms { get; }

    /// <summary>Σ‖zᵢ‖₁.</summary>
    public double SumAbsoluteCodes { get; }

    /// <summary>A = Σ zᵢzᵢᵀ (K × K; a copy).</summary>
    public double[,] A
    {
        get
        {
            var copy = new double[Atoms, Atoms];
            _a.CopyTo(copy.AsWritableSpan());
            return copy;
        }
    }

    /// <summary>B = Σ xᵢzᵢᵀ (d × K; a copy).</summary>
    public double[,] B
    {
        get
        {
            var copy = new double[Dimension, Atoms];
            for (int j = 0; j < Atoms; j++)
            {
                for (int p = 0; p < Dimension; p++)
                {
                    copy[p, j] = _bt[j * Dimension + p];
                }
            }

            return copy;
        }
    }

    internal ReadOnlySpan<double> ASpan => _a;

    /// <summary>Bᵀ, K × d row-major.</summary>
    internal ReadOnlySpan<double> BTransposedSpan => _bt;

    /// <summary>
    /// The statistics of <paramref name="data"/> under <paramref name="model"/>: the lasso codes of every row (at the
    /// model's α), then the sums over fixed chunks of <see cref="ChunkSize"/> rows, added from first to last.
    /// </summary>
    /// <param name="model">The dictionary.</param>
    /// <param name="data">n × d rows (not modified; n may be 0).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores (same bits for every value).</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value.</exception>
    public static DictionaryStatistics Compute(DictionaryModel model, double[,] data, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        SparseCodingChecks.CheckData(data, model.Dimension, nameof(data));
        var problem = new LassoProblem(model.Atoms, model.Dimension);
        problem.Update(model.AtomsSpan, maxDegreeOfParallelism);
        var engine = new SparseCodingEngine(problem, new SparseCoderOptions { Alpha = model.Alpha, Positive = model.PositiveCodes, MaxDegreeOfParallelism = maxDegreeOfParallelism });
        var codes = new double[data.GetLength(0), model.Atoms];
        engine.Encode(data, codes, warm: false, CancellationToken.None);
        return FromCodes(data.AsSpan(), codes.AsSpan(), data.GetLength(0), model.Atoms, model.Dimension, maxDegreeOfParallelism);
    }

    /// <summary>The sums over chunks of rows and their codes (trusted), chunks added in order.</summary>
    internal static DictionaryStatistics FromCodes(ReadOnlySpan<double> data, ReadOnlySpan<double> codes, int n, int k, int d, int maxDegreeOfParallelism)
    {
        var a = new double[k * k];
        var bt = new double[k * d];
        var chunkA = new double[k * k];
        var chunkB = new double[k * d];
        double squares = 0, absolute = 0;
        for (int start = 0; start < n; start += ChunkSize)
        {
            int rows = Math.Min(ChunkSize, n - start);
            ReadOnlySpan<double> z = codes.Slice(start * k, rows * k), x = data.Slice(start * d, rows * d);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, k, rows, 1.0, z, k, z, k, 0.0, chunkA, k, maxDegreeOfParallelism);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, d, rows, 1.0, z, k, x, d, 0.0, chunkB, d, maxDegreeOfParallelism);
            double chunkSquares = RowReductions.Dot(x, x), chunkAbsolute = 0;
            foreach (double v in z)
            {
                chunkAbsolute += Math.Abs(v);
            }

            Symmetrize(chunkA, k);
            Add(a, chunkA);
            Add(bt, chunkB);
            squares += chunkSquares;
            absolute += chunkAbsolute;
        }

        return new DictionaryStatistics(k, d, a, bt, n, squares, absolute);
    }

    /// <inheritdoc />
    public DictionaryStatistics Empty() => new(Atoms, Dimension, new double[_a.Length], new double[_bt.Length], 0, 0, 0);

    /// <inheritdoc />
    public DictionaryStatistics Merge(DictionaryStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Atoms != Atoms || other.Dimension != Dimension)
        {
            throw new ArgumentException($"Statistics of {other.Atoms} atoms in dimension {other.Dimension} cannot merge with {Atoms} atoms in dimension {Dimension}.", nameof(other));
        }

        double[] a = (double[])_a.Clone(), bt = (double[])_bt.Clone();
        Add(a, other._a);
        Add(bt, other._bt);
        return new DictionaryStatistics(Atoms, Dimension, a, bt, TotalWeight + other.TotalWeight,
            SumSquaredNorms + other.SumSquaredNorms, SumAbsoluteCodes + other.SumAbsoluteCodes);
    }

    /// <summary>
    /// The cost Σ ½‖xᵢ − zᵢD‖² + α‖zᵢ‖₁ of <paramref name="model"/>'s atoms at the summarised codes, divided by the row
    /// count (Mairal's surrogate; the learning objective when the codes are the model's own).
    /// </summary>
    /// <param name="model">A dictionary of the same K and d (its α is used).</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public double Cost(DictionaryModel model)
    {
        CheckModel(model);
        int k = Atoms, d = Dimension;
        ReadOnlySpan<double> atoms = model.AtomsSpan;
        var ad = new double[k * d];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, k, d, k, 1.0, _a, k, atoms, d, 0.0, ad, d, 1);
        double quadratic = RowReductions.Dot(ad, atoms), linear = RowReductions.Dot(_bt, atoms);
        double total = 0.5 * (SumSquaredNorms - 2 * linear + quadratic) + model.Alpha * SumAbsoluteCodes;
        return TotalWeight > 0 ? total / TotalWeight : 0;
    }

    /// <summary>
    /// The dictionary step: one pass of block coordinate descent over the atoms of <paramref name="start"/> on these A
    /// and B, each atom projected onto the unit ball. Unused atoms (Aₖₖ ≤ 10⁻⁶) are kept as they are (there is no data
    /// here to re-seed them from; the learners re-seed them from their rows).
    /// </summary>
    /// <param name="start">The dictionary the step starts from (its α and sign constraint are kept).</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public DictionaryModel ToModel(DictionaryModel start)
    {
        CheckModel(start);
        double[] atoms = start.AtomsSpan.ToArray();
        DictionaryAtomUpdate.Pass(atoms, _a, _bt, Atoms, Dimension, new double[Dimension], reseed: null);
        return new DictionaryModel(atoms, Atoms, Dimension, start.Alpha, start.PositiveCodes);
    }

    private void CheckModel(DictionaryModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Atoms != Atoms || model.Dimension != Dimension)
        {
            throw new ArgumentException($"The model has {model.Atoms} atoms in dimension {model.Dimension}; the statistics have {Atoms} in dimension {Dimension}.", nameof(model));
        }
    }

    private static void Symmetrize(double[] a, int k)
    {
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[j * k + i] = a[i * k + j];
            }
        }
    }

    private static void Add(double[] target, ReadOnlySpan<double> values)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += values[i];
        }
    }

    private static void CheckSum(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be finite and non-negative.");
        }
    }
}
