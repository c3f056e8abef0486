using System.Globalization;
using LatentModels.Distributions;

namespace LatentModels.Tests.Distributions;

/// <summary>Helpers shared by the distribution tests.</summary>
internal static class TestData
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>Reads a whitespace-separated numeric file (no header) into an n × d matrix.</summary>
    public static double[,] Read(string name)
    {
        double[][] rows = File.ReadAllLines(Path(name))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return rows.ToMatrix();
    }

    /// <summary>Each row repeated as many times as its (integer) weight.</summary>
    public static double[,] Repeat(double[,] data, int[] counts)
    {
        int d = data.GetLength(1);
        var result = new double[counts.Sum(), d];
        int r = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            for (int c = 0; c < counts[i]; c++, r++)
            {
                for (int j = 0; j < d; j++)
                {
                    result[r, j] = data[i, j];
                }
            }
        }

        return result;
    }

    /// <summary>Fits through the static-abstract contract, as a generic mixture would.</summary>
    public static T FitGeneric<T>(double[,] data, double[] weights) where T : IMaximumLikelihood<T> => T.Fit(data, weights);

    /// <summary>Monte-Carlo estimate of KL(p‖q) = E_p[log p − log q] and its standard error.</summary>
    public static (double Estimate, double StandardError) MonteCarloKl(IDensityModel p, IDensityModel q, double[,] samples)
    {
        int n = samples.GetLength(0);
        var lp = new double[n];
        var lq = new double[n];
        p.LogDensity(samples, lp);
        q.LogDensity(samples, lq);
        double[] diff = lp.Zip(lq, (a, b) => a - b).ToArray();
        double mean = diff.Average();
        double sd = Math.Sqrt(diff.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        return (mean, sd / Math.Sqrt(n));
    }

    public static double[,] Column(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        var result = new double[v.Length, 1];
        for (int i = 0; i < v.Length; i++)
        {
            result[i, 0] = v[i];
        }

        return result;
    }
}
