using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Sparse codes on a fixed dictionary D (K atoms as rows, K × d): for each row x, the z minimising
/// ½‖x − zD‖² + α‖z‖₁ (lasso: coordinate descent, LARS or FISTA; optionally z ≥ 0), or the best fit with at most
/// <see cref="SparseCoderOptions.Nonzeros"/> atoms (OMP). This is MAP inference under a Laplace prior on the codes and
/// Gaussian noise (Goodfellow et al., §19.3). The coder is immutable and thread-safe; the codes are the same bits for any
/// <see cref="SparseCoderOptions.MaxDegreeOfParallelism"/>.
/// </summary>
/// <example>
/// <code>
/// var coder = new SparseCoder(dictionary, new SparseCoderOptions { Alpha = 0.1 });
/// double[,] codes = coder.Transform(signals);            // n × K
/// double[,] approximations = coder.Reconstruct(codes);    // n × d
/// </code>
/// </example>
public sealed class SparseCoder : ILatentTransform
{
    private readonly SparseCodingEngine _engine;

    /// <summary>Prepares the dictionary (copied; its Gram matrix is computed once).</summary>
    /// <param name="dictionary">K × d atoms, one per row: finite, none zero (they need not have unit norm).</param>
    /// <param name="options">The settings; null means the defaults (α = 1, coordinate descent).</param>
    /// <exception cref="ArgumentException">The dictionary has a non-finite value or a zero atom (the message names the
    /// row and column), or an option is out of range (parameter <c>options</c>, the message names it).</exception>
    public SparseCoder(double[,] dictionary, SparseCoderOptions? options = null)
    {
        SparseCodingChecks.CheckDictionary(dictionary, nameof(dictionary));
        options ??= new SparseCoderOptions();
        options.Validate(nameof(options));
        var problem = new LassoProblem(dictionary.GetLength(0), dictionary.GetLength(1));
        problem.Update(dictionary.AsSpan(), options.MaxDegreeOfParallelism);
        _engine = new SparseCodingEngine(problem, options);
    }

    /// <summary>The number of atoms K (columns of the codes).</summary>
    public int Atoms => _engine.Problem.Atoms;

    /// <summary>The dimension d of the rows.</summary>
    public int Dimension => _engine.Problem.Dimension;

    /// <inheritdoc/>
    int ILatentTransform.LatentDimension => Atoms;

    /// <inheritdoc/>
    double[,] ILatentTransform.Transform(double[,] data) => Transform(data);

    /// <summary>The settings.</summary>
    public SparseCoderOptions Options => _engine.Options;

    /// <summary>The K × d dictionary (a copy).</summary>
    public double[,] Dictionary
    {
        get
        {
            var copy = new double[Atoms, Dimension];
            _engine.Problem.Dictionary.CopyTo(copy.AsWritableSpan());
            return copy;
        }
    }

    /// <summary>The codes of every row of <paramref name="data"/>: n × K, row i the solution for row i.</summary>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="cancellationToken">Cancels between blocks of rows.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value (the message names the row and column).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public double[,] Transform(double[,] data, CancellationToken cancellationToken = default)
    {
        SparseCodingChecks.CheckData(data, Dimension, nameof(data));
        var codes = new double[data.GetLength(0), Atoms];
        _engine.Encode(data, codes, warm: false, cancellationToken);
        return codes;
    }

    /// <summary>
    /// The codes of every row, warm-started from <paramref name="initialCodes"/> (coordinate descent and FISTA start
    /// there; LARS and OMP always start from zero). A good start (e.g. the codes of a nearby dictionary) saves sweeps; the
    /// solution is the same optimum up to the tolerance.
    /// </summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="initialCodes">n × K starting codes (not modified).</param>
    /// <param name="cancellationToken">Cancels between blocks of rows.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is not finite (the message names the row and column).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public double[,] Transform(double[,] data, double[,] initialCodes, CancellationToken cancellationToken = default)
    {
        SparseCodingChecks.CheckData(data, Dimension, nameof(data));
        SparseCodingChecks.CheckCodes(initialCodes, data.GetLength(0), Atoms, nameof(initialCodes));
        var codes = (double[,])initialCodes.Clone();
        _engine.Encode(data, codes, warm: true, cancellationToken);
        return codes;
    }

    /// <summary>The reconstructions zD of the rows of <paramref name="codes"/> (n × d), by one GEMM.</summary>
    /// <param name="codes">n × K codes (not modified).</param>
    /// <exception cref="ArgumentException">The codes do not have K columns or hold a non-finite value.</exception>
    public double[,] Reconstruct(double[,] codes)
    {
        SparseCodingChecks.CheckCodes(codes, null, Atoms, nameof(codes));
        int n = codes.GetLength(0), k = Atoms, d = Dimension;
        var result = new double[n, d];
        if (n > 0)
        {
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, n, d, k, 1.0, codes.AsSpan(), k, _engine.Problem.Dictionary, d, 0.0,
                result.AsWritableSpan(), d, Options.MaxDegreeOfParallelism);
        }

        return result;
    }

    /// <summary>The objective ½‖x − zD‖² + α‖z‖₁ of every row (α of these options, also for OMP codes).</summary>
    /// <param name="data">n × d rows.</param>
    /// <param name="codes">n × K codes of those rows.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is not finite.</exception>
    public double[] Objectives(double[,] data, double[,] codes)
    {
        SparseCodingChecks.CheckData(data, Dimension, nameof(data));
        SparseCodingChecks.CheckCodes(codes, data.GetLength(0), Atoms, nameof(codes));
        var result = new double[data.GetLength(0)];
        _engine.Objectives(data, codes, result);
        return result;
    }

    /// <summary>The mean over rows of <see cref="Objectives"/> (0 for no rows).</summary>
    /// <param name="data">n × d rows.</param>
    /// <param name="codes">n × K codes of those rows.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is not finite.</exception>
    public double Objective(double[,] data, double[,] codes)
    {
        double[] values = Objectives(data, codes);
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return values.Length == 0 ? 0 : sum / values.Length;
    }
}
