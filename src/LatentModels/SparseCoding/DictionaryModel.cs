using LatentModels.Statistics;

namespace LatentModels.SparseCoding;

/// <summary>
/// A learned dictionary: K atoms (rows of a K × d matrix, norm at most one), the L1 penalty α it was learned with, and
/// whether its codes are non-negative.
/// Immutable; codes rows by lasso (<see cref="Transform"/>), reconstructs them, and computes the dictionary-learning
/// statistics of a partition of the data (<see cref="ComputeStatistics"/>) for fits that run elsewhere. Saved by
/// <see cref="Persistence.ModelJson"/> (format <c>LatentModels.DictionaryModel</c>).
/// </summary>
public sealed class DictionaryModel : ILatentTransform
{
    private readonly double[] _atoms;
    private SparseCoder? _coder;

    /// <summary>Creates a model from its atoms (copied) and penalty.</summary>
    /// <param name="dictionary">K × d atoms, one per row: finite, none zero.</param>
    /// <param name="alpha">The L1 penalty α ≥ 0 of the codes.</param>
    /// <param name="positiveCodes">Whether the codes are constrained to be non-negative.</param>
    /// <exception cref="ArgumentException">A value is not finite, an atom is zero (the message names the row), or α is out of range.</exception>
    public DictionaryModel(double[,] dictionary, double alpha, bool positiveCodes = false)
    {
        SparseCodingChecks.CheckDictionary(dictionary, nameof(dictionary));
        if (!double.IsFinite(alpha) || alpha < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The penalty α must be finite and non-negative.");
        }

        Atoms = dictionary.GetLength(0);
        Dimension = dictionary.GetLength(1);
        Alpha = alpha;
        PositiveCodes = positiveCodes;
        _atoms = dictionary.AsSpan().ToArray();
    }

    /// <summary>Trusting constructor: takes ownership of <paramref name="atoms"/> (K × d, row-major).</summary>
    internal DictionaryModel(double[] atoms, int k, int d, double alpha, bool positiveCodes)
    {
        PositiveCodes = positiveCodes;
        _atoms = atoms;
        Atoms = k;
        Dimension = d;
        Alpha = alpha;
    }

    /// <summary>The number of atoms K.</summary>
    public int Atoms { get; }

    /// <summary>The dimension d of the rows.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    int ILatentTransform.LatentDimension => Atoms;

    /// <inheritdoc/>
    double[,] ILatentTransform.Transform(double[,] data) => Transform(data);

    /// <summary>The L1 penalty α the dictionary was learned with (the default of <see cref="Transform"/>).</summary>
    public double Alpha { get; }

    /// <summary>Whether the codes are constrained to be non-negative (learned so, and coded so by <see cref="Transform"/>).</summary>
    public bool PositiveCodes { get; }

    /// <summary>The K × d atoms, one per row (a copy).</summary>
    public double[,] Dictionary
    {
        get
        {
            var copy = new double[Atoms, Dimension];
            _atoms.CopyTo(copy.AsWritableSpan());
            return copy;
        }
    }

    internal ReadOnlySpan<double> AtomsSpan => _atoms;

    /// <summary>A coder on these atoms: with <paramref name="options"/> as given, or (null) coordinate descent at the model's α (non-negative when <see cref="PositiveCodes"/>).</summary>
    /// <param name="options">The coder's settings, or null.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SparseCoder CreateCoder(SparseCoderOptions? options = null) =>
        new(Dictionary, options ?? new SparseCoderOptions { Alpha = Alpha, Positive = PositiveCodes });

    /// <summary>The lasso codes (n × K) of the rows at the model's α (non-negative when <see cref="PositiveCodes"/>), by coordinate descent.</summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="cancellationToken">Cancels between blocks of rows.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value (the message names the row and column).</exception>
    public double[,] Transform(double[,] data, CancellationToken cancellationToken = default) => Coder.Transform(data, cancellationToken);

    /// <summary>The reconstructions zD (n × d) of codes.</summary>
    /// <param name="codes">n × K codes.</param>
    /// <exception cref="ArgumentException">The codes do not have K columns or hold a non-finite value.</exception>
    public double[,] Reconstruct(double[,] codes) => Coder.Reconstruct(codes);

    /// <summary>The mean over rows of ½‖x − zD‖² + α‖z‖₁ at the rows' own codes (<see cref="Transform"/>): the learning objective.</summary>
    /// <param name="data">n × d rows.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value.</exception>
    public double Objective(double[,] data) => Coder.Objective(data, Coder.Transform(data));

    /// <summary>
    /// <see cref="Objective(double[,])"/> of rows read in chunks (bounded memory): every row's code and objective do not
    /// depend on the other rows, and they are summed in row order, so the same bits as the array of the same rows. One pass;
    /// also gives the number of rows.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="rows">The number of rows read.</param>
    /// <param name="cancellationToken">Checked before every chunk and between blocks of rows.</param>
    /// <exception cref="ArgumentException">A chunk has the wrong width.</exception>
    /// <exception cref="Data.RowFormatException">The source is empty or malformed.</exception>
    public double Objective(Data.IRowChunkSource source, out long rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        SparseCoder coder = Coder;
        double sum = 0;
        long n = 0;
        foreach (double[,] chunk in source.ReadChunks(Data.RowChunks.DefaultChunkRows, cancellationToken))
        {
            foreach (double v in coder.Objectives(chunk, coder.Transform(chunk, cancellationToken)))
            {
                sum += v;
            }

            n += chunk.GetLength(0);
        }

        rows = n;
        return n == 0 ? 0 : sum / n;
    }

    /// <summary>
    /// The dictionary-learning statistics of <paramref name="data"/> under this dictionary (the rows' codes, then
    /// A = Σ zzᵀ and B = Σ xzᵀ): what a partition computes where its data lives; merge the parts
    /// (<see cref="MergeableStatistics.Merge{T}"/>) and take <see cref="DictionaryStatistics.ToModel"/> for the next
    /// dictionary.
    /// </summary>
    /// <param name="data">n × d rows (n may be 0).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores (same bits for every value).</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value.</exception>
    public DictionaryStatistics ComputeStatistics(double[,] data, int maxDegreeOfParallelism = 0) =>
        DictionaryStatistics.Compute(this, data, maxDegreeOfParallelism);

    private SparseCoder Coder => _coder ??= CreateCoder();
}
