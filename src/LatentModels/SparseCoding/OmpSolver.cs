using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Orthogonal matching pursuit on the Gram matrix (the Cholesky form of Rubinstein et al.): repeatedly add the atom
/// most correlated with the residual (largest |qⱼ|, q = c − G[:, S]·z_S), extend the Cholesky factor of G_SS by one row,
/// and refit the least-squares codes G_SS·z_S = c_S, until the budget is spent, the residual is orthogonal to every
/// atom, or the next atom is linearly dependent on the chosen ones.
/// </summary>
internal static class OmpSolver
{
    /// <summary>Solves one row; z is overwritten.</summary>
    /// <returns>The number of atoms chosen.</returns>
    public static int Solve(LassoProblem p, ReadOnlySpan<double> c, double squaredNorm, Span<double> z, int nonzeros, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        Span<double> q = ws.Q.AsSpan(0, k);
        int[] support = ws.Support;
        int[] state = ws.State;
        Span<double> w = ws.W;
        z[..k].Clear();
        c[..k].CopyTo(q);
        Array.Clear(state, 0, k);
        int budget = Math.Min(nonzeros, Math.Min(k, p.Dimension));
        int n = 0;
        while (n < budget)
        {
            int best = -1;
            double top = 0;
            for (int j = 0; j < k; j++)
            {
                if (state[j] == 0 && Math.Abs(q[j]) > top)
                {
                    top = Math.Abs(q[j]);
                    best = j;
                }
            }

            if (best < 0 || top * top <= 1e-24 * squaredNorm * g[best * k + best])
            {
                break;
            }

            for (int i = 0; i < n; i++)
            {
                ws.Column[i] = g[support[i] * k + best];
            }

            double diagonal = g[best * k + best];
            if (!GrowingCholesky.TryAppend(ws.Factor, k, n, ws.Column, diagonal, diagonal * 1e-12))
            {
                break;
            }

            support[n] = best;
            state[best] = 1;
            n++;
            for (int t = 0; t < n; t++)
            {
                w[t] = c[support[t]];
            }

            GrowingCholesky.Solve(ws.Factor, k, n, w);
            c[..k].CopyTo(q);
            for (int t = 0; t < n; t++)
            {
                RowReductions.AddScaled(ref q[0], ref g[support[t] * k], -w[t], k);
            }
        }

        for (int t = 0; t < n; t++)
        {
            z[support[t]] = w[t];
        }

        return n;
    }
}
