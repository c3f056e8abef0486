using CsCheck;
using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Range, translation and weight scale of the variational Gaussian mixture: data ×10^k and data + shift give the fit of
/// the ordinary data with means ×10^k (+ shift), scales ×10^2k and the ELBO − N·d·ln 10^k, or an
/// <see cref="ArgumentException"/> on <c>data</c> when the scales are beyond double (docs/reliability.md).
/// </summary>
public class VariationalRangeTests
{
    private static readonly double[,] _base = RangeTestData.Blobs(300, 3, 13);

    private static VariationalGaussianMixture Estimator(CovarianceType type) => new(new VariationalGaussianMixtureOptions
    {
        Components = 3,
        Covariance = type,
        Seed = 3,
        Regularization = 0,
        Tolerance = 1e-10,
        MaxIterations = 300,
    });

    private static void ShouldMatch(SoftClusteringFitResult<VariationalGaussianMixtureModel> fit, SoftClusteringFitResult<VariationalGaussianMixtureModel> reference, double scale, double shift, double tolerance, double[,] x)
    {
        fit.Labels.Should().Equal(reference.Labels);
        fit.Model.Predict(x).Should().Equal(fit.Labels);
        fit.Model.Weights.Should().Equal(reference.Model.Weights, (a, b) => Math.Abs(a - b) <= tolerance);
        fit.Model.DegreesOfFreedom.Should().Equal(reference.Model.DegreesOfFreedom, (a, b) => Math.Abs(a - b) <= tolerance * b);
        RangeTestData.ShouldBeRelativelyClose(RangeTestData.Map(fit.Model.Means, 1, -shift), reference.Model.Means, tolerance, scale);
        double[] c = fit.Model.CovarianceParameters, c0 = reference.Model.CovarianceParameters;
        double cmax = c0.Max(Math.Abs);
        for (int i = 0; i < c.Length; i++)
        {
            Math.Abs(c[i] / (scale * scale) - c0[i]).Should().BeLessThanOrEqualTo(tolerance * cmax);
        }

        double expected = reference.Model.Elbo - 300 * 3 * Math.Log(scale);
        fit.Model.Elbo.Should().BeApproximately(expected, tolerance * Math.Abs(expected));
        fit.Report.ObjectiveTrace[^1].Should().BeApproximately(expected, tolerance * Math.Abs(expected));
        double score = reference.Model.Score(_base) - 3 * Math.Log(scale);
        fit.Model.Score(x).Should().BeApproximately(score, tolerance * Math.Abs(score));
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Fit_of_data_times_ten_to_the_k_is_the_scaled_fit_or_a_range_error(CovarianceType type)
    {
        SoftClusteringFitResult<VariationalGaussianMixtureModel> reference = Estimator(type).Fit(_base);
        Gen.Int[-150, 300].SampleSeeded(k =>
        {
            double scale = Math.Pow(10, k);
            double[,] x = RangeTestData.Map(_base, scale, 0);
            double largest = reference.Model.CovarianceParameters.Max(Math.Abs) * scale * scale;
            Action fit = () => Estimator(type).Fit(x);
            if (largest > double.MaxValue * 4)
            {
                fit.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*beyond the range of double*");
            }
            else if (largest < double.MaxValue / 4)
            {
                ShouldMatch(Estimator(type).Fit(x), reference, scale, 0, 1e-9, x);
            }
        }, iterations: 12);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    public void Fit_is_translation_invariant(CovarianceType type)
    {
        SoftClusteringFitResult<VariationalGaussianMixtureModel> reference = Estimator(type).Fit(_base);
        foreach (double shift in new[] { 1e8, 1e9, 1e10 })
        {
            double[,] x = RangeTestData.Map(_base, 1, shift);
            ShouldMatch(Estimator(type).Fit(x), reference, 1, shift, 1e-4, x);
        }
    }

    [Fact]
    public void Weights_are_counts_and_extreme_counts_fit()
    {
        // Weights are counts against the prior: ×1e18 and ×1e300 both make the prior negligible and agree; a total weight
        // of at most one has no default covariance prior (the documented error).
        var many = Estimator(CovarianceType.Full).Fit(_base, RangeTestData.Weights(300, 1e18));
        var huge = Estimator(CovarianceType.Full).Fit(_base, RangeTestData.Weights(300, 1e300));
        huge.Labels.Should().Equal(many.Labels);
        RangeTestData.ShouldBeRelativelyClose(huge.Model.Means, many.Model.Means, 1e-12);
        huge.Model.Weights.Should().Equal(many.Model.Weights, (a, b) => Math.Abs(a - b) <= 1e-12);
        double.IsFinite(huge.Model.Score(_base)).Should().BeTrue();
        Action tiny = () => Estimator(CovarianceType.Full).Fit(_base, RangeTestData.Weights(300, 1e-18));
        tiny.Should().Throw<ArgumentException>().WithParameterName("sampleWeights");
    }
}
