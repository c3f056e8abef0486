using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Tests.Mixtures;

namespace LatentModels.Tests;

/// <summary>Long fits stop at the next iteration once their token is cancelled (what Ctrl-C does in the CLI).</summary>
public class CancellationTests
{
    /// <summary>Cancels the source when the given iteration is reported, and records every report (synchronously).</summary>
    private sealed class CancelAt(CancellationTokenSource source, int iteration) : IProgress<FitProgress>
    {
        public List<FitProgress> Reports { get; } = [];

        public void Report(FitProgress value)
        {
            Reports.Add(value);
            if (value.Iteration == iteration)
            {
                source.Cancel();
            }
        }
    }

    public static TheoryData<string> Estimators => ["gmm", "gmm-map", "kmeans-lloyd", "kmeans-accelerated"];

    private static IEstimator<object> Create(string name) => name switch
    {
        // Tolerance 0 and a large cap: uncancelled, these fits run all 500 iterations (checked below).
        "gmm" => Adapt(new GaussianMixture(new GaussianMixtureOptions { Components = 3, MaxIterations = 500, Tolerance = 0, Seed = 1 })),
        "gmm-map" => Adapt(new GaussianMixture(new GaussianMixtureOptions { Components = 3, MaxIterations = 500, Tolerance = 0, Prior = GaussianMixturePrior.Default })),
        "kmeans-lloyd" => Adapt(new KMeans(new KMeansOptions { Clusters = 40, MaxIterations = 500, Tolerance = 0, Algorithm = KMeansAlgorithm.Lloyd, Init = KMeansInit.First })),
        _ => Adapt(new KMeans(new KMeansOptions { Clusters = 40, MaxIterations = 500, Tolerance = 0, Init = KMeansInit.First })),
    };

    private static IEstimator<object> Adapt<T>(IEstimator<T> estimator) where T : class => new Adapter<T>(estimator);

    private sealed class Adapter<T>(IEstimator<T> inner) : IEstimator<object> where T : class
    {
        public FitResult<object> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            FitResult<T> r = inner.Fit(data, progress, cancellationToken);
            return new FitResult<object>(r.Model, r.Report);
        }
    }

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Cancelling_during_a_fit_stops_it_at_the_next_iteration_with_OperationCanceledException(string name)
    {
        double[,] x = MixtureTestData.OldFaithful();
        using var source = new CancellationTokenSource();
        var progress = new CancelAt(source, iteration: 3);
        Action fit = () => Create(name).Fit(x, progress, source.Token);
        fit.Should().Throw<OperationCanceledException>();
        progress.Reports.Select(r => r.Iteration).Should().Equal([1, 2, 3], "the fit stops right after the iteration that saw the cancellation");

        using var never = new CancellationTokenSource();
        var uncancelled = new CancelAt(never, iteration: -1);
        FitReport report = Create(name).Fit(x, uncancelled, never.Token).Report;
        report.Iterations.Should().BeGreaterThan(3, "without cancellation the same fit runs on");
    }

    [Fact]
    public void An_already_cancelled_token_fits_nothing()
    {
        double[,] x = MixtureTestData.OldFaithful();
        using var source = new CancellationTokenSource();
        source.Cancel();
        var progress = new CancelAt(source, iteration: -1);
        Action gmm = () => new GaussianMixture(new GaussianMixtureOptions { Components = 2 }).Fit(x, progress, source.Token);
        gmm.Should().Throw<OperationCanceledException>();
        Action kmeans = () => new KMeans(2).Fit(x, progress, source.Token);
        kmeans.Should().Throw<OperationCanceledException>();
        progress.Reports.Should().BeEmpty();
    }
}
