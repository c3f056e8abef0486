namespace LatentModels.Tests.SparseCoding;

/// <summary>Problems for the sparse-coding tests and naive references that share no code with the library.</summary>
internal static class SparseCodingTestData
{
    /// <summary>A K × d dictionary of Gaussian atoms, unit-norm or with norms spread over [0.5, 2].</summary>
    public static double[,] Dictionary(int atoms, int dimension, int seed, bool unitNorm = true)
    {
        var random = new Random(seed);
        var d = new double[atoms, dimension];
        for (int k = 0; k < atoms; k++)
        {
            double norm = 0;
            for (int j = 0; j < dimension; j++)
            {
                d[k, j] = Gaussian(random);
                norm += d[k, j] * d[k, j];
            }

            double scale = (unitNorm ? 1.0 : 0.5 + 1.5 * random.NextDouble()) / Math.Sqrt(norm);
            for (int j = 0; j < dimension; j++)
            {
                d[k, j] *= scale;
            }
        }

        return d;
    }

    /// <summary>n signals, each a combination of <paramref name="active"/> random atoms with N(0, 1) weights, plus N(0, noise²) noise.</summary>
    public static double[,] Signals(double[,] dictionary, int n, int active, double noise, int seed)
    {
        var random = new Random(seed);
        int k = dictionary.GetLength(0), d = dictionary.GetLength(1);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < active; a++)
            {
                int atom = random.Next(k);
                double w = Gaussian(random);
                for (int j = 0; j < d; j++)
                {
                    x[i, j] += w * dictionary[atom, j];
                }
            }

            for (int j = 0; j < d; j++)
            {
                x[i, j] += noise * Gaussian(random);
            }
        }

        return x;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static double[] Row(double[,] m, int i) => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray();

    /// <summary>½‖x − zD‖² + α‖z‖₁ by plain loops.</summary>
    public static double Objective(double[,] dictionary, double[] x, double[] z, double alpha)
    {
        int k = dictionary.GetLength(0), d = dictionary.GetLength(1);
        double r2 = 0;
        for (int j = 0; j < d; j++)
        {
            double r = x[j];
            for (int a = 0; a < k; a++)
            {
                r -= z[a] * dictionary[a, j];
            }

            r2 += r * r;
        }

        return 0.5 * r2 + alpha * z.Sum(Math.Abs);
    }

    /// <summary>qₐ = dₐ·(x − zD) by plain loops: the correlation of the residual with each atom.</summary>
    public static double[] ResidualCorrelations(double[,] dictionary, double[] x, double[] z)
    {
        int k = dictionary.GetLength(0), d = dictionary.GetLength(1);
        var r = (double[])x.Clone();
        for (int a = 0; a < k; a++)
        {
            for (int j = 0; j < d; j++)
            {
                r[j] -= z[a] * dictionary[a, j];
            }
        }

        return Enumerable.Range(0, k).Select(a => Enumerable.Range(0, d).Sum(j => dictionary[a, j] * r[j])).ToArray();
    }

    /// <summary>
    /// The lasso minimiser by exhaustive search over supports and signs (K ≤ 8): for every sign pattern s ∈ {−1, 0, +1}ᴷ
    /// solve G_SS·z_S = D_S·x − α·s_S by Gaussian elimination and keep the sign-consistent candidate of least objective
    /// (the minimiser is one of them).
    /// </summary>
    public static double[] BruteForceLasso(double[,] dictionary, double[] x, double alpha, bool positive = false)
    {
        int k = dictionary.GetLength(0), d = dictionary.GetLength(1);
        double[] best = new double[k];
        double bestObjective = Objective(dictionary, x, best, alpha);
        int patterns = (int)Math.Pow(3, k);
        for (int p = 1; p < patterns; p++)
        {
            var sign = new int[k];
            int code = p;
            for (int a = 0; a < k; a++)
            {
                sign[a] = code % 3 - 1;
                code /= 3;
            }

            if (positive && sign.Any(s => s < 0))
            {
                continue;
            }

            int[] support = Enumerable.Range(0, k).Where(a => sign[a] != 0).ToArray();
            int m = support.Length;
            if (m > d)
            {
                continue;
            }

            var a2 = new double[m, m + 1];
            for (int r = 0; r < m; r++)
            {
                for (int c = 0; c < m; c++)
                {
                    a2[r, c] = Enumerable.Range(0, d).Sum(j => dictionary[support[r], j] * dictionary[support[c], j]);
                }

                a2[r, m] = Enumerable.Range(0, d).Sum(j => dictionary[support[r], j] * x[j]) - alpha * sign[support[r]];
            }

            double[]? solution = GaussianElimination(a2, m);
            if (solution is null || Enumerable.Range(0, m).Any(r => solution[r] * sign[support[r]] <= 0))
            {
                continue;
            }

            var z = new double[k];
            for (int r = 0; r < m; r++)
            {
                z[support[r]] = solution[r];
            }

            double objective = Objective(dictionary, x, z, alpha);
            if (objective < bestObjective)
            {
                bestObjective = objective;
                best = z;
            }
        }

        return best;
    }

    /// <summary>The least-squares codes of x on the given atoms (normal equations by Gaussian elimination); null if singular.</summary>
    public static double[]? LeastSquares(double[,] dictionary, double[] x, int[] support)
    {
        int m = support.Length, d = dictionary.GetLength(1);
        var a = new double[m, m + 1];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < m; c++)
            {
                a[r, c] = Enumerable.Range(0, d).Sum(j => dictionary[support[r], j] * dictionary[support[c], j]);
            }

            a[r, m] = Enumerable.Range(0, d).Sum(j => dictionary[support[r], j] * x[j]);
        }

        return GaussianElimination(a, m);
    }

    /// <summary>Solves the m × m system in the augmented matrix (partial pivoting); null when (nearly) singular.</summary>
    public static double[]? GaussianElimination(double[,] a, int m)
    {
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < m; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-10)
            {
                return null;
            }

            for (int c = 0; c <= m; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (int r = 0; r < m; r++)
            {
                if (r != col)
                {
                    double f = a[r, col] / a[col, col];
                    for (int c = col; c <= m; c++)
                    {
                        a[r, c] -= f * a[col, c];
                    }
                }
            }
        }

        return Enumerable.Range(0, m).Select(r => a[r, m] / a[r, r]).ToArray();
    }
}
