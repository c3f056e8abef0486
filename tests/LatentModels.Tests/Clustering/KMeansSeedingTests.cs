using LatentModels.Clustering;

namespace LatentModels.Tests.Clustering;

public class KMeansSeedingTests
{
    [Fact]
    public void Nearest_squared_distances_are_the_naive_minimum_and_infinite_without_centers()
    {
        var random = new Random(4);
        var x = new double[50, 3];
        var c = new double[4, 3];
        for (int i = 0; i < 50; i++)
        {
            for (int p = 0; p < 3; p++)
            {
                x[i, p] = random.NextDouble() * 10;
                c[i % 4, p] = i < 4 ? random.NextDouble() * 10 : c[i % 4, p];
            }
        }

        var nearest = new double[50];
        KMeansSeeding.NearestSquaredDistances(x, c, nearest);
        for (int i = 0; i < 50; i++)
        {
            double naive = Enumerable.Range(0, 4).Min(j => Enumerable.Range(0, 3).Sum(p => (x[i, p] - c[j, p]) * (x[i, p] - c[j, p])));
            nearest[i].Should().BeApproximately(naive, 1e-12 * naive, $"row {i}");
        }

        KMeansSeeding.NearestSquaredDistances(x, new double[0, 3], nearest);
        nearest.Should().OnlyContain(v => double.IsPositiveInfinity(v));
        FluentActions.Invoking(() => KMeansSeeding.NearestSquaredDistances(x, new double[1, 2], nearest)).Should().Throw<ArgumentException>().WithParameterName("centers");
    }

    [Fact]
    public void PlusPlus_puts_one_center_in_each_well_separated_blob()
    {
        var (x, _, truth) = ClusteringTestData.Blobs(2000, 3, 8, 50.0, seed: 4);
        for (int seed = 0; seed < 5; seed++)
        {
            double[,] c = KMeansSeeding.PlusPlus(x, 8, new Random(seed));
            int[] rowOf = RowsOf(x, c);
            rowOf.Select(r => truth[r]).Should().OnlyHaveUniqueItems($"seed {seed}");
        }
    }

    [Fact]
    public void PlusPlus_never_picks_zero_weight_rows_and_is_reproducible()
    {
        var (x, _, _) = ClusteringTestData.Blobs(500, 2, 5, 5.0, seed: 9);
        var weights = new double[500];
        for (int i = 0; i < 500; i += 3)
        {
            weights[i] = 1.0;
        }

        double[,] a = KMeansSeeding.PlusPlus(x, 5, new Random(1), weights);
        double[,] b = KMeansSeeding.PlusPlus(x, 5, new Random(1), weights);
        a.Should().BeEquivalentTo(b);
        RowsOf(x, a).Should().OnlyContain(r => r % 3 == 0);
    }

    /// <summary>
    /// Naive greedy k-means++ with the same random draws: first row uniform (or ∝ weight), then 2 + ⌊ln k⌋ candidates
    /// ∝ weight × D², keeping the candidate that leaves the smallest weighted potential (the first of equals).
    /// </summary>
    private static int[] NaiveGreedyPlusPlus(double[,] x, int k, Random random, double[]? w)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        double Weight(int i) => w is null ? 1.0 : w[i];
        double Distance(int i, int r)
        {
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                s += (x[i, j] - x[r, j]) * (x[i, j] - x[r, j]);
            }

            return s;
        }

        int Draw(double[] mass, double u)
        {
            double total = mass.Sum(), target = u * total, run = 0;
            for (int i = 0; i < n; i++)
            {
                run += mass[i];
                if (run > target)
                {
                    return i;
                }
            }

            return n - 1;
        }

        var chosen = new List<int> { w is null ? random.Next(n) : Draw(w, random.NextDouble()) };
        double[] closest = Enumerable.Range(0, n).Select(i => Distance(i, chosen[0])).ToArray();
        int trials = 2 + (int)Math.Log(k);
        while (chosen.Count < k)
        {
            double[] mass = Enumerable.Range(0, n).Select(i => Weight(i) * closest[i]).ToArray();
            int[] candidates = Enumerable.Range(0, trials).Select(_ => Draw(mass, random.NextDouble())).ToArray();
            double[] potential = candidates.Select(c => Enumerable.Range(0, n).Sum(i => Weight(i) * Math.Min(closest[i], Distance(i, c)))).ToArray();
            int best = candidates[Array.IndexOf(potential, potential.Min())];
            chosen.Add(best);
            closest = Enumerable.Range(0, n).Select(i => Math.Min(closest[i], Distance(i, best))).ToArray();
        }

        return chosen.ToArray();
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(10, true)]
    [InlineData(30, false)]
    public void PlusPlus_is_the_greedy_variant_with_two_plus_log_k_candidates(int k, bool weighted)
    {
        var (x, _, _) = ClusteringTestData.Blobs(1200, 3, 12, 2.0, seed: 31);
        var random = new Random(5);
        double[]? w = weighted ? Enumerable.Range(0, 1200).Select(_ => (double)random.Next(0, 4)).ToArray() : null;
        for (int seed = 0; seed < 2; seed++)
        {
            int[] expected = NaiveGreedyPlusPlus(x, k, new Random(seed), w);
            double[,] c = KMeansSeeding.PlusPlus(x, k, new Random(seed), w);
            RowsOf(x, c).Should().Equal(expected, $"seed {seed}");
        }
    }

    [Fact]
    public void RandomRows_draws_distinct_rows()
    {
        var x = new double[10, 1];
        for (int i = 0; i < 10; i++)
        {
            x[i, 0] = i;
        }

        double[,] c = KMeansSeeding.RandomRows(x, 10, new Random(2));
        Enumerable.Range(0, 10).Select(j => c[j, 0]).Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(i => (double)i));
    }

    [Fact]
    public void Seeding_validates_its_arguments()
    {
        var x = new double[,] { { 1 }, { 2 } };
        new Action(() => KMeansSeeding.PlusPlus(x, 3, new Random(0))).Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("k");
        new Action(() => KMeansSeeding.RandomRows(x, 0, new Random(0))).Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("k");
        new Action(() => KMeansSeeding.PlusPlus(x, 1, new Random(0), new double[] { 1 })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("weights");
        new Action(() => KMeansSeeding.PlusPlus(new double[,] { { double.NaN } }, 1, new Random(0))).Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
    }

    private static int[] RowsOf(double[,] x, double[,] c)
    {
        var rows = new int[c.GetLength(0)];
        for (int j = 0; j < rows.Length; j++)
        {
            rows[j] = -1;
            for (int i = 0; i < x.GetLength(0) && rows[j] < 0; i++)
            {
                bool same = true;
                for (int p = 0; p < x.GetLength(1); p++)
                {
                    same &= x[i, p] == c[j, p];
                }

                if (same)
                {
                    rows[j] = i;
                }
            }

            rows[j].Should().BeGreaterThanOrEqualTo(0, "every seed is a data row");
        }

        return rows;
    }
}
