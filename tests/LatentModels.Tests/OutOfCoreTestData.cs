using System.Globalization;
using System.Text;
using LatentModels.Data;

namespace LatentModels.Tests;

/// <summary>The data shared by the out-of-core tests (K-Means, EM and variational mixtures over chunk sources).</summary>
internal static class OutOfCoreTestData
{
    /// <summary>Four well-separated blobs of <paramref name="n"/> rows of width <paramref name="d"/> (seeded).</summary>
    public static double[,] Blobs(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(4);
            for (int p = 0; p < d; p++)
            {
                x[i, p] = c * 3.0 * ((p % 3) + 1) + (random.NextDouble() - 0.5) * (1 + p % 2) + 0.3 * random.NextDouble() * c;
            }
        }

        return x;
    }

    /// <summary>The rows as CSV text, round-trip formatted, no header.</summary>
    public static string Csv(double[,] x)
    {
        var text = new StringBuilder();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            text.AppendLine(string.Join(',', Enumerable.Range(0, x.GetLength(1)).Select(p => x[i, p].ToString("R", CultureInfo.InvariantCulture))));
        }

        return text.ToString();
    }

    /// <summary>One seeded weight per row: zeros, fractions and large counts.</summary>
    public static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        // Zeros, fractions and large counts, so a weight that were dropped or misaligned by one row would show.
        return [.. Enumerable.Range(0, n).Select(i => i % 97 == 0 ? 0.0 : 0.25 + 3 * random.NextDouble())];
    }

    /// <summary>The values as a one-column source (a weights source).</summary>
    public static ArrayRowChunkSource Column(double[] values)
    {
        var m = new double[values.Length, 1];
        for (int i = 0; i < values.Length; i++)
        {
            m[i, 0] = values[i];
        }

        return new ArrayRowChunkSource(m, "weights");
    }
}
