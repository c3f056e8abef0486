using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class ScalarKernelsTests
{
    [Theory]
    [InlineData(1.0, 2.0)]
    [InlineData(-3.0, -7.5)]
    [InlineData(double.PositiveInfinity, 4.0)]
    [InlineData(0.25, double.NegativeInfinity)]
    [InlineData(5.0, 5.0)]
    public void The_branch_free_maximum_is_the_maximum_for_non_NaN_values(double a, double b)
    {
        ScalarKernels.MaxNoNaN(a, b).Should().Be(Math.Max(a, b));
        ScalarKernels.MaxNoNaN(b, a).Should().Be(Math.Max(a, b));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    public void Prefetch_changes_nothing(int d)
    {
        double[] row = Enumerable.Range(0, d).Select(i => i * 0.5).ToArray();
        double[] copy = (double[])row.Clone();
        ScalarKernels.Prefetch(ref row[0], d);
        row.Should().Equal(copy);
    }
}
