using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Lasso codes of one row by LARS with the lasso modification (Efron et al. 2004): the exact piecewise-linear path of
/// the codes as the penalty falls from maxⱼ|cⱼ| to α. Along a segment every active correlation has the same magnitude
/// C; the direction w solves G_SS·w = s (the Cholesky factor of G_SS grows by one row per entering atom and loses one,
/// by Givens rotations, per leaving atom), the correlations move by −γ·G[:, S]·w, and the step γ is the first of: an
/// inactive atom's correlation reaching ±C (it enters), an active code reaching zero (it leaves: the lasso
/// modification), or C reaching α (the end). The end point is then refitted on its support to remove the drift of
/// the path's updates.
/// </summary>
internal static class LarsLasso
{
    private const int Inactive = 0;
    private const int InSet = 1;
    private const int Excluded = 2;

    /// <summary>Solves one row; z is overwritten.</summary>
    /// <returns>The number of path steps.</returns>
    public static int Solve(LassoProblem p, ReadOnlySpan<double> c, Span<double> z, double alpha, bool positive, int maxSteps, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        Span<double> q = ws.Q.AsSpan(0, k);
        Span<double> a = ws.Direction.AsSpan(0, k);
        int[] support = ws.Support;
        double[] sign = ws.Sign;
        int[] state = ws.State;
        Span<double> factor = ws.Factor;
        z[..k].Clear();
        c[..k].CopyTo(q);
        Array.Clear(state, 0, k);

        int first = -1;
        double top = 0;
        for (int j = 0; j < k; j++)
        {
            double v = positive ? q[j] : Math.Abs(q[j]);
            if (v > top)
            {
                top = v;
                first = j;
            }
        }

        if (first < 0 || top <= alpha)
        {
            return 0;
        }

        int n = 0;
        Enter(p, first, q[first] > 0 ? 1.0 : -1.0, ref n, ws);
        double cmax = top;
        int dropped = -1;
        int steps = 0;
        while (steps < maxSteps)
        {
            steps++;
            Span<double> w = ws.W.AsSpan(0, n);
            for (int t = 0; t < n; t++)
            {
                w[t] = sign[t];
            }

            GrowingCholesky.Solve(factor, k, n, w);
            a.Clear();
            for (int t = 0; t < n; t++)
            {
                RowReductions.AddScaled(ref a[0], ref g[support[t] * k], w[t], k);
            }

            double gamma = cmax - alpha;
            int kind = 0, who = -1;
            for (int j = 0; j < k; j++)
            {
                if (state[j] != Inactive || j == dropped)
                {
                    continue;
                }

                double aj = a[j], qj = q[j];
                if (1 - aj > 0)
                {
                    double step = (cmax - qj) / (1 - aj);
                    if (step > 0 && step < gamma)
                    {
                        gamma = step;
                        kind = 1;
                        who = j;
                    }
                }

                if (!positive && 1 + aj > 0)
                {
                    double step = (cmax + qj) / (1 + aj);
                    if (step > 0 && step < gamma)
                    {
                        gamma = step;
                        kind = 1;
                        who = j;
                    }
                }
            }

            for (int t = 0; t < n; t++)
            {
                double zt = z[support[t]];
                if (w[t] != 0 && zt != 0)
                {
                    double step = -zt / w[t];
                    if (step > 0 && step < gamma)
                    {
                        gamma = step;
                        kind = 2;
                        who = t;
                    }
                }
            }

            for (int t = 0; t < n; t++)
            {
                z[support[t]] += gamma * w[t];
            }

            RowReductions.AddScaled(ref q[0], ref a[0], -gamma, k);
            cmax -= gamma;
            if (kind == 0)
            {
                break;
            }

            if (kind == 2)
            {
                int j = support[who];
                z[j] = 0;
                state[j] = Inactive;
                dropped = j;
                GrowingCholesky.Remove(factor, k, n, who);
                for (int t = who; t < n - 1; t++)
                {
                    support[t] = support[t + 1];
                    sign[t] = sign[t + 1];
                }

                n--;
            }
            else
            {
                dropped = -1;
                if (!Enter(p, who, q[who] > 0 ? 1.0 : -1.0, ref n, ws))
                {
                    state[who] = Excluded;
                }
            }
        }

        LassoSupportRefit.TryRefit(p, c, z, z, q, alpha, positive, ws);
        return steps;
    }

    /// <summary>Adds atom j with sign s to the active set (appending its row to the factor); false when it is dependent.</summary>
    private static bool Enter(LassoProblem p, int j, double s, ref int n, SparseCoderWorkspace ws)
    {
        int k = p.Atoms;
        double[] g = p.Gram;
        if (n == p.Dimension)
        {
            return false;
        }

        for (int i = 0; i < n; i++)
        {
            ws.Column[i] = g[ws.Support[i] * k + j];
        }

        double diagonal = g[j * k + j];
        if (!GrowingCholesky.TryAppend(ws.Factor, k, n, ws.Column, diagonal, diagonal * 1e-12))
        {
            return false;
        }

        ws.Support[n] = j;
        ws.Sign[n] = s;
        ws.State[j] = InSet;
        n++;
        return true;
    }
}
