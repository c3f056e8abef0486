using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Clustering;

/// <summary>The seedings over a chunk source against the in-memory <see cref="KMeansSeeding"/>: the same seed, the same centers bit for bit.</summary>
public sealed class KMeansSourceSeedingTests
{
    private static double[,] Points(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(6);
            for (int p = 0; p < d; p++)
            {
                x[i, p] = c * (p + 2.0) + random.NextDouble();
            }
        }

        return x;
    }

    private static WeightedRowChunks Source(double[,] x, double[]? w)
    {
        ArrayRowChunkSource? weights = null;
        if (w is not null)
        {
            var m = new double[w.Length, 1];
            for (int i = 0; i < w.Length; i++)
            {
                m[i, 0] = w[i];
            }

            weights = new ArrayRowChunkSource(m, "weights");
        }

        return new WeightedRowChunks(new ArrayRowChunkSource(x), weights);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(7, false)]
    [InlineData(7, true)]
    [InlineData(20, true)]
    public void K_means_plus_plus_over_a_source_draws_the_in_memory_centers(int k, bool weighted)
    {
        // 37,000 rows: three chunks of 16,384 rows (the last partial), 19 blocks of 2048 rows (the last partial).
        double[,] x = Points(37_000, 3, k);
        double[]? w = weighted ? [.. Enumerable.Range(0, 37_000).Select(i => i % 11 == 0 ? 0.0 : 1 + (i % 5))] : null;
        double[,] inMemory = KMeansSeeding.PlusPlusCore(x, k, new Random(5), w, 2);
        var random = new Random(5);
        double[,] streamed = KMeansSourceSeeding.PlusPlus(Source(x, w), 37_000, 3, k, random, 1, default);
        PersistenceAssert.Bits(streamed).Should().Equal(PersistenceAssert.Bits(inMemory));

        // The generator is left where the in-memory seeding leaves it (what follows draws the same numbers).
        var after = new Random(5);
        KMeansSeeding.PlusPlusCore(x, k, after, w, 0);
        random.Next().Should().Be(after.Next());
    }

    [Fact]
    public void Random_rows_over_a_source_are_the_in_memory_rows()
    {
        double[,] x = Points(40_000, 2, 3);
        foreach (int k in new[] { 1, 5, 40 })
        {
            double[,] inMemory = KMeansSeeding.RandomRowsCore(x, k, new Random(k));
            double[,] streamed = KMeansSourceSeeding.RandomRows(new ArrayRowChunkSource(x), 40_000, 2, k, new Random(k), default);
            PersistenceAssert.Bits(streamed).Should().Equal(PersistenceAssert.Bits(inMemory));
        }
    }

    [Fact]
    public void Out_of_core_k_means_starts_from_the_in_memory_start_beyond_the_old_sample_size()
    {
        // 70,000 rows, more than the 65,536-row sample the out-of-core K-Means used to seed from: the fit now agrees with
        // the in-memory one (same start; the iterations agree to rounding).
        double[,] x = Points(70_000, 2, 9);
        var options = new KMeansOptions { Clusters = 6, Seed = 3, Algorithm = KMeansAlgorithm.Lloyd, Tolerance = 0, MaxIterations = 30 };
        KMeansModel outOfCore = new KMeans(options).Fit(new ArrayRowChunkSource(x)).Model;
        KMeansModel inMemory = new KMeans(options).Fit(x).Model;
        double[] a = [.. outOfCore.Centers.Cast<double>()], b = [.. inMemory.Centers.Cast<double>()];
        for (int i = 0; i < a.Length; i++)
        {
            a[i].Should().BeApproximately(b[i], 1e-9 * (1 + Math.Abs(b[i])));
        }

        outOfCore.Inertia.Should().BeApproximately(inMemory.Inertia, 1e-9 * inMemory.Inertia);
    }
}
