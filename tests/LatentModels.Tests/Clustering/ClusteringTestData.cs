using System.Globalization;

namespace LatentModels.Tests.Clustering;

internal static class ClusteringTestData
{
    public static double[,] OldFaithful()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "old_faithful.txt"));
        var x = new double[lines.Length, 2];
        for (int i = 0; i < lines.Length; i++)
        {
            string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            x[i, 0] = double.Parse(f[0], CultureInfo.InvariantCulture);
            x[i, 1] = double.Parse(f[1], CultureInfo.InvariantCulture);
        }

        return x;
    }

    /// <summary>Gaussian blobs: centers N(0, spread²), unit-variance noise, rows in random cluster order.</summary>
    public static (double[,] Data, double[,] Centers, int[] Truth) Blobs(int n, int d, int k, double spread, int seed)
    {
        var random = new Random(seed);
        var centers = new double[k, d];
        for (int j = 0; j < k; j++)
        {
            for (int p = 0; p < d; p++)
            {
                centers[j, p] = spread * Normal(random);
            }
        }

        var x = new double[n, d];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            int z = random.Next(k);
            truth[i] = z;
            for (int p = 0; p < d; p++)
            {
                x[i, p] = centers[z, p] + Normal(random);
            }
        }

        return (x, centers, truth);
    }

    /// <summary>
    /// The shape of the comparison workload (shared/compare/gen_data.py): centers N(0, 6²), per-cluster linear maps
    /// A ~ N(0, 1/d), cluster weights ~ Dirichlet(2, …, 2), x = center + A·ε.
    /// </summary>
    public static double[,] CompareLike(int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        var centers = new double[k, d];
        var maps = new double[k, d, d];
        var weights = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            for (int p = 0; p < d; p++)
            {
                centers[j, p] = 6 * Normal(random);
                for (int q = 0; q < d; q++)
                {
                    maps[j, p, q] = Normal(random) / Math.Sqrt(d);
                }
            }

            weights[j] = -Math.Log(1 - random.NextDouble()) - Math.Log(1 - random.NextDouble()); // Gamma(2)
            total += weights[j];
        }

        var x = new double[n, d];
        var eps = new double[d];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble() * total;
            int z = 0;
            while (z < k - 1 && u >= weights[z])
            {
                u -= weights[z];
                z++;
            }

            for (int q = 0; q < d; q++)
            {
                eps[q] = Normal(random);
            }

            for (int p = 0; p < d; p++)
            {
                double v = centers[z, p];
                for (int q = 0; q < d; q++)
                {
                    v += maps[z, p, q] * eps[q];
                }

                x[i, p] = v;
            }
        }

        return x;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Naive inertia: Σ w‖x − c_label‖², the reference for the library's fused computation.</summary>
    public static double Inertia(double[,] x, double[,] centers, int[] labels, double[]? weights = null)
    {
        double s = 0;
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double r = 0;
            for (int p = 0; p < x.GetLength(1); p++)
            {
                double diff = x[i, p] - centers[labels[i], p];
                r += diff * diff;
            }

            s += (weights?[i] ?? 1.0) * r;
        }

        return s;
    }

    /// <summary>Naive nearest center (first on ties), by direct squared distances.</summary>
    public static int[] Nearest(double[,] x, double[,] centers)
    {
        var labels = new int[x.GetLength(0)];
        for (int i = 0; i < labels.Length; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < centers.GetLength(0); j++)
            {
                double r = 0;
                for (int p = 0; p < x.GetLength(1); p++)
                {
                    double diff = x[i, p] - centers[j, p];
                    r += diff * diff;
                }

                if (r < best)
                {
                    best = r;
                    labels[i] = j;
                }
            }
        }

        return labels;
    }
}
