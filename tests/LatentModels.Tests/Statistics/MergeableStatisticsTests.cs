using LatentModels.Statistics;

namespace LatentModels.Tests.Statistics;

public class MergeableStatisticsTests
{
    private static double[,] Rows(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = random.NextDouble() * 10 - 3;
            }
        }

        return x;
    }

    [Fact]
    public void Merge_folds_the_parts_from_first_to_last()
    {
        WeightedMoments[] parts = [.. Enumerable.Range(0, 7).Select(s => WeightedMoments.FromRows(Rows(5 + s, 3, s)))];
        WeightedMoments merged = MergeableStatistics.Merge(parts);
        WeightedMoments folded = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            folded = folded.Merge(parts[i]);
        }

        merged.TotalWeight.Should().Be(folded.TotalWeight).And.Be(Enumerable.Range(0, 7).Sum(s => 5.0 + s));
        merged.Mean.Should().Equal(folded.Mean);
        merged.Scatter.Should().Equal(folded.Scatter);
        MergeableStatistics.Merge([parts[3]]).Should().BeSameAs(parts[3]);
    }

    [Fact]
    public void Merge_names_the_part_that_does_not_fit()
    {
        WeightedMoments a = WeightedMoments.FromRows(Rows(4, 2, 1)), b = WeightedMoments.FromRows(Rows(4, 3, 2));
        FluentActions.Invoking(() => MergeableStatistics.Merge([a, a, b])).Should().Throw<ArgumentException>()
            .WithParameterName("parts").WithMessage("Part 2 *");
        FluentActions.Invoking(() => MergeableStatistics.Merge([a, null!])).Should().Throw<ArgumentException>()
            .WithParameterName("parts").WithMessage("Part 1 is null*");
        FluentActions.Invoking(() => MergeableStatistics.Merge(Array.Empty<WeightedMoments>())).Should().Throw<ArgumentException>()
            .WithParameterName("parts");
    }
}
