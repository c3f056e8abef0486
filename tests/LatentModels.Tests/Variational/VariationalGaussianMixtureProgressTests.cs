using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

public class VariationalGaussianMixtureProgressTests
{
    private sealed class Collect : IProgress<FitProgress>
    {
        public List<FitProgress> Reports { get; } = [];

        public void Report(FitProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Progress_reports_every_iterations_elbo_and_cancellation_stops_the_fit()
    {
        double[,] x = VariationalTestData.Formula30();
        var options = new VariationalGaussianMixtureOptions { Components = 3, MaxIterations = 7, Tolerance = 0, Starts = 2 };
        var sink = new Collect();
        SoftClusteringFitResult<VariationalGaussianMixtureModel> fit = new VariationalGaussianMixture(options).Fit(x, sink);
        sink.Reports.Should().HaveCount(14);
        sink.Reports.Select(r => r.Objective).Should().Contain(fit.Report.ObjectiveTrace[^1]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        FluentActions.Invoking(() => new VariationalGaussianMixture(options).Fit(x, null, cts.Token)).Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void A_tolerance_stops_in_the_iteration_whose_bound_settled()
    {
        double[,] x = VariationalTestData.Formula30();
        FitReport report = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions
        {
            Components = 3,
            Init = MixtureInit.First,
            MaxIterations = 500,
            Tolerance = 1e-3,
        }).Fit(x).Report;
        report.Converged.Should().BeTrue();
        IReadOnlyList<double> t = report.ObjectiveTrace;
        Math.Abs(t[^1] - t[^2]).Should().BeLessThan(1e-3);
        for (int i = 1; i < t.Count - 1; i++)
        {
            Math.Abs(t[i] - t[i - 1]).Should().BeGreaterThanOrEqualTo(1e-3, "the peer stops at the first settled change");
        }
    }
}
