using LatentModels.Mixtures;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Issue 14, class 11: on data whose covariance is singular, the unregularised fit's error names the default prior as a
/// remedy — so the default prior must fit those data (its mclust scale is singular there and is lifted to full rank).
/// </summary>
public class SingularDataRemedyTests
{
    /// <summary>Copies of two points in 5-D (rank-1 covariance), the second point equal to the first in two coordinates.</summary>
    private static double[,] TwoPointsIn5D()
    {
        double[] a = [1, 2, 3, 4, 5], b = [4, 2, -1, 4, 0];
        var x = new double[60, 5];
        for (int i = 0; i < 60; i++)
        {
            double[] p = i % 3 == 0 ? b : a;
            for (int j = 0; j < 5; j++)
            {
                x[i, j] = p[j];
            }
        }

        return x;
    }

    public static TheoryData<CovarianceType> Types => new() { CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied };

    [Theory]
    [MemberData(nameof(Types))]
    public void The_named_remedy_the_default_prior_fits_data_in_a_subspace(CovarianceType type)
    {
        double[,] x = TwoPointsIn5D();
        var unregularised = () => new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            Init = MixtureInit.First,
            Regularization = 0,
        }).Fit(x);
        if (type is CovarianceType.Full or CovarianceType.Tied)
        {
            unregularised.Should().Throw<FittingException>().WithMessage("*Prior = GaussianMixturePrior.Default*");
        }

        FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            Init = MixtureInit.First,
            Regularization = 0,
            Prior = GaussianMixturePrior.Default,
            MaxIterations = 100,
            Tolerance = 1e-12,
        }).Fit(x);

        double[] trace = fit.Report.ObjectiveTrace.ToArray();
        trace.Should().OnlyContain(v => double.IsFinite(v));
        for (int i = 1; i < trace.Length; i++)
        {
            trace[i].Should().BeGreaterThanOrEqualTo(trace[i - 1] - 1e-9 * Math.Abs(trace[i - 1]), $"MAP EM never lowers its objective (iteration {i})");
        }

        // The two components sit on the two points (weights 1/3 and 2/3) and every row is labelled by its point.
        int[] labels = fit.Model.Predict(x);
        for (int i = 0; i < 60; i++)
        {
            labels[i].Should().Be(labels[i % 3 == 0 ? 0 : 1], "rows that are copies of one point share a label");
        }

        labels[0].Should().NotBe(labels[1]);
        fit.Model.Weights[labels[0]].Should().BeApproximately(1.0 / 3, 1e-3);
        // MAP means in closed form: (N p + κ μ₀)/(N + κ), κ = 0.01, μ₀ = the data mean, N = 20 copies of b and 40 of a.
        double[] a = [1, 2, 3, 4, 5], b = [4, 2, -1, 4, 0];
        for (int j = 0; j < 5; j++)
        {
            double mu0 = (20 * b[j] + 40 * a[j]) / 60.0;
            fit.Model.Means[labels[0], j].Should().BeApproximately((20 * b[j] + 0.01 * mu0) / 20.01, 1e-9, $"mean of b, coordinate {j}");
            fit.Model.Means[labels[1], j].Should().BeApproximately((40 * a[j] + 0.01 * mu0) / 40.01, 1e-9, $"mean of a, coordinate {j}");
        }

        double.IsFinite(fit.Model.Score(x)).Should().BeTrue();
    }
}
