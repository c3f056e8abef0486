using LatentModels.Tests.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

public class VariationalDiscreteMixtureProgressTests
{
    private sealed class Collect : IProgress<FitProgress>
    {
        public List<FitProgress> Reports { get; } = [];

        public void Report(FitProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Progress_reports_every_iterations_elbo_the_best_start_is_kept_and_cancellation_stops_the_fit()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(200, new Random(6));
        var options = new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 6, Tolerance = 0, Starts = 3, Seed = 9 };
        var sink = new Collect();
        var fit = new VariationalBernoulliMixture(options).Fit(x, sink);

        sink.Reports.Should().HaveCount(18);
        double[] finals = sink.Reports.Where(r => r.Iteration == 6).Select(r => r.Objective).ToArray();
        finals.Should().HaveCount(3);
        fit.Model.Elbo.Should().Be(finals.Max());
        fit.Report.ObjectiveTrace[^1].Should().Be(finals.Max());

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        FluentActions.Invoking(() => new VariationalBernoulliMixture(options).Fit(x, null, cts.Token)).Should().Throw<OperationCanceledException>();
    }
}
