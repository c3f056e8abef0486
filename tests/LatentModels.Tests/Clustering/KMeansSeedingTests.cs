using LatentModels.Clustering;

namespace LatentModels.Tests.Clustering;

public class KMeansSeedingTests
{
    [Fact]
    public void PlusPlus_puts_one_centre_in_each_well_separated_blob()
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
