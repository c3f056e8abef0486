using CsCheck;
using LatentModels.Clustering;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Range, translation and weight scale of the K-Means fits (batch, mini-batch, online) and of <see cref="KMeansModel"/>:
/// data ×10^k, data + shift and weights ×c give the fit of the ordinary data with its parameters and objectives
/// transformed (docs/reliability.md).
/// </summary>
public class KMeansRangeTests
{
    private static readonly double[,] _base = RangeTestData.Blobs(300, 3, 7);

    private static KMeans Batch() => new(new KMeansOptions { Clusters = 3, Seed = 4 });

    private static MiniBatchKMeans MiniBatch() => new(new MiniBatchKMeansOptions { Clusters = 3, Seed = 4, BatchSize = 64 });

    [Fact]
    public void Batch_fit_of_data_times_ten_to_the_k_is_the_scaled_fit_for_every_k()
    {
        ClusteringFitResult<KMeansModel> reference = Batch().Fit(_base);
        Gen.Int[-150, 300].Sample(k =>
        {
            double scale = Math.Pow(10, k);
            double[,] x = RangeTestData.Map(_base, scale, 0);
            ClusteringFitResult<KMeansModel> fit = Batch().Fit(x);
            fit.Labels.Should().Equal(reference.Labels, $"k = {k}");
            fit.Model.Predict(x).Should().Equal(fit.Labels);
            RangeTestData.ShouldBeRelativelyClose(fit.Model.Centers, reference.Model.Centers, 1e-12, scale);
            double expected = reference.Model.Inertia * scale * scale;
            if (double.IsFinite(expected) && expected > 1e-290)
            {
                fit.Model.Inertia.Should().BeApproximately(expected, 1e-11 * expected, $"k = {k}");
            }
            else if (!double.IsFinite(expected))
            {
                fit.Model.Inertia.Should().Be(double.PositiveInfinity, "an inertia beyond the largest double saturates");
            }
        }, iter: 40, threads: 1);
    }

    [Theory]
    [InlineData(1e-150)]
    [InlineData(1e154)]
    [InlineData(1e200)]
    [InlineData(1e300)]
    public void Mini_batch_fit_of_scaled_data_is_the_scaled_fit(double scale)
    {
        ClusteringFitResult<KMeansModel> reference = MiniBatch().Fit(_base);
        double[,] x = RangeTestData.Map(_base, scale, 0);
        ClusteringFitResult<KMeansModel> fit = MiniBatch().Fit(x);
        fit.Labels.Should().Equal(reference.Labels);
        RangeTestData.ShouldBeRelativelyClose(fit.Model.Centers, reference.Model.Centers, 1e-12, scale);
    }

    [Theory]
    [InlineData(1e8)]
    [InlineData(1e9)]
    [InlineData(1e10)]
    [InlineData(-1e10)]
    public void Batch_and_mini_batch_fits_are_translation_invariant(double shift)
    {
        // Shifted data are the ordinary data rounded to the shift's ulp (2e-6 at 1e10): the labels are the same and the
        // inertia and centers agree to 1e-5 relative.
        foreach (Func<double[,], ClusteringFitResult<KMeansModel>> fitter in new Func<double[,], ClusteringFitResult<KMeansModel>>[] { x => Batch().Fit(x), x => MiniBatch().Fit(x) })
        {
            ClusteringFitResult<KMeansModel> reference = fitter(_base);
            double[,] x = RangeTestData.Map(_base, 1, shift);
            ClusteringFitResult<KMeansModel> fit = fitter(x);
            fit.Labels.Should().Equal(reference.Labels);
            fit.Model.Predict(x).Should().Equal(fit.Labels);
            fit.Model.Inertia.Should().BeApproximately(reference.Model.Inertia, 1e-5 * reference.Model.Inertia);
            fit.Model.InertiaOf(x).Should().BeApproximately(fit.Model.Inertia, 1e-9 * fit.Model.Inertia, "the reported inertia is the returned model's");
            double[,] centers = fit.Model.Centers;
            double[,] expected = reference.Model.Centers;
            for (int j = 0; j < 3; j++)
            {
                for (int p = 0; p < 3; p++)
                {
                    (centers[j, p] - shift).Should().BeApproximately(expected[j, p], 1e-4);
                }
            }
        }
    }

    [Fact]
    public void Predict_of_huge_query_points_picks_the_nearest_center()
    {
        var model = new KMeansModel(new double[,] { { -10, 0 }, { 10, 0 }, { 0, 10 } });
        model.Predict(new double[] { 1e300, 1 }).Should().Be(1);
        model.Predict(new double[] { -1e300, 5 }).Should().Be(0);
        model.Predict(new double[] { 1, 1e308 }).Should().Be(2);
        model.Predict(new double[] { double.MaxValue, -double.MaxValue }).Should().Be(1);
        model.Predict(new double[,] { { 1e300, 1 }, { -1e300, 5 }, { 1, 1e308 }, { -double.MaxValue, 0 } }).Should().Equal(1, 0, 2, 0);
        double[,] distances = model.Transform(new double[,] { { 1e300, 0 } });
        distances[0, 0].Should().BeApproximately(1e300, 1e286);
    }

    [Fact]
    public void A_model_with_huge_or_far_centers_predicts_its_own_centers()
    {
        foreach ((double scale, double shift) in new[] { (1e300, 0.0), (1e-300, 0.0), (1.0, 1e12), (1e154, -1e160) })
        {
            double[,] c = RangeTestData.Map(new double[,] { { -10, 0 }, { 10, 0 }, { 0, 10 } }, scale, shift);
            var model = new KMeansModel(c);
            model.Predict(c).Should().Equal(0, 1, 2);
        }
    }

    [Theory]
    [InlineData(1e-18)]
    [InlineData(1e18)]
    [InlineData(1e300)]
    [InlineData(1e-300)]
    public void Sample_weights_are_scale_free(double factor)
    {
        double[] w1 = RangeTestData.Weights(300, 1);
        double[] wc = RangeTestData.Weights(300, factor);
        double[] copy = (double[])wc.Clone();
        foreach (IWeightedEstimator<KMeansModel> estimator in new IWeightedEstimator<KMeansModel>[] { Batch(), MiniBatch() })
        {
            var reference = (ClusteringFitResult<KMeansModel>)estimator.Fit(_base, w1);
            var fit = (ClusteringFitResult<KMeansModel>)estimator.Fit(_base, wc);
            fit.Labels.Should().Equal(reference.Labels);
            RangeTestData.ShouldBeRelativelyClose(fit.Model.Centers, reference.Model.Centers, 1e-12);
            fit.Model.Inertia.Should().BeApproximately(reference.Model.Inertia * factor, 1e-12 * reference.Model.Inertia * factor);
        }

        wc.Should().Equal(copy, "the caller's weights are never modified");
    }

    [Fact]
    public void Ordinary_data_take_the_identity_frame()
    {
        LatentModels.Statistics.RangeFrame.ForRows(_base).IsIdentity.Should().BeTrue();
        LatentModels.Statistics.RangeFrame.ForRows(RangeTestData.Map(_base, 1e50, 0)).IsIdentity.Should().BeTrue();
        LatentModels.Statistics.RangeFrame.ForRows(RangeTestData.Map(_base, 1, 1e3)).IsIdentity.Should().BeFalse();
        LatentModels.Statistics.RangeFrame.WeightExponent(RangeTestData.Weights(10, 1)).Should().Be(0);
    }

    [Theory]
    [InlineData(1e-150, 0.0)]
    [InlineData(1e154, 0.0)]
    [InlineData(1e300, 0.0)]
    [InlineData(1.0, 1e10)]
    public void Online_k_means_of_scaled_or_shifted_data_clusters_the_blobs(double scale, double shift)
    {
        // Point by point and in mini-batches: the same partition as the ordinary data's (labels by the snapshot).
        foreach (int batch in new[] { 1, 50 })
        {
            var reference = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Seed = 2 });
            reference.UpdateAll(_base, batch);
            int[] expected = reference.Snapshot().Predict(_base);
            double[,] x = RangeTestData.Map(_base, scale, shift);
            var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Seed = 2 });
            online.UpdateAll(x, batch);
            KMeansModel model = online.Snapshot();
            int[] labels = model.Predict(x);
            labels.Should().OnlyContain(l => l >= 0 && l < 3);
            labels.Should().Equal(expected, $"batch {batch}");
            double[,] centers = model.Centers;
            foreach (double c in centers)
            {
                double.IsFinite(c).Should().BeTrue();
            }
        }
    }

    [Fact]
    public void Batch_fit_of_scaled_and_shifted_data_is_the_mapped_fit()
    {
        // x·10^k + 10^j·10^k for generated k ∈ [−150, 300] and j ∈ [0, 9]: the same labels; the inertia ×10^2k to 1e−4
        // relative (the shift rounds the data to 10^j·ε of their spread) while representable.
        ClusteringFitResult<KMeansModel> reference = Batch().Fit(_base);
        Gen.Select(Gen.Int[-150, 300], Gen.Int[0, 9]).Sample((k, j) =>
        {
            double scale = Math.Pow(10, k), shift = Math.Pow(10, j) * scale;
            double[,] x = RangeTestData.Map(_base, scale, shift);
            ClusteringFitResult<KMeansModel> fit = Batch().Fit(x);
            fit.Labels.Should().Equal(reference.Labels, $"k = {k}, j = {j}");
            fit.Model.Predict(x).Should().Equal(fit.Labels);
            double expected = reference.Model.Inertia * scale * scale;
            if (double.IsFinite(expected) && expected > 1e-290)
            {
                fit.Model.Inertia.Should().BeApproximately(expected, 1e-4 * expected, $"k = {k}, j = {j}");
            }
        }, iter: 40, threads: 1);
    }
}
