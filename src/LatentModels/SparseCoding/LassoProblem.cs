using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// A dictionary prepared for coding: the K × d atoms (rows), their Gram matrix G = D·Dᵀ (K × K, by one GEMM), the
/// inverse diagonal of G, and (on first use by FISTA) the Lipschitz constant of the gradient, the largest eigenvalue of
/// G. Internal core: the atoms are trusted (finite, no zero atom). <see cref="Update"/> reuses the buffers, so a
/// dictionary-learning run prepares each iteration's dictionary without allocating.
/// </summary>
internal sealed class LassoProblem
{
    private double _lipschitz = double.NaN;

    public LassoProblem(int atoms, int dimension)
    {
        Atoms = atoms;
        Dimension = dimension;
        Dictionary = new double[atoms * dimension];
        Gram = new double[atoms * atoms];
        InverseDiagonal = new double[atoms];
    }

    /// <summary>K.</summary>
    public int Atoms { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>The atoms, K × d row-major.</summary>
    public double[] Dictionary { get; }

    /// <summary>G = D·Dᵀ, K × K row-major (symmetric: row j is column j).</summary>
    public double[] Gram { get; }

    /// <summary>1 / G[j, j].</summary>
    public double[] InverseDiagonal { get; }

    /// <summary>The largest eigenvalue of G (power iteration, with a 1 % margin), computed once per dictionary.</summary>
    public double Lipschitz
    {
        get
        {
            if (double.IsNaN(_lipschitz))
            {
                _lipschitz = LargestEigenvalue();
            }

            return _lipschitz;
        }
    }

    /// <summary>Copies the atoms in and recomputes the Gram matrix.</summary>
    /// <param name="atoms">K × d, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap of the GEMM.</param>
    public void Update(ReadOnlySpan<double> atoms, int maxDegreeOfParallelism)
    {
        atoms[..Dictionary.Length].CopyTo(Dictionary);
        RefreshGram(maxDegreeOfParallelism);
    }

    /// <summary>Recomputes G and its inverse diagonal from <see cref="Dictionary"/> (after an in-place change of the atoms).</summary>
    /// <param name="maxDegreeOfParallelism">Thread cap of the GEMM.</param>
    public void RefreshGram(int maxDegreeOfParallelism)
    {
        int k = Atoms, d = Dimension;
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, k, k, d, 1.0, Dictionary, d, Dictionary, d, 0.0, Gram, k, maxDegreeOfParallelism);
        // Symmetrise exactly (the GEMM's two triangles may differ in the last bit), so row j is column j.
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Gram[j * k + i] = Gram[i * k + j];
            }

            InverseDiagonal[i] = 1.0 / Gram[i * k + i];
        }

        _lipschitz = double.NaN;
    }

    private double LargestEigenvalue()
    {
        int k = Atoms;
        var v = new double[k];
        var w = new double[k];
        for (int i = 0; i < k; i++)
        {
            v[i] = 1.0 + (i % 7) * 0.01;
        }

        double lambda = 0;
        for (int iteration = 0; iteration < 500; iteration++)
        {
            double norm = Math.Sqrt(RowReductions.Dot(v, v));
            for (int i = 0; i < k; i++)
            {
                v[i] /= norm;
            }

            for (int i = 0; i < k; i++)
            {
                w[i] = RowReductions.Dot(Gram.AsSpan(i * k, k), v);
            }

            double next = RowReductions.Dot(v, w);
            (v, w) = (w, v);
            if (Math.Abs(next - lambda) <= 1e-10 * next)
            {
                lambda = next;
                break;
            }

            lambda = next;
        }

        return lambda * 1.01;
    }
}
