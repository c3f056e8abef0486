using LatentModels.SparseCoding;
using Xunit.Abstractions;

namespace LatentModels.Tests.SparseCoding;

/// <summary>Quality: the bars test (4 × 4 images, 8 bars on with probability 2/8, σ = 0.1, 1,000 images).</summary>
public class BinarySparseCodingBarsTests(ITestOutputHelper output)
{
    [Fact]
    public void Default_settings_recover_every_bar_for_most_seeds()
    {
        double[,] bars = BinarySparseCodingTestData.Bars(4);
        int recovered = 0;
        for (int seed = 1; seed <= 5; seed++)
        {
            double[,] x = BinarySparseCodingTestData.BarsImages(1000, 4, 2.0 / 8, 0.1, 100 + seed);
            var fit = new BinarySparseCoding(new BinarySparseCodingOptions { Components = 8, Seed = seed }).Fit(x);
            bool ok = BinarySparseCodingTestData.RecoversEveryBar(fit.Model.Dictionary, bars, 0.95, out double[] cosines);
            output.WriteLine($"seed {seed}: recovered {ok}, iterations {fit.Report.Iterations}, ELBO {fit.Model.TrainingElbo:F4}, " +
                $"cosines {string.Join(" ", cosines.Select(c => c.ToString("F3")))}, prior {string.Join(" ", fit.Model.PriorProbabilities.Select(c => c.ToString("F3")))}, noise {fit.Model.NoiseVariance.Average():F4}, {fit.Report.Elapsed.TotalSeconds:F2}s");
            recovered += ok ? 1 : 0;
        }

        recovered.Should().BeGreaterThanOrEqualTo(4);
    }
}
