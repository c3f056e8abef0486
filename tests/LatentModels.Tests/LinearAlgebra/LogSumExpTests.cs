using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class LogSumExpTests
{
    private static double Naive(ReadOnlySpan<double> v)
    {
        // Reference in the shifted form with scalar Math.Exp.
        double max = double.NegativeInfinity;
        foreach (double x in v)
        {
            max = Math.Max(max, x);
        }

        double s = 0;
        foreach (double x in v)
        {
            s += Math.Exp(x - max);
        }

        return max + Math.Log(s);
    }

    [Fact]
    public void Compute_is_stable_for_huge_and_tiny_values()
    {
        LogSumExp.Compute([1000, 1000]).Should().BeApproximately(1000 + Math.Log(2), 1e-12);
        LogSumExp.Compute([-1000, -1000, -1000]).Should().BeApproximately(-1000 + Math.Log(3), 1e-12);
        LogSumExp.Compute([0, double.NegativeInfinity]).Should().Be(0);
        LogSumExp.Compute([double.NegativeInfinity, double.NegativeInfinity]).Should().Be(double.NegativeInfinity);
        // /usr/bin/python3 -c "from scipy.special import logsumexp; print(repr(logsumexp([1,2,3])))" → 3.4076059644443806
        LogSumExp.Compute([1.0, 2.0, 3.0]).Should().BeApproximately(3.4076059644443806, 1e-14);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(1000, 17)]
    [InlineData(20000, 8)]
    [InlineData(3, 20000)]
    public void Rows_and_normalisation_match_the_naive_formula(int rows, int cols)
    {
        var rng = new Random(rows + cols);
        var v = new double[rows * cols];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (rng.NextDouble() * 60) - 800;
        }

        var lse = new double[rows];
        LogSumExp.Rows(v, rows, cols, lse);
        var p = (double[])v.Clone();
        var lse2 = new double[rows];
        LogSumExp.NormalizeRowsInPlace(p, rows, cols, lse2);
        lse2.Should().Equal(lse);
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = v.AsSpan(i * cols, cols);
            double naive = Naive(row);
            lse[i].Should().BeApproximately(naive, 1e-12 * Math.Abs(naive));
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                double expected = Math.Exp(row[j] - naive);
                p[(i * cols) + j].Should().BeApproximately(expected, (1e-12 * expected) + 1e-300);
                sum += p[(i * cols) + j];
            }

            sum.Should().BeApproximately(1.0, 1e-12);
        }
    }

    [Fact]
    public void All_negative_infinity_rows_give_minus_infinity_and_uniform_probabilities()
    {
        double ninf = double.NegativeInfinity;
        double[] v = [ninf, ninf, ninf, ninf, 0, ninf, double.NaN, 1, 2, double.PositiveInfinity, 0, 1];
        var lse = new double[4];
        LogSumExp.Rows(v, 4, 3, lse);
        lse[0].Should().Be(ninf);
        lse[1].Should().Be(0);
        double.IsNaN(lse[2]).Should().BeTrue("a NaN entry poisons its row");
        lse[3].Should().Be(double.PositiveInfinity);

        LogSumExp.NormalizeRowsInPlace(v, 4, 3, Span<double>.Empty);
        v[..6].Should().Equal(1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 1, 0);
        v[6..].Should().OnlyContain(x => double.IsNaN(x));
    }

    [Fact]
    public void Results_are_bitwise_identical_for_one_and_two_threads()
    {
        int rows = 30000, cols = 12;
        var rng = new Random(3);
        var v = new double[rows * cols];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (rng.NextDouble() * 40) - 20;
        }

        var l1 = new double[rows];
        var l2 = new double[rows];
        LogSumExp.Rows(v, rows, cols, l1, maxDegreeOfParallelism: 1);
        LogSumExp.Rows(v, rows, cols, l2, maxDegreeOfParallelism: 2);
        l2.Should().Equal(l1);

        double[] p1 = (double[])v.Clone(), p2 = (double[])v.Clone();
        LogSumExp.NormalizeRowsInPlace(p1, rows, cols, l1, maxDegreeOfParallelism: 1);
        LogSumExp.NormalizeRowsInPlace(p2, rows, cols, l2, maxDegreeOfParallelism: 2);
        p2.Should().Equal(p1);
        l2.Should().Equal(l1);
    }

    [Fact]
    public void Short_destination_is_rejected()
    {
        var act = () => LogSumExp.Rows(new double[6], 3, 2, new double[2]);
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("destination");
    }
}
