using LatentModels.Randomness;

namespace LatentModels.Tests.Reliability;

/// <summary>Well-separated blobs and their images under x ↦ x·scale + shift, for the range and translation tests.</summary>
internal static class RangeTestData
{
    /// <summary>n rows in d dimensions around three centers 10 apart, unit spread, labelled by construction.</summary>
    public static double[,] Blobs(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        var z = new double[d];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            StandardNormal.Fill(random, z);
            for (int p = 0; p < d; p++)
            {
                double center = p == c % d ? 10.0 * (c + 1) : (p == (c + 1) % d ? -10.0 * c : 0.0);
                x[i, p] = center + z[p];
            }
        }

        return x;
    }

    /// <summary>x·scale + shift, element by element (a new array).</summary>
    public static double[,] Map(double[,] x, double scale, double shift)
    {
        var y = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int p = 0; p < x.GetLength(1); p++)
            {
                y[i, p] = x[i, p] * scale + shift;
            }
        }

        return y;
    }

    /// <summary>Weights 1 + (i mod 4), times a factor.</summary>
    public static double[] Weights(int n, double factor)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = (1 + i % 4) * factor;
        }

        return w;
    }

    /// <summary>|a − b| ≤ tolerance·|b| for every element (b the reference).</summary>
    public static void ShouldBeRelativelyClose(double[,] actual, double[,] expected, double tolerance, double scale = 1)
    {
        actual.GetLength(0).Should().Be(expected.GetLength(0));
        actual.GetLength(1).Should().Be(expected.GetLength(1));
        double norm = 0;
        foreach (double v in expected)
        {
            norm = Math.Max(norm, Math.Abs(v));
        }

        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int p = 0; p < expected.GetLength(1); p++)
            {
                (Math.Abs(actual[i, p] / scale - expected[i, p]) <= tolerance * norm).Should().BeTrue($"element ({i}, {p}) is {actual[i, p]}, expected {expected[i, p]} × {scale}");
            }
        }
    }
}
