using LatentModels.Mixtures;

namespace LatentModels.Tests.Mixtures;

public class MixtureKernelsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(17, 4)]
    [InlineData(63, 8)]
    [InlineData(65, 9)]
    [InlineData(33, 13)]
    [InlineData(20, 17)]
    public void Weighted_scatter_matches_the_naive_sum_on_awkward_sizes(int rows, int d)
    {
        var random = new Random(rows * 31 + d);
        double[] c = Enumerable.Range(0, rows * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        const int stride = 3;
        double[] w = Enumerable.Range(0, rows * stride).Select(i => i % 5 == 0 ? 0 : random.NextDouble()).ToArray();
        var scatter = new double[d * d];
        Array.Fill(scatter, double.NaN);
        MixtureKernels.WeightedScatter(c, rows, d, w, stride, scatter);
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                double expected = 0;
                for (int i = 0; i < rows; i++)
                {
                    expected += w[i * stride] * c[i * d + a] * c[i * d + b];
                }

                scatter[a * d + b].Should().BeApproximately(expected, 1e-12);
                scatter[a * d + b].Should().Be(scatter[b * d + a]);
            }
        }
    }

    [Fact]
    public void Squared_distances_match_the_naive_loops()
    {
        double[] a = Enumerable.Range(0, 11).Select(i => i * 0.7).ToArray();
        double[] b = Enumerable.Range(0, 11).Select(i => 3 - i * 0.2).ToArray();
        double[] p = Enumerable.Range(0, 11).Select(i => 1 + i * 0.1).ToArray();
        MixtureKernels.SquaredDistance(a, b).Should().BeApproximately(Enumerable.Range(0, 11).Sum(i => (a[i] - b[i]) * (a[i] - b[i])), 1e-12);
        MixtureKernels.ScaledSquaredDistance(a, b, p).Should().BeApproximately(Enumerable.Range(0, 11).Sum(i => Math.Pow((a[i] - b[i]) * p[i], 2)), 1e-12);
    }
}
