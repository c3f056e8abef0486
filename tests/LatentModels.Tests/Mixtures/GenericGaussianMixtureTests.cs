using LatentModels.Distributions;
using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>
/// The generic mixture EM over any weighted-MLE component (here <see cref="MultivariateGaussian"/>) is the same algorithm
/// as the dedicated Gaussian-mixture engine: from the same start, the same parameters and objective trace.
/// </summary>
public class GenericGaussianMixtureTests
{
    [Fact]
    public void Weighted_mle_adapter_over_multivariate_gaussians_equals_full_covariance_em()
    {
        double[,] x = OldFaithful();
        double[] w0 = [0.5, 0.5];
        var mean0 = new double[,] { { x[0, 0], x[0, 1] }, { x[1, 0], x[1, 1] } };
        double[,] cov = MultivariateGaussian.Fit(x).Covariance;
        var start = GaussianMixtureModel.Create(CovarianceType.Full, w0, mean0, [cov[0, 0], cov[0, 1], cov[1, 0], cov[1, 1], cov[0, 0], cov[0, 1], cov[1, 0], cov[1, 1]]);
        FitResult<GaussianMixtureModel> dedicated = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            InitialModel = start,
            Regularization = 0,
            Tolerance = 0,
            MaxIterations = 40,
        }).Fit(x);

        var family = new MaximumLikelihoodFamily<MultivariateGaussian>(g => g.Dimension + (g.Dimension * (g.Dimension + 1) / 2));
        var generic = new Mixture<MultivariateGaussian>(family, new MixtureOptions { Components = 2, Tolerance = 0, MaxIterations = 40, PseudoCount = 0 });
        var initial = new MixtureModel<MultivariateGaussian>(family, w0,
            [new MultivariateGaussian([x[0, 0], x[0, 1]], cov), new MultivariateGaussian([x[1, 0], x[1, 1]], cov)]);
        FitResult<MixtureModel<MultivariateGaussian>> viaFit = generic.FitFrom(initial, x);

        viaFit.Report.ObjectiveTrace.Should().HaveCount(40);
        viaFit.Report.ObjectiveTrace.Should().Equal(dedicated.Report.ObjectiveTrace, (a, b) => Math.Abs(a - b) < 1e-10);
        viaFit.Model.Weights.Should().Equal(dedicated.Model.Weights, (a, b) => Math.Abs(a - b) < 1e-10);
        for (int c = 0; c < 2; c++)
        {
            MultivariateGaussian g = viaFit.Model.Distributions[c];
            g.Mean.Should().Equal([dedicated.Model.Means[c, 0], dedicated.Model.Means[c, 1]], (a, b) => Math.Abs(a - b) < 1e-9 * Math.Max(1, Math.Abs(b)));
            double[,] expected = dedicated.Model.GetCovariance(c);
            g.Covariance.Cast<double>().Should().Equal(expected.Cast<double>(), (a, b) => Math.Abs(a - b) < 1e-9 * Math.Max(1, Math.Abs(b)));
        }

        viaFit.Model.Score(x).Should().BeApproximately(dedicated.Model.Score(x), 1e-10);
    }
}
