using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Cancellation reaches every long loop at block granularity (docs/reliability.md, "Cancellation"): the K-Means and
/// k-means++ starts of a Gaussian mixture and incremental EM's rows within a pass. No timing: each test cancels before or
/// inside the work and checks that the work stopped before it completed and left the caller's data as it was.
/// </summary>
public class CancellationLatencyTests
{
    private static readonly double[,] _data = RangeTestData.Blobs(400, 3, 5);

    private static CancellationToken Cancelled()
    {
        var source = new CancellationTokenSource();
        source.Cancel();
        return source.Token;
    }

    [Theory]
    [InlineData(MixtureInit.KMeans)]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    public void The_k_means_start_of_a_Gaussian_mixture_honours_the_token(MixtureInit init)
    {
        var o = new GaussianMixtureOptions { Components = 4, Init = init, Seed = 3 };
        var engine = new GaussianMixtureEngine(_data, null, o);
        double[,] before = (double[,])_data.Clone();
        double[] weightsBefore = engine.Current.Weights.ToArray();

        Action start = () => GaussianMixture.Initialize(engine, _data, null, o, new Random(1), Cancelled());

        start.Should().Throw<OperationCanceledException>();
        engine.Current.Weights.ToArray().Should().Equal(weightsBefore, "the start was cancelled before it set any parameter");
        _data.Should().BeEquivalentTo(before, opt => opt.WithStrictOrdering());

        // Uncancelled, the same start sets the weights (they sum to one).
        GaussianMixture.Initialize(engine, _data, null, o, new Random(1), CancellationToken.None);
        engine.Current.Weights.ToArray().Sum().Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void K_means_plus_plus_seeding_checks_the_token_between_centers()
    {
        Action seed = () => KMeansSeeding.PlusPlusCore(_data, 5, new Random(2), null, 1, Cancelled());
        seed.Should().Throw<OperationCanceledException>();
        KMeansSeeding.PlusPlusCore(_data, 5, new Random(2), null, 1, CancellationToken.None).GetLength(0).Should().Be(5);
    }

    [Fact]
    public void An_incremental_EM_pass_checks_the_token_before_visiting_its_rows()
    {
        var o = new GaussianMixtureOptions { Components = 3, Seed = 4 };
        var engine = new GaussianMixtureEngine(_data, null, o);
        GaussianMixture.Initialize(engine, _data, null, o, new Random(4));
        var state = new IncrementalEmState(engine, _data, new Random(5));

        Action pass = () => state.Pass(Cancelled());

        pass.Should().Throw<OperationCanceledException>();
        state.Seen.Should().Be(0, "no row of the pass was visited after the cancellation");
        state.Pass(CancellationToken.None);
        state.Seen.Should().Be(_data.GetLength(0));
    }

    /// <summary>Cancels its source when the given pass is reported and records the passes (synchronously).</summary>
    private sealed class CancelAt(CancellationTokenSource source, int iteration) : IProgress<FitProgress>
    {
        public List<int> Iterations { get; } = [];

        public void Report(FitProgress value)
        {
            Iterations.Add(value.Iteration);
            if (value.Iteration == iteration)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void Incremental_EM_cancelled_after_its_first_pass_stops_before_the_second_and_leaves_the_data()
    {
        double[,] before = (double[,])_data.Clone();
        using var source = new CancellationTokenSource();
        var progress = new CancelAt(source, 1);
        var fitter = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 4 }, Passes = 50, Tolerance = 0 });

        Action fit = () => fitter.Fit(_data, progress, source.Token);

        fit.Should().Throw<OperationCanceledException>();
        progress.Iterations.Should().Equal([1], "the second pass stops at its first block");
        _data.Should().BeEquivalentTo(before, opt => opt.WithStrictOrdering());
    }
}
