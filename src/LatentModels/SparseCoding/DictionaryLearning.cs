using System.Diagnostics;
using LatentModels.Clustering;
using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Batch dictionary learning (the peer is scikit-learn's <c>DictionaryLearning(fit_algorithm='cd')</c>): alternately
/// the lasso codes of every row on the current atoms (coordinate descent with an exact refit, warm-started from the
/// previous codes; the first codes start at zero), and one pass of block coordinate descent over the atoms on
/// A = ZᵀZ and B = XᵀZ (two GEMMs), each atom projected onto the unit ball; an atom almost never used (Aₖₖ ≤ 10⁻⁶) is
/// re-seeded from a random row plus a little noise (from the seed) and its codes set to zero. The cost per row,
/// (Σ ½‖x − zD‖² + α‖z‖₁) / n after each dictionary step, is the objective trace; iterations stop when it falls by less
/// than <see cref="DictionaryLearningOptions.Tolerance"/> times itself (or rises).
/// </summary>
public sealed class DictionaryLearning : IEstimator<DictionaryModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (<see cref="DictionaryLearningOptions.Atoms"/> is required).</param>
    /// <exception cref="ArgumentException">An option is out of range (parameter <c>options</c>; the message names it).</exception>
    public DictionaryLearning(DictionaryLearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
    }

    /// <summary>The settings.</summary>
    public DictionaryLearningOptions Options { get; }

    /// <summary>Learns the dictionary; the report's trace is the cost per row after each iteration.</summary>
    /// <param name="data">n × d rows, n ≥ K (not modified).</param>
    /// <param name="progress">Optional per-iteration progress (the cost per row).</param>
    /// <param name="cancellationToken">Cancels between iterations and between blocks of rows.</param>
    /// <exception cref="ArgumentException">The data has a non-finite value (the message names the row and column) or fewer rows than atoms.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public FitResult<DictionaryModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        DictionaryLearningOptions o = Options;
        int k = o.Atoms;
        DataValidation.CheckMatrix(data, nameof(data), minRows: k);
        int n = data.GetLength(0), d = data.GetLength(1);
        var random = new Random(o.Seed);
        double[] atoms = InitialAtoms(data, o, random, cancellationToken);
        var problem = new LassoProblem(k, d);
        problem.Update(atoms, o.MaxDegreeOfParallelism);
        var engine = new SparseCodingEngine(problem, o.CoderOptions);
        var codes = new double[n, k];
        var a = new double[k * k];
        var bt = new double[k * d];
        var scratch = new double[d];
        var objectives = new double[n];
        var trace = new List<double>();
        bool converged = false;
        void Reseed(int atom)
        {
            DictionaryAtomUpdate.ReseedFromRow(problem.Dictionary, atom, d, data.Row(random.Next(n)), random);
            for (int i = 0; i < n; i++)
            {
                codes[i, atom] = 0;
            }
        }

        for (int iteration = 0; iteration < o.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            engine.Encode(data, codes, warm: true, cancellationToken);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, k, n, 1.0, codes.AsSpan(), k, codes.AsSpan(), k, 0.0, a, k, o.MaxDegreeOfParallelism);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, d, n, 1.0, codes.AsSpan(), k, data.AsSpan(), d, 0.0, bt, d, o.MaxDegreeOfParallelism);
            DictionaryAtomUpdate.Pass(problem.Dictionary, a, bt, k, d, scratch, Reseed);
            problem.RefreshGram(o.MaxDegreeOfParallelism);
            engine.Objectives(data, codes, objectives);
            double cost = Mean(objectives);
            trace.Add(cost);
            progress?.Report(new FitProgress(0, iteration + 1, o.MaxIterations, cost));
            if (trace.Count > 1 && trace[^2] - cost < o.Tolerance * cost)
            {
                converged = true;
                break;
            }
        }

        var model = new DictionaryModel((double[])problem.Dictionary.Clone(), k, d, o.Alpha, o.PositiveCodes);
        return new FitResult<DictionaryModel>(model, new FitReport("cost", trace.Count, converged, trace, watch.Elapsed));
    }

    /// <summary>The starting atoms (K × d): chosen rows scaled to unit norm; zero rows are replaced by re-seeded ones.</summary>
    internal static double[] InitialAtoms(double[,] data, DictionaryLearningOptions o, Random random, CancellationToken cancellationToken = default)
    {
        int k = o.Atoms, n = data.GetLength(0), d = data.GetLength(1);
        double[,] chosen = o.Init switch
        {
            DictionaryInit.First => FirstRows(data, k),
            DictionaryInit.Random => KMeansSeeding.RandomRowsCore(data, k, random),
            _ => KMeansSeeding.PlusPlusCore(data, k, random, null, o.MaxDegreeOfParallelism, cancellationToken),
        };
        double[] atoms = chosen.AsSpan().ToArray();
        for (int j = 0; j < k; j++)
        {
            Span<double> atom = atoms.AsSpan(j * d, d);
            double norm = Math.Sqrt(RowReductions.Dot(atom, atom));
            if (norm == 0)
            {
                DictionaryAtomUpdate.ReseedFromRow(atoms, j, d, data.Row(random.Next(n)), random);
                norm = Math.Sqrt(RowReductions.Dot(atom, atom));
            }

            for (int p = 0; p < d; p++)
            {
                atom[p] /= norm;
            }
        }

        return atoms;
    }

    private static double[,] FirstRows(double[,] data, int k)
    {
        int d = data.GetLength(1);
        var rows = new double[k, d];
        Array.Copy(data, rows, k * d);
        return rows;
    }

    internal static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return values.Length == 0 ? 0 : sum / values.Length;
    }
}
