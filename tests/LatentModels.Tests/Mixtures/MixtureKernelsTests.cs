using LatentModels.Mixtures;

namespace LatentModels.Tests.Mixtures;

public class MixtureKernelsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(65)]
    public void Reductions_match_the_naive_loops_on_awkward_lengths(int n)
    {
        var random = new Random(n);
        double[] r = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        MixtureKernels.Sum(r).Should().BeApproximately(r.Sum(), 1e-12);
        MixtureKernels.Dot(r, x).Should().BeApproximately(r.Zip(x, (a, b) => a * b).Sum(), 1e-12);
        MixtureKernels.WeightedSquaredDeviation(r, x, 0.3).Should().BeApproximately(r.Zip(x, (a, b) => a * (b - 0.3) * (b - 0.3)).Sum(), 1e-12);
        var acc = Enumerable.Repeat(1.0, n).ToArray();
        MixtureKernels.AccumulateScaledSquares(x, 0.2, 3, acc);
        acc.Should().Equal(x.Select(v => 1 + Math.Pow(3 * (v - 0.2), 2)), (p, q) => Math.Abs(p - q) < 1e-12);
    }

    [Fact]
    public void Column_normalisation_gives_probabilities_and_log_sum_exp_even_for_extreme_values()
    {
        // Three components (rows of the buffer, stride 5) and four data rows (columns); column 3 is all −∞.
        double[] v =
        [
            0, -1000, 800, double.NegativeInfinity, 9,
            0, -1001, 799, double.NegativeInfinity, 9,
            0, double.NegativeInfinity, 700, double.NegativeInfinity, 9,
        ];
        var lse = new double[4];
        MixtureKernels.NormalizeColumns(v, 3, 4, 5, lse, new double[4]);
        lse[0].Should().BeApproximately(Math.Log(3), 1e-14);
        lse[1].Should().BeApproximately(-1000 + Math.Log(1 + Math.Exp(-1)), 1e-12);
        lse[2].Should().BeApproximately(800 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-100)), 1e-12);
        lse[3].Should().Be(double.NegativeInfinity);
        v[0].Should().BeApproximately(1.0 / 3, 1e-15);
        v[5 + 1].Should().BeApproximately(Math.Exp(-1) / (1 + Math.Exp(-1)), 1e-15);
        v[10 + 1].Should().Be(0);
        new[] { v[3], v[8], v[13] }.Should().Equal(0, 0, 0);
        v[4].Should().Be(9, "entries past the row count are untouched");
    }

    [Fact]
    public void Centre_transpose_and_squared_distance_match_the_naive_loops()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        var t = new double[3 * 4];
        MixtureKernels.CentreTranspose(x, 2, 3, [1, 1, 1], t, 4);
        t.Should().Equal(0, 3, 0, 0, 1, 4, 0, 0, 2, 5, 0, 0);
        double[] a = Enumerable.Range(0, 11).Select(i => i * 0.7).ToArray();
        double[] b = Enumerable.Range(0, 11).Select(i => 3 - i * 0.2).ToArray();
        MixtureKernels.SquaredDistance(a, b).Should().BeApproximately(Enumerable.Range(0, 11).Sum(i => (a[i] - b[i]) * (a[i] - b[i])), 1e-12);
    }
}
