using LatentModels.Distributions;
using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>The EM stopping tolerance behaves exactly as scikit-learn's <c>tol</c>: same iteration count, same parameters.</summary>
public class PeerStoppingRuleTests
{
    // /usr/bin/python3 (scikit-learn 1.2.1), in tests/LatentModels.Tests/Data:
    //   x=np.loadtxt('old_faithful.txt'); c=np.cov(x.T, bias=True); P={'full':[inv(c)]*2,'diag':[1/diag(c)]*2,'spherical':[1/mean(diag(c))]*2,'tied':inv(c)}
    //   g=GaussianMixture(2, covariance_type=cov, max_iter=500, tol=tol, reg_covar=1e-6, weights_init=[.5,.5], means_init=x[:2],
    //                     precisions_init=P[cov]).fit(x); print(g.n_iter_, g.converged_, g.score(x))
    [Theory]
    [InlineData(CovarianceType.Full, 1e-3, 10, -4.155382436878893)]
    [InlineData(CovarianceType.Diagonal, 1e-3, 5, -4.2198762961717025)]
    [InlineData(CovarianceType.Spherical, 1e-3, 4, -6.285039879033877)]
    [InlineData(CovarianceType.Tied, 1e-3, 7, -4.191863086907672)]
    [InlineData(CovarianceType.Full, 1e-5, 11, -4.155382220184553)]
    [InlineData(CovarianceType.Diagonal, 1e-5, 5, -4.2198762961717025)]
    [InlineData(CovarianceType.Spherical, 1e-5, 6, -6.285034253973638)]
    [InlineData(CovarianceType.Tied, 1e-5, 8, -4.191863086189876)]
    public void Gaussian_mixture_stops_at_scikit_learns_iteration(CovarianceType type, double tolerance, int iterations, double score)
    {
        double[,] x = OldFaithful();
        var options = new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            Init = MixtureInit.First,
            MaxIterations = 500,
            Tolerance = tolerance,
        };
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(options).Fit(x);
        fit.Report.Iterations.Should().Be(iterations);
        fit.Report.Converged.Should().BeTrue();
        fit.Model.Score(x).Should().BeApproximately(score, 1e-9);
        fit.Report.ObjectiveTrace[^1].Should().BeApproximately(score, 1e-9);

        // The same fit capped at that many iterations is the same model: the tolerance stopped it after the same M-step.
        FitResult<GaussianMixtureModel> capped = new GaussianMixture(options with { MaxIterations = iterations, Tolerance = 0 }).Fit(x);
        capped.Model.Score(x).Should().Be(fit.Model.Score(x));
    }

    [Fact]
    public void Stopping_at_the_cap_is_not_convergence_when_the_last_change_was_not_yet_tested()
    {
        // With the full covariance and tol 1e-3 scikit-learn needs 10 iterations; capped at 9 it has not converged.
        double[,] x = OldFaithful();
        var options = new GaussianMixtureOptions { Components = 2, Init = MixtureInit.First, MaxIterations = 9, Tolerance = 1e-3 };
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(options).Fit(x);
        fit.Report.Iterations.Should().Be(9);
        fit.Report.Converged.Should().BeFalse();
        (fit.Report.ObjectiveTrace[8] - fit.Report.ObjectiveTrace[7]).Should().BeLessThan(1e-3, "the last change is small but tested only after one more M-step");
    }

    [Fact]
    public void Generic_mixture_uses_the_same_rule()
    {
        // Mixture<MultivariateGaussian> from the same start as the dedicated estimator stops after the same iteration, one
        // M-step after the first change below the tolerance.
        double[,] x = OldFaithful();
        double[,] cov = MultivariateGaussian.Fit(x).Covariance;
        double[] flat = [cov[0, 0], cov[0, 1], cov[1, 0], cov[1, 1], cov[0, 0], cov[0, 1], cov[1, 0], cov[1, 1]];
        var start = GaussianMixtureModel.Create(CovarianceType.Full, [0.5, 0.5], new double[,] { { x[0, 0], x[0, 1] }, { x[1, 0], x[1, 1] } }, flat);
        var dedicated = new GaussianMixture(new GaussianMixtureOptions { Components = 2, InitialModel = start, MaxIterations = 500, Tolerance = 1e-4, Regularization = 0 }).Fit(x);
        var family = new MaximumLikelihoodFamily<MultivariateGaussian>(g => g.Dimension + (g.Dimension * (g.Dimension + 1) / 2));
        var initial = new MixtureModel<MultivariateGaussian>(family, [0.5, 0.5],
            [new MultivariateGaussian([x[0, 0], x[0, 1]], cov), new MultivariateGaussian([x[1, 0], x[1, 1]], cov)]);
        var generic = new Mixture<MultivariateGaussian>(family, new MixtureOptions { Components = 2, MaxIterations = 500, Tolerance = 1e-4, PseudoCount = 0 })
            .FitFrom(initial, x);
        generic.Report.Iterations.Should().Be(dedicated.Report.Iterations);
        generic.Report.Converged.Should().BeTrue();
        IReadOnlyList<double> t = dedicated.Report.ObjectiveTrace;
        int n = t.Count;
        generic.Report.ObjectiveTrace[n - 1].Should().BeApproximately(t[n - 1], 1e-10);
        Math.Abs(t[n - 2] - t[n - 3]).Should().BeLessThan(1e-4, "the change that stopped the run is the one before the last M-step");
        Math.Abs(t[n - 3] - t[n - 4]).Should().BeGreaterThanOrEqualTo(1e-4);
    }
}
