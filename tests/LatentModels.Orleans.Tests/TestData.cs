namespace LatentModels.Orleans.Tests;

/// <summary>Data and shards for the distributed tests.</summary>
internal static class TestData
{
    /// <summary>n rows of three 2-D blobs far from the origin, with a third noise column.</summary>
    public static double[,] Blobs(int n, int seed)
    {
        var random = new Random(seed);
        double[][] centers = [[100, 0, 0], [106, 3, 0], [101, 7, 1]];
        var x = new double[n, 3];
        for (int i = 0; i < n; i++)
        {
            double[] c = centers[i % 3];
            for (int j = 0; j < 3; j++)
            {
                x[i, j] = c[j] + Normal(random) * (j == 2 ? 0.5 : 1.0);
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
                y[i, p] = (x[i, p] * scale) + shift;
            }
        }

        return y;
    }

    /// <summary>n binary rows of d variables from two prototypes with flips.</summary>
    public static double[,] Binary(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                bool on = (i % 2 == 0) == (j < d / 2);
                x[i, j] = (random.NextDouble() < 0.15) ^ on ? 1 : 0;
            }
        }

        return x;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Rows [from, to) of x.</summary>
    public static double[,] Slice(double[,] x, int from, int to)
    {
        int d = x.GetLength(1);
        var rows = new double[to - from, d];
        for (int i = from; i < to; i++)
        {
            for (int j = 0; j < d; j++)
            {
                rows[i - from, j] = x[i, j];
            }
        }

        return rows;
    }

    /// <summary>Pushed-row shards cut at the given row indices (first 0, last n).</summary>
    public static ShardSource[] Shards(double[,] x, params int[] cuts) =>
        Enumerable.Range(0, cuts.Length - 1).Select(s => (ShardSource)new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), name: $"shard {s}")).ToArray();

    /// <summary>Cuts of n rows into shards of <paramref name="size"/> rows (the last may be shorter).</summary>
    public static int[] EvenCuts(int n, int size) =>
        Enumerable.Range(0, (n + size - 1) / size).Select(s => s * size).Append(n).ToArray();

    /// <summary>Cuts of n rows into <paramref name="count"/> uneven shards that do not align with any block size.</summary>
    public static int[] UnevenCuts(int n, int count) =>
        Enumerable.Range(0, count).Select(s => (int)((long)n * s * s / ((long)count * count))).Append(n).ToArray();

    public static long[] Bits(double[,] values) => values.Cast<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    public static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    public static double MaxAbsDiff(IEnumerable<double> a, IEnumerable<double> b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();

    public static IEnumerable<double> Flat(double[,] values) => values.Cast<double>();
}
