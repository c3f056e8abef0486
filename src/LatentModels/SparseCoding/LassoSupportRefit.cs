using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// The exact lasso solution on a guessed support: with S the non-zeros of z and s their signs, solve
/// G_SS·w = c_S − α·s (Cholesky), and accept w when its signs are s and every other correlation satisfies
/// |c_j − G_jS·w| ≤ α (c_j − G_jS·w ≤ α for non-negative codes). Those are the lasso's optimality (KKT) conditions, so an
/// accepted refit is the minimiser up to rounding; the iterative solvers call it once their support has settled.
/// </summary>
internal static class LassoSupportRefit
{
    /// <summary>Relative slack of the off-support check (an atom exactly at the boundary counts as inactive).</summary>
    private const double Slack = 1e-9;

    /// <summary>
    /// Tries the refit on the support of <paramref name="z"/>; on success writes the codes to <paramref name="result"/>
    /// (which may be <paramref name="z"/>) and their correlations c − G·z to <paramref name="q"/>.
    /// </summary>
    public static bool TryRefit(LassoProblem p, ReadOnlySpan<double> c, ReadOnlySpan<double> z, Span<double> result, Span<double> q,
        double alpha, bool positive, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        int[] support = ws.Support;
        double[] sign = ws.Sign;
        int n = 0;
        for (int j = 0; j < k; j++)
        {
            if (z[j] != 0)
            {
                if (n == p.Dimension)
                {
                    return false;
                }

                support[n] = j;
                sign[n] = z[j] > 0 ? 1.0 : -1.0;
                n++;
            }
        }

        Span<double> factor = ws.Factor;
        Span<double> column = ws.Column;
        Span<double> w = ws.W.AsSpan(0, n);
        for (int t = 0; t < n; t++)
        {
            int j = support[t];
            for (int i = 0; i < t; i++)
            {
                column[i] = g[support[i] * k + j];
            }

            double diagonal = g[j * k + j];
            if (!GrowingCholesky.TryAppend(factor, k, t, column, diagonal, diagonal * 1e-12))
            {
                return false;
            }

            w[t] = c[j] - alpha * sign[t];
        }

        GrowingCholesky.Solve(factor, k, n, w);
        for (int t = 0; t < n; t++)
        {
            if (!(w[t] * sign[t] > 0))
            {
                return false;
            }
        }

        Span<double> qn = ws.Q2;
        c[..k].CopyTo(qn);
        ref double rq = ref qn[0];
        for (int t = 0; t < n; t++)
        {
            RowReductions.AddScaled(ref rq, ref g[support[t] * k], -w[t], k);
        }

        double bound = alpha * (1 + Slack) + 1e-300;
        for (int j = 0; j < k; j++)
        {
            if (z[j] == 0 && (positive ? qn[j] : Math.Abs(qn[j])) > bound)
            {
                return false;
            }
        }

        result[..k].Clear();
        for (int t = 0; t < n; t++)
        {
            result[support[t]] = w[t];
        }

        qn[..k].CopyTo(q);
        return true;
    }

    /// <summary>
    /// A feature-sign step (Lee, Battle, Raina and Ng 2007) from the codes z with correlations q = c − G·z: on the
    /// support S of z with its signs s, the objective restricted to that orthant is the quadratic ½zᵀGz − cᵀz + α·sᵀz,
    /// minimised at w = G_SS⁻¹(c_S − α·s). Move z towards w; if a code would change sign on the way, stop where the first
    /// one reaches zero (the objective still falls), drop it from the support (a Givens removal from the Cholesky factor)
    /// and repeat. When w keeps the signs, z = w; that is optimal when no atom outside S violates |qⱼ| ≤ α.
    /// </summary>
    /// <returns>1 when z is now optimal, 0 when z moved (a full sweep should follow), −1 when G_SS is singular (nothing changed).</returns>
    public static int FeatureSignStep(LassoProblem p, ReadOnlySpan<double> c, Span<double> z, Span<double> q, double alpha, bool positive, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        int[] support = ws.Support;
        double[] sign = ws.Sign;
        int n = 0;
        for (int j = 0; j < k; j++)
        {
            if (z[j] != 0)
            {
                if (n == p.Dimension)
                {
                    return -1;
                }

                support[n] = j;
                sign[n] = z[j] > 0 ? 1.0 : -1.0;
                n++;
            }
        }

        Span<double> factor = ws.Factor;
        Span<double> column = ws.Column;
        for (int t = 0; t < n; t++)
        {
            int j = support[t];
            for (int i = 0; i < t; i++)
            {
                column[i] = g[support[i] * k + j];
            }

            double diagonal = g[j * k + j];
            if (!GrowingCholesky.TryAppend(factor, k, t, column, diagonal, diagonal * 1e-12))
            {
                return -1;
            }
        }

        Span<double> w = ws.W;
        while (true)
        {
            for (int t = 0; t < n; t++)
            {
                w[t] = c[support[t]] - alpha * sign[t];
            }

            GrowingCholesky.Solve(factor, k, n, w);
            double step = 1.0;
            int blocking = -1;
            for (int t = 0; t < n; t++)
            {
                if (w[t] * sign[t] <= 0)
                {
                    double zt = z[support[t]];
                    double candidate = zt / (zt - w[t]);
                    if (candidate < step)
                    {
                        step = candidate;
                        blocking = t;
                    }
                }
            }

            if (blocking < 0)
            {
                for (int t = 0; t < n; t++)
                {
                    z[support[t]] = w[t];
                }

                break;
            }

            for (int t = 0; t < n; t++)
            {
                int j = support[t];
                z[j] += step * (w[t] - z[j]);
            }

            z[support[blocking]] = 0;
            GrowingCholesky.Remove(factor, k, n, blocking);
            for (int t = blocking; t < n - 1; t++)
            {
                support[t] = support[t + 1];
                sign[t] = sign[t + 1];
            }

            n--;
            // Codes pushed across zero by rounding also leave the support.
            for (int t = n - 1; t >= 0; t--)
            {
                if (z[support[t]] * sign[t] <= 0)
                {
                    z[support[t]] = 0;
                    GrowingCholesky.Remove(factor, k, n, t);
                    for (int u = t; u < n - 1; u++)
                    {
                        support[u] = support[u + 1];
                        sign[u] = sign[u + 1];
                    }

                    n--;
                }
            }
        }

        c[..k].CopyTo(q);
        ref double rq = ref q[0];
        for (int t = 0; t < n; t++)
        {
            RowReductions.AddScaled(ref rq, ref g[support[t] * k], -w[t], k);
        }

        double bound = alpha * (1 + Slack) + 1e-300;
        for (int j = 0; j < k; j++)
        {
            if (z[j] == 0 && (positive ? q[j] : Math.Abs(q[j])) > bound)
            {
                return 0;
            }
        }

        return 1;
    }

    /// <summary>
    /// The duality gap of the codes z (with correlations q = c − G·z) relative to their objective: the dual point is the
    /// residual scaled to feasibility, ν = r·min(1, α / ‖D·r‖∞), and ‖r‖², xᵀr come from the Gram form
    /// (‖r‖² = ‖x‖² − zᵀc − zᵀq), so no d-dimensional work is needed.
    /// </summary>
    /// <param name="c">D·x.</param>
    /// <param name="q">c − G·z.</param>
    /// <param name="z">The codes.</param>
    /// <param name="squaredNorm">‖x‖².</param>
    /// <param name="alpha">α.</param>
    /// <param name="positive">Non-negative codes (the dual constraint is then maxⱼ qⱼ ≤ α).</param>
    /// <returns>gap / max(objective, tiny).</returns>
    public static double RelativeGap(ReadOnlySpan<double> c, ReadOnlySpan<double> q, ReadOnlySpan<double> z, double squaredNorm, double alpha, bool positive)
    {
        double zc = 0, zq = 0, l1 = 0;
        for (int j = 0; j < z.Length; j++)
        {
            double zj = z[j];
            if (zj != 0)
            {
                zc += zj * c[j];
                zq += zj * q[j];
                l1 += Math.Abs(zj);
            }
        }

        double r2 = Math.Max(squaredNorm - zc - zq, 0);
        double xr = squaredNorm - zc;
        double primal = 0.5 * r2 + alpha * l1;
        double qmax = positive ? SparseKernels.Max(q) : SparseKernels.MaxAbs(q);
        double scale = qmax > alpha ? alpha / qmax : 1.0;
        double dual = scale * xr - 0.5 * scale * scale * r2;
        return (primal - dual) / Math.Max(primal, 1e-300);
    }
}
