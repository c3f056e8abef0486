using CsCheck;
using LatentModels.Mixtures;
using LatentModels.Persistence;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Range, translation and weight scale of the Gaussian mixtures (batch EM of every covariance type, ML and MAP, and
/// incremental EM): data ×10^k, data + shift and weights ×c give the fit of the ordinary data with means ×10^k (+ shift),
/// covariances ×10^2k and log-likelihoods − d·ln 10^k, or an <see cref="ArgumentException"/> on <c>data</c> saying the covariances are
/// beyond the range of double (docs/reliability.md).
/// </summary>
public class GaussianMixtureRangeTests
{
    private static readonly double[,] _base = RangeTestData.Blobs(300, 3, 11);

    public static TheoryData<CovarianceType, bool> Types()
    {
        var data = new TheoryData<CovarianceType, bool>();
        foreach (CovarianceType t in Enum.GetValues<CovarianceType>())
        {
            data.Add(t, false);
            data.Add(t, true);
        }

        return data;
    }

    private static GaussianMixture Estimator(CovarianceType type, bool map, double regularization = 0) => new(new GaussianMixtureOptions
    {
        Components = 3,
        Covariance = type,
        Seed = 3,
        Regularization = regularization,
        Prior = map ? GaussianMixturePrior.Default : null,
        Tolerance = 1e-10,
        MaxIterations = 200,
    });

    private static void ShouldMatchScaled(SoftClusteringFitResult<GaussianMixtureModel> fit, SoftClusteringFitResult<GaussianMixtureModel> reference, double scale, double shift, double tolerance, double[,] x)
    {
        fit.Labels.Should().Equal(reference.Labels);
        fit.Model.Predict(x).Should().Equal(fit.Labels);
        fit.Model.Weights.Should().Equal(reference.Model.Weights, (a, b) => Math.Abs(a - b) <= tolerance);
        RangeTestData.ShouldBeRelativelyClose(RangeTestData.Map(fit.Model.Means, 1, -shift), reference.Model.Means, tolerance, scale);
        double[] c = fit.Model.CovarianceParameters, c0 = reference.Model.CovarianceParameters;
        double cmax = c0.Max(Math.Abs);
        for (int i = 0; i < c.Length; i++)
        {
            Math.Abs(c[i] / (scale * scale) - c0[i]).Should().BeLessThanOrEqualTo(tolerance * cmax);
        }

        double expectedScore = reference.Model.Score(_base) - 3 * Math.Log(scale);
        fit.Model.Score(x).Should().BeApproximately(expectedScore, tolerance * Math.Max(1, Math.Abs(expectedScore)));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Fit_of_data_times_ten_to_the_k_is_the_scaled_fit_or_a_range_error(CovarianceType type, bool map)
    {
        SoftClusteringFitResult<GaussianMixtureModel> reference = Estimator(type, map).Fit(_base);
        Gen.Int[-150, 300].Sample(k =>
        {
            double scale = Math.Pow(10, k);
            double[,] x = RangeTestData.Map(_base, scale, 0);
            double largest = reference.Model.CovarianceParameters.Max(Math.Abs) * scale * scale;
            if (!(largest < double.MaxValue / 4))
            {
                // Covariances beyond double: a clear error (never a crash or a wrong model); at the edge either outcome.
                Action fit = () => Estimator(type, map).Fit(x);
                if (largest > double.MaxValue * 4)
                {
                    fit.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*beyond the range of double*");
                }
                else
                {
                    try
                    {
                        fit();
                    }
                    catch (ArgumentException e) when (e.ParamName == "data")
                    {
                    }
                }

                return;
            }

            ShouldMatchScaled(Estimator(type, map).Fit(x), reference, scale, 0, 1e-9, x);
        }, iter: 12, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Fit_is_translation_invariant(CovarianceType type, bool map)
    {
        // Shifted data are the ordinary data rounded to the shift's ulp (2e-6 at 1e10): the same labels; parameters and
        // log-likelihood agree to 1e-4 relative.
        SoftClusteringFitResult<GaussianMixtureModel> reference = Estimator(type, map).Fit(_base);
        foreach (double shift in new[] { 1e8, 1e9, 1e10 })
        {
            double[,] x = RangeTestData.Map(_base, 1, shift);
            ShouldMatchScaled(Estimator(type, map).Fit(x), reference, 1, shift, 1e-4, x);
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Sample_weights_are_scale_free_without_a_prior_and_counts_with_one(CovarianceType type, bool map)
    {
        if (!map)
        {
            // Maximum likelihood: only the ratios of the weights matter.
            SoftClusteringFitResult<GaussianMixtureModel> reference = Estimator(type, false, 1e-6).Fit(_base, RangeTestData.Weights(300, 1));
            foreach (double factor in new[] { 1e-18, 1e18, 1e300, 1e-300 })
            {
                double[] w = RangeTestData.Weights(300, factor);
                double[] copy = (double[])w.Clone();
                SoftClusteringFitResult<GaussianMixtureModel> fit = Estimator(type, false, 1e-6).Fit(_base, w);
                w.Should().Equal(copy);
                ShouldMatchScaled(fit, reference, 1, 0, 1e-12, _base);
                fit.Report.ObjectiveTrace[^1].Should().BeApproximately(reference.Report.ObjectiveTrace[^1], 1e-12 * Math.Abs(reference.Report.ObjectiveTrace[^1]));
                RoundTrip(fit.Model).Should().BeOfType<GaussianMixtureModel>();
            }

            return;
        }

        // MAP: a row of weight w counts as w observations against the prior's pseudo-counts. At 1e18 and beyond the prior
        // is far below rounding, so the fits agree; a total weight of at most one has no default prior scale: a clear error.
        SoftClusteringFitResult<GaussianMixtureModel> many = Estimator(type, true).Fit(_base, RangeTestData.Weights(300, 1e18));
        SoftClusteringFitResult<GaussianMixtureModel> huge = Estimator(type, true).Fit(_base, RangeTestData.Weights(300, 1e300));
        ShouldMatchScaled(huge, many, 1, 0, 1e-12, _base);
        RoundTrip(huge.Model).Should().BeOfType<GaussianMixtureModel>();
        Action tiny = () => Estimator(type, true).Fit(_base, RangeTestData.Weights(300, 1e-18));
        tiny.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").WithMessage("*total weight above 1*");
    }

    [Fact]
    public void Incremental_em_takes_the_same_frame()
    {
        var options = new IncrementalGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 3, Regularization = 0 } };
        SoftClusteringFitResult<GaussianMixtureModel> reference = new IncrementalGaussianMixture(options).Fit(_base);
        foreach ((double scale, double shift) in new[] { (1e-150, 0.0), (1e150, 0.0), (1.0, 1e10) })
        {
            double[,] x = RangeTestData.Map(_base, scale, shift);
            SoftClusteringFitResult<GaussianMixtureModel> fit = new IncrementalGaussianMixture(options).Fit(x);
            fit.Labels.Should().Equal(reference.Labels);
            fit.Model.Score(x).Should().BeApproximately(reference.Model.Score(_base) - 3 * Math.Log(scale), 1e-4 * Math.Abs(reference.Model.Score(_base)));
        }

        Action huge = () => new IncrementalGaussianMixture(options).Fit(RangeTestData.Map(_base, 1e200, 0));
        huge.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*beyond the range of double*");
    }

    private static object RoundTrip(object model)
    {
        using var stream = new MemoryStream();
        ModelJson.Save(model, stream);
        stream.Position = 0;
        return ModelJson.Load(stream);
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(1e-308)]
    [InlineData(5e-324)]
    public void Create_normalises_weights_of_any_scale(double scale)
    {
        GaussianMixtureModel model = GaussianMixtureModel.Create(CovarianceType.Spherical, [scale, scale], new double[,] { { 0 }, { 1 } }, [1, 1]);
        model.Weights.Should().Equal(0.5, 0.5);
        double.IsFinite(model.Score(new double[,] { { 0.5 } })).Should().BeTrue();
        RoundTrip(model).Should().BeOfType<GaussianMixtureModel>();
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Predictions_of_huge_query_points_are_distributions_with_the_nearest_component(CovarianceType type)
    {
        // Far away the Mahalanobis quadratic xᵀΣₖ⁻¹x decides (checked here with MathNet's inverse of each covariance);
        // densities underflow to −∞ (honestly), but responsibilities still sum to one and the label is a component.
        GaussianMixtureModel model = Estimator(type, false, 1e-6).Fit(_base).Model;
        var random = new Random(9);
        foreach (double magnitude in new[] { 1e160, 1e300, double.MaxValue / 2 })
        {
            for (int trial = 0; trial < 5; trial++)
            {
                double[] v = [random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5];
                double[] x = v.Select(a => a * magnitude).ToArray();
                double[] p = model.PredictProbabilities(x);
                p.Sum().Should().BeApproximately(1, 1e-12);
                int label = model.Predict(x);
                label.Should().BeInRange(0, 2);
                model.Predict(new double[,] { { x[0], x[1], x[2] } }).Should().Equal(label);
                var quadratics = new double[3];
                for (int c = 0; c < 3; c++)
                {
                    var inverse = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(model.GetCovariance(c)).Inverse();
                    var u = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(v);
                    quadratics[c] = u * (inverse * u);
                }

                double min = quadratics.Min();
                if (quadratics.Count(q => q <= min * (1 + 1e-9)) == 1)
                {
                    label.Should().Be(Array.IndexOf(quadratics, min), $"query {magnitude}·({string.Join(", ", v)})");
                    p[label].Should().Be(1);
                }
            }
        }
    }

    [Fact]
    public void Streaming_em_fits_small_and_shifted_streams_and_rejects_overflowing_ones_unchanged()
    {
        var options = new StreamingGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 1, Regularization = 0 } };
        var reference = new StreamingGaussianMixture(options);
        reference.UpdateAll(_base, 50);
        int[] expected = reference.Snapshot().Predict(_base);
        foreach ((double scale, double shift) in new[] { (1e-150, 0.0), (1e100, 0.0), (1.0, 1e10) })
        {
            double[,] x = RangeTestData.Map(_base, scale, shift);
            var stream = new StreamingGaussianMixture(options);
            stream.UpdateAll(x, 50);
            stream.Snapshot().Predict(x).Should().Equal(expected, $"scale {scale}, shift {shift}");
        }

        var fresh = new StreamingGaussianMixture(options);
        double[,] huge = RangeTestData.Map(_base, 1e200, 0);
        Action batch = () => fresh.Update(huge);
        batch.Should().Throw<ArgumentException>().WithParameterName("batch").WithMessage("*beyond 2^500*");
        Action point = () => fresh.Update(new double[] { 1e200, 0, 0 });
        point.Should().Throw<ArgumentException>().WithParameterName("point");
        fresh.Count.Should().Be(0);
        fresh.UpdateAll(_base, 50);
        fresh.Snapshot().Predict(_base).Should().Equal(expected, "the rejected inputs left the estimator as it was");
    }

    [Fact]
    public void Fit_of_scaled_and_shifted_data_is_the_mapped_fit()
    {
        // x·10^k + 10^j·10^k for generated k ∈ [−150, 150] and j ∈ [0, 9] (full covariance, ML): the same labels and a
        // score − 3 ln 10^k to 1e−4 relative.
        SoftClusteringFitResult<GaussianMixtureModel> reference = Estimator(CovarianceType.Full, false).Fit(_base);
        Gen.Select(Gen.Int[-150, 150], Gen.Int[0, 9]).Sample((k, j) =>
        {
            double scale = Math.Pow(10, k), shift = Math.Pow(10, j) * scale;
            double[,] x = RangeTestData.Map(_base, scale, shift);
            SoftClusteringFitResult<GaussianMixtureModel> fit = Estimator(CovarianceType.Full, false).Fit(x);
            fit.Labels.Should().Equal(reference.Labels, $"k = {k}, j = {j}");
            double expected = reference.Model.Score(_base) - 3 * Math.Log(scale);
            fit.Model.Score(x).Should().BeApproximately(expected, 1e-4 * Math.Max(1, Math.Abs(expected)), $"k = {k}, j = {j}");
        }, iter: 25, threads: 1);
    }
}
