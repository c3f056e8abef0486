using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Lasso codes of one row by cyclic coordinate descent on the Gram matrix (Friedman et al. 2010, covariance updates):
/// the residual correlations q = c − G·z are kept up to date (q −= Δzⱼ·G[j, :], one kernel AXPY per change), so a
/// coordinate costs O(1) unless it moves. Full sweeps (which let violating atoms in) alternate with sweeps over the active
/// set. When a full sweep leaves the support and signs unchanged, or changes little, a feature-sign step on the support
/// follows (<see cref="LassoSupportRefit.FeatureSignStep"/>: the exact minimiser on the support's orthant, or the way to
/// it until a code reaches zero); it ends the row when the optimality conditions hold. When the support's Gram matrix
/// is singular the sweeps go on, with a tighter threshold, until the duality gap reaches the tolerance.
/// </summary>
internal static class LassoCoordinateDescent
{
    /// <summary>Solves one row in place (z holds the warm start, or zeros).</summary>
    /// <returns>The number of sweeps.</returns>
    public static int Solve(LassoProblem p, ReadOnlySpan<double> c, double squaredNorm, Span<double> z, double alpha, bool positive,
        double tolerance, int maxSweeps, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        Span<double> q = ws.Q.AsSpan(0, k);
        c[..k].CopyTo(q);
        int[] active = ws.Active;
        int activeCount = 0;
        for (int j = 0; j < k; j++)
        {
            if (z[j] != 0)
            {
                RowReductions.AddScaled(ref q[0], ref g[j * k], -z[j], k);
                active[activeCount++] = j;
            }
        }

        double threshold = 1e-2;
        int sweeps = 0;
        while (sweeps < maxSweeps)
        {
            double change = FullSweep(p, z, q, alpha, positive, active, ref activeCount, out double largest, out bool supportChanged);
            sweeps++;
            bool small = change <= threshold * largest;
            if (small || !supportChanged)
            {
                int outcome = LassoSupportRefit.FeatureSignStep(p, c, z, q, alpha, positive, ws);
                if (outcome == 1)
                {
                    return sweeps;
                }

                if (outcome == 0)
                {
                    Rebuild(z, active, ref activeCount);
                    continue;
                }

                if (small)
                {
                    if (LassoSupportRefit.RelativeGap(c, q, z, squaredNorm, alpha, positive) <= tolerance)
                    {
                        return sweeps;
                    }

                    threshold = Math.Max(threshold * 1e-2, 1e-15);
                    continue;
                }
            }

            while (sweeps < maxSweeps)
            {
                change = ActiveSweep(p, z, q, alpha, positive, active, ref activeCount, out largest);
                sweeps++;
                if (change <= threshold * largest)
                {
                    break;
                }
            }
        }

        return sweeps;
    }

    /// <summary>One pass over every coordinate; newly non-zero coordinates join the active list.</summary>
    /// <returns>The largest |Δzⱼ|; <paramref name="largest"/> gets the largest |zⱼ| after the pass.</returns>
    private static double FullSweep(LassoProblem p, Span<double> z, Span<double> q, double alpha, bool positive, int[] active,
        ref int activeCount, out double largest, out bool supportChanged)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        double[] inverse = p.InverseDiagonal;
        double change = 0;
        largest = 0;
        supportChanged = false;
        for (int j = 0; j < k; j++)
        {
            double old = z[j];
            double qj = q[j];
            if (old == 0 && (positive ? qj <= alpha : Math.Abs(qj) <= alpha))
            {
                continue;
            }

            double gjj = g[j * k + j];
            double updated = SparseKernels.SoftThreshold(qj + gjj * old, alpha, positive) * inverse[j];
            double delta = updated - old;
            if (delta != 0)
            {
                RowReductions.AddScaled(ref q[0], ref g[j * k], -delta, k);
                z[j] = updated;
                change = Math.Max(change, Math.Abs(delta));
                if (old == 0)
                {
                    active[activeCount++] = j;
                }

                if (old * updated <= 0)
                {
                    supportChanged = true;
                }

            }

            largest = Math.Max(largest, Math.Abs(updated));
        }

        Compact(z, active, ref activeCount);
        return change;
    }

    /// <summary>One pass over the active list; coordinates that reach zero leave it.</summary>
    private static double ActiveSweep(LassoProblem p, Span<double> z, Span<double> q, double alpha, bool positive, int[] active,
        ref int activeCount, out double largest)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        double[] inverse = p.InverseDiagonal;
        double change = 0;
        largest = 0;
        for (int a = 0; a < activeCount; a++)
        {
            int j = active[a];
            double old = z[j];
            double updated = SparseKernels.SoftThreshold(q[j] + g[j * k + j] * old, alpha, positive) * inverse[j];
            double delta = updated - old;
            if (delta != 0)
            {
                RowReductions.AddScaled(ref q[0], ref g[j * k], -delta, k);
                z[j] = updated;
                change = Math.Max(change, Math.Abs(delta));
            }

            largest = Math.Max(largest, Math.Abs(updated));
        }

        Compact(z, active, ref activeCount);
        return change;
    }

    private static void Rebuild(ReadOnlySpan<double> z, int[] active, ref int activeCount)
    {
        activeCount = 0;
        for (int j = 0; j < z.Length; j++)
        {
            if (z[j] != 0)
            {
                active[activeCount++] = j;
            }
        }
    }

    private static void Compact(ReadOnlySpan<double> z, int[] active, ref int activeCount)
    {
        int kept = 0;
        for (int a = 0; a < activeCount; a++)
        {
            if (z[active[a]] != 0)
            {
                active[kept++] = active[a];
            }
        }

        activeCount = kept;
    }
}
