using System.Collections.Concurrent;
using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// The block driver of the sparse coders, shared by <see cref="SparseCoder"/> and dictionary learning. Rows are cut into
/// blocks of <see cref="BlockSize"/> (a constant, so the codes are the same bits for any thread count); per block, one
/// GEMM gives c = D·x for every row, then each row is solved on the Gram matrix (coordinate descent, LARS, OMP) or the
/// block as a whole (FISTA). Workspaces are pooled: no allocation per block once warm. Internal core: inputs are trusted.
/// </summary>
internal sealed class SparseCodingEngine
{
    /// <summary>Rows per block.</summary>
    public const int BlockSize = 256;

    private readonly ConcurrentBag<SparseCoderWorkspace> _pool = [];

    public SparseCodingEngine(LassoProblem problem, SparseCoderOptions options)
    {
        Problem = problem;
        Options = options;
    }

    public LassoProblem Problem { get; }

    public SparseCoderOptions Options { get; }

    /// <summary>Codes of every row of <paramref name="data"/> into <paramref name="codes"/> (n × K), warm-started from its contents when <paramref name="warm"/>.</summary>
    public void Encode(double[,] data, double[,] codes, bool warm, CancellationToken cancellationToken)
    {
        int n = data.GetLength(0);
        ParallelBlocks.For(n, BlockSize, Options.MaxDegreeOfParallelism, (_, start, end) =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            SparseCoderWorkspace ws = Rent();
            EncodeBlock(data.AsSpan(), codes.AsWritableSpan(), start, end, warm, ws);
            _pool.Add(ws);
        });
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>½‖x − zD‖² + α‖z‖₁ of every row into <paramref name="objectives"/>.</summary>
    public void Objectives(double[,] data, double[,] codes, double[] objectives)
    {
        int n = data.GetLength(0);
        ParallelBlocks.For(n, BlockSize, Options.MaxDegreeOfParallelism, (_, start, end) =>
        {
            SparseCoderWorkspace ws = Rent();
            ObjectivesBlock(data.AsSpan(), codes.AsSpan(), start, end, ws, objectives);
            _pool.Add(ws);
        });
    }

    /// <summary>The objective of rows [start, end): residual by one GEMM, then squared norms and L1 norms.</summary>
    public void ObjectivesBlock(ReadOnlySpan<double> data, ReadOnlySpan<double> codes, int start, int end, SparseCoderWorkspace ws, Span<double> objectives)
    {
        int k = Problem.Atoms, d = Problem.Dimension, rows = end - start;
        Span<double> residual = ws.Residual.AsSpan(0, rows * d);
        data.Slice(start * d, rows * d).CopyTo(residual);
        ReadOnlySpan<double> z = codes.Slice(start * k, rows * k);
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, d, k, -1.0, z, k, Problem.Dictionary, d, 1.0, residual, d, 1);
        double alpha = Options.Alpha;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> r = residual.Slice(i * d, d);
            objectives[start + i] = 0.5 * RowReductions.Dot(r, r) + alpha * L1(z.Slice(i * k, k));
        }
    }

    public SparseCoderWorkspace Rent() =>
        _pool.TryTake(out SparseCoderWorkspace? ws) ? ws : new SparseCoderWorkspace(BlockSize, Problem.Atoms, Problem.Dimension);

    public void Return(SparseCoderWorkspace ws) => _pool.Add(ws);

    /// <summary>Codes of rows [start, end) of the row-major data into the row-major codes.</summary>
    public void EncodeBlock(ReadOnlySpan<double> data, Span<double> codes, int start, int end, bool warm, SparseCoderWorkspace ws)
    {
        LassoProblem p = Problem;
        SparseCoderOptions o = Options;
        int k = p.Atoms, d = p.Dimension, rows = end - start;
        ReadOnlySpan<double> x = data.Slice(start * d, rows * d);
        Span<double> z = codes.Slice(start * k, rows * k);
        Span<double> c = ws.Correlations.AsSpan(0, rows * k);
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, k, d, 1.0, x, d, p.Dictionary, d, 0.0, c, k, 1);
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> xi = x.Slice(i * d, d);
            ws.SquaredNorms[i] = RowReductions.Dot(xi, xi);
        }

        if (!warm || o.Algorithm is SparseCodingAlgorithm.Lars or SparseCodingAlgorithm.OrthogonalMatchingPursuit)
        {
            z.Clear();
        }

        if (o.Algorithm == SparseCodingAlgorithm.Fista)
        {
            FistaLasso.SolveBlock(p, c, ws.SquaredNorms, z, rows, o.Alpha, o.Positive, o.Tolerance, o.MaxIterations, ws);
            return;
        }

        int nonzeros = o.NonzerosFor(d);
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> ci = c.Slice(i * k, k);
            Span<double> zi = z.Slice(i * k, k);
            switch (o.Algorithm)
            {
                case SparseCodingAlgorithm.Lars:
                    LarsLasso.Solve(p, ci, zi, o.Alpha, o.Positive, o.MaxIterations, ws);
                    break;
                case SparseCodingAlgorithm.OrthogonalMatchingPursuit:
                    OmpSolver.Solve(p, ci, ws.SquaredNorms[i], zi, nonzeros, ws);
                    break;
                default:
                    LassoCoordinateDescent.Solve(p, ci, ws.SquaredNorms[i], zi, o.Alpha, o.Positive, o.Tolerance, o.MaxIterations, ws);
                    break;
            }
        }
    }

    private static double L1(ReadOnlySpan<double> z)
    {
        double s = 0;
        foreach (double v in z)
        {
            s += Math.Abs(v);
        }

        return s;
    }
}
