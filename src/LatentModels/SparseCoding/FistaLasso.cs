using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Lasso codes of a block of rows by FISTA (Beck and Teboulle 2009), all rows at once: the gradient of the block is
/// Y·G − C (one GEMM per iteration), and the gradient step, soft threshold and momentum are one fused kernel pass
/// (<see cref="SparseKernels.ProximalGradientStep"/>), with step 1/L, L the largest eigenvalue of G. Every ten
/// iterations each unfinished row is checked: done when the exact refit on its current support passes the optimality
/// conditions, or else when its duality gap is within the tolerance.
/// </summary>
internal static class FistaLasso
{
    private const int CheckEvery = 10;

    /// <summary>Solves a block; <paramref name="codes"/> holds the warm start (or zeros) and receives the codes.</summary>
    /// <returns>The number of iterations.</returns>
    public static int SolveBlock(LassoProblem p, ReadOnlySpan<double> correlations, ReadOnlySpan<double> squaredNorms, Span<double> codes, int rows,
        double alpha, bool positive, double tolerance, int maxIterations, SparseCoderWorkspace ws)
    {
        int k = p.Atoms, size = rows * k;
        double step = 1.0 / p.Lipschitz, threshold = alpha * step;
        Span<double> y = ws.FistaY.AsSpan(0, size);
        Span<double> z = ws.FistaZ.AsSpan(0, size);
        Span<double> gradient = ws.FistaGradient.AsSpan(0, size);
        Span<bool> done = ws.FistaDone.AsSpan(0, rows);
        ReadOnlySpan<double> c = correlations[..size];
        codes[..size].CopyTo(z);
        z.CopyTo(y);
        done.Clear();
        int remaining = rows;
        double t = 1;
        int iteration = 0;
        while (iteration < maxIterations && remaining > 0)
        {
            iteration++;
            c.CopyTo(gradient);
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, k, k, 1.0, y, k, p.Gram, k, -1.0, gradient, k, 1);
            double next = 0.5 * (1 + Math.Sqrt(1 + 4 * t * t));
            SparseKernels.ProximalGradientStep(y, gradient, z, step, threshold, (t - 1) / next, positive);
            t = next;
            if (iteration % CheckEvery != 0 && iteration != maxIterations)
            {
                continue;
            }

            c.CopyTo(gradient);
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, k, k, -1.0, z, k, p.Gram, k, 1.0, gradient, k, 1);
            for (int i = 0; i < rows; i++)
            {
                if (done[i])
                {
                    continue;
                }

                ReadOnlySpan<double> zi = z.Slice(i * k, k), ci = c.Slice(i * k, k);
                Span<double> result = codes.Slice(i * k, k);
                if (!LassoSupportRefit.TryRefit(p, ci, zi, result, ws.Q, alpha, positive, ws))
                {
                    if (LassoSupportRefit.RelativeGap(ci, gradient.Slice(i * k, k), zi, squaredNorms[i], alpha, positive) > tolerance)
                    {
                        continue;
                    }

                    zi.CopyTo(result);
                }

                done[i] = true;
                remaining--;
            }
        }

        for (int i = 0; i < rows; i++)
        {
            if (!done[i])
            {
                z.Slice(i * k, k).CopyTo(codes.Slice(i * k, k));
            }
        }

        return iteration;
    }
}
