using CsCheck;
using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Range and translation of the stochastic variational mixture (docs/reliability.md): its whole-data fit works in the data's
/// range frame, so data ×10^k and data + shift give the fit of the ordinary data with means ×10^k (+ shift), scales ×10^2k and
/// the ELBO − N·d·ln 10^k, or an <see cref="ArgumentException"/> on <c>data</c> when the scales are beyond double; its
/// stream, which has no frame, rejects values beyond 2^468 up front naming the row and column, unchanged.
/// </summary>
public class StochasticVariationalRangeTests
{
    private static readonly double[,] _base = RangeTestData.Blobs(300, 3, 13);

    private static StochasticVariationalGaussianMixtureOptions Options(CovarianceType type) => new()
    {
        Mixture = new VariationalGaussianMixtureOptions { Components = 3, Covariance = type, Seed = 3, Regularization = 0 },
        BatchSize = 60,
        Epochs = 6,
    };

    private static void ShouldMatch(SoftClusteringFitResult<VariationalGaussianMixtureModel> fit, SoftClusteringFitResult<VariationalGaussianMixtureModel> reference, double scale, double shift, double tolerance, double[,] x)
    {
        fit.Labels.Should().Equal(reference.Labels);
        fit.Model.Weights.Should().Equal(reference.Model.Weights, (a, b) => Math.Abs(a - b) <= tolerance);
        fit.Model.DegreesOfFreedom.Should().Equal(reference.Model.DegreesOfFreedom, (a, b) => Math.Abs(a - b) <= tolerance * b);
        RangeTestData.ShouldBeRelativelyClose(RangeTestData.Map(fit.Model.Means, 1, -shift), reference.Model.Means, tolerance, scale);
        double[] c = fit.Model.CovarianceParameters, c0 = reference.Model.CovarianceParameters;
        double cmax = c0.Max(Math.Abs);
        for (int i = 0; i < c.Length; i++)
        {
            Math.Abs(c[i] / scale / scale - c0[i]).Should().BeLessThanOrEqualTo(tolerance * cmax);
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
        SoftClusteringFitResult<VariationalGaussianMixtureModel> reference = new StochasticVariationalGaussianMixture(Options(type)).Fit(_base);
        Gen.Int[-150, 300].SampleSeeded(k =>
        {
            double scale = Math.Pow(10, k);
            double[,] x = RangeTestData.Map(_base, scale, 0);
            double largest = reference.Model.CovarianceParameters.Max(Math.Abs) * scale * scale;
            Func<SoftClusteringFitResult<VariationalGaussianMixtureModel>> fit = () => new StochasticVariationalGaussianMixture(Options(type)).Fit(x);
            if (largest > double.MaxValue * 4)
            {
                fit.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*beyond the range of double*");
            }
            else if (largest < double.MaxValue / 4)
            {
                ShouldMatch(fit(), reference, scale, 0, 1e-9, x);
            }
        }, iterations: 12);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Fit_is_translation_invariant(CovarianceType type)
    {
        SoftClusteringFitResult<VariationalGaussianMixtureModel> reference = new StochasticVariationalGaussianMixture(Options(type)).Fit(_base);
        foreach (double shift in new[] { 1e8, 1e9, 1e10 })
        {
            double[,] x = RangeTestData.Map(_base, 1, shift);
            ShouldMatch(new StochasticVariationalGaussianMixture(Options(type)).Fit(x), reference, 1, shift, 1e-4, x);
        }
    }

    [Fact]
    public void The_stream_rejects_values_beyond_its_range_up_front_and_stays_unchanged()
    {
        StochasticVariationalGaussianMixtureOptions options = Options(CovarianceType.Full) with { DataSize = 300 };
        var reference = new StreamingVariationalGaussianMixture(options);
        reference.UpdateEpoch(_base);
        int[] expected = reference.Snapshot().Predict(_base);

        var fresh = new StreamingVariationalGaussianMixture(options);
        double[,] huge = RangeTestData.Map(_base, 1e150, 0);
        Action batch = () => fresh.Update(huge);
        batch.Should().Throw<ArgumentException>().WithParameterName("batch").WithMessage("*row 0, column *beyond 2^468*");
        Action weighted = () => fresh.Update(huge, RangeTestData.Weights(300, 1));
        weighted.Should().Throw<ArgumentException>().WithParameterName("batch");
        Action point = () => fresh.Update(new double[] { 0, -1e150, 0 });
        point.Should().Throw<ArgumentException>().WithParameterName("point").WithMessage("*row 0, column 1*");
        Action epoch = () => fresh.UpdateEpoch(huge);
        epoch.Should().Throw<ArgumentException>().WithParameterName("data");
        fresh.Count.Should().Be(0);
        fresh.IsInitialized.Should().BeFalse();
        fresh.UpdateEpoch(_base);
        fresh.Snapshot().Predict(_base).Should().Equal(expected, "the rejected inputs left the stream as it was");

        // Values just inside the range are accepted (×1e140 has its largest below 2^468 ≈ 1.5e141).
        Action inside = () => new StreamingVariationalGaussianMixture(options).Update(RangeTestData.Map(_base, 1e139, 0));
        inside.Should().NotThrow<ArgumentException>();
    }
}
