using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>
/// One MAP M-step for every covariance type against the posterior mode written out here from the responsibilities
/// (Dirichlet weights; Normal–inverse-Wishart for full and tied, Normal–inverse-gamma per coordinate for diag, one
/// inverse-gamma for spherical), and the default prior against mclust's hyper-parameters set by hand.
/// </summary>
public class MapEmStepTests
{
    private static readonly double[] _mu0 = [1, 2];
    private static readonly double[,] _lambda = { { 2, 0.5 }, { 0.5, 1 } };
    private const double Kappa = 0.5, Nu = 5, Alpha = 2;

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void One_map_m_step_equals_the_posterior_mode_from_the_responsibilities(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(500, new Random(3));
        double[,] start = { { 1, 1 }, { 4, 6 } };
        GaussianMixtureModel initial = type switch
        {
            CovarianceType.Full => GaussianMixtureModel.Create(type, [0.4, 0.6], start, [4, 1, 1, 4, 9, 0, 0, 9]),
            CovarianceType.Diagonal => GaussianMixtureModel.Create(type, [0.4, 0.6], start, [4, 4, 9, 9]),
            CovarianceType.Spherical => GaussianMixtureModel.Create(type, [0.4, 0.6], start, [4, 9]),
            _ => GaussianMixtureModel.Create(type, [0.4, 0.6], start, [4, 1, 1, 4]),
        };
        double[,] gamma = initial.PredictProbabilities(x);
        var prior = new GaussianMixturePrior { Mean = _mu0, MeanShrinkage = Kappa, DegreesOfFreedom = Nu, Scale = _lambda, WeightConcentration = Alpha };
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            InitialModel = initial,
            MaxIterations = 1,
            Prior = prior,
        }).Fit(x).Model;

        const int K = 2, D = 2;
        int n = x.GetLength(0);
        var tied = new double[D, D];
        for (int c = 0; c < K; c++)
        {
            double nk = Enumerable.Range(0, n).Sum(i => gamma[i, c]);
            model.Weights[c].Should().BeApproximately((nk + Alpha - 1) / (n + (K * (Alpha - 1))), 1e-12);
            double[] xbar = [Enumerable.Range(0, n).Sum(i => gamma[i, c] * x[i, 0]) / nk, Enumerable.Range(0, n).Sum(i => gamma[i, c] * x[i, 1]) / nk];
            for (int a = 0; a < D; a++)
            {
                model.Means[c, a].Should().BeApproximately(((nk * xbar[a]) + (Kappa * _mu0[a])) / (nk + Kappa), 1e-10);
            }

            // Scatter about x̄ₖ plus the mean prior's term κNₖ/(κ+Nₖ)·(x̄ₖ − μ₀)(x̄ₖ − μ₀)ᵀ.
            double shrink = Kappa * nk / (Kappa + nk);
            var b = new double[D, D];
            for (int p = 0; p < D; p++)
            {
                for (int q = 0; q < D; q++)
                {
                    b[p, q] = Enumerable.Range(0, n).Sum(i => gamma[i, c] * (x[i, p] - xbar[p]) * (x[i, q] - xbar[q]))
                        + (shrink * (xbar[p] - _mu0[p]) * (xbar[q] - _mu0[q]));
                    tied[p, q] += b[p, q];
                }
            }

            double[,] fitted = model.GetCovariance(c);
            switch (type)
            {
                case CovarianceType.Full: // IW(Λ, ν) mode with the mean prior: (Λ + B)/(ν + Nₖ + d + 2)
                    for (int p = 0; p < D; p++)
                    {
                        for (int q = 0; q < D; q++)
                        {
                            fitted[p, q].Should().BeApproximately((_lambda[p, q] + b[p, q]) / (Nu + nk + D + 2), 1e-10);
                        }
                    }

                    break;
                case CovarianceType.Diagonal: // InvGamma(ν/2, Λⱼⱼ/2) per coordinate: (Λⱼⱼ + Bⱼⱼ)/(ν + Nₖ + 3)
                    fitted[0, 0].Should().BeApproximately((_lambda[0, 0] + b[0, 0]) / (Nu + nk + 3), 1e-10);
                    fitted[1, 1].Should().BeApproximately((_lambda[1, 1] + b[1, 1]) / (Nu + nk + 3), 1e-10);
                    fitted[0, 1].Should().Be(0);
                    break;
                case CovarianceType.Spherical: // InvGamma(νd/2, tr Λ/2): (tr Λ + tr B)/(d(ν + Nₖ + 1) + 2)
                    fitted[0, 0].Should().BeApproximately((_lambda[0, 0] + _lambda[1, 1] + b[0, 0] + b[1, 1]) / ((D * (Nu + nk + 1)) + 2), 1e-10);
                    fitted[1, 1].Should().Be(fitted[0, 0]);
                    break;
            }
        }

        if (type == CovarianceType.Tied)
        {
            // One IW(Λ, ν) and K mean priors: (Λ + Σₖ Bₖ)/(ν + d + 1 + N + K)
            double[,] fitted = model.GetCovariance(0);
            for (int p = 0; p < D; p++)
            {
                for (int q = 0; q < D; q++)
                {
                    fitted[p, q].Should().BeApproximately((_lambda[p, q] + tied[p, q]) / (Nu + D + 1 + n + K), 1e-10);
                }
            }
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Default_prior_is_mclusts_data_mean_shrinkage_degrees_of_freedom_and_scale(CovarianceType type)
    {
        // mclust's defaultPrior: μ₀ = data mean, κ = 0.01, ν = d + 2, Λ = var(data) / K^(2/d) with the n − 1 covariance.
        double[,] x = OldFaithful();
        int n = x.GetLength(0);
        const int K = 3, D = 2;
        double[] mean = [Enumerable.Range(0, n).Average(i => x[i, 0]), Enumerable.Range(0, n).Average(i => x[i, 1])];
        var scale = new double[D, D];
        for (int a = 0; a < D; a++)
        {
            for (int b = 0; b < D; b++)
            {
                scale[a, b] = Enumerable.Range(0, n).Sum(i => (x[i, a] - mean[a]) * (x[i, b] - mean[b])) / (n - 1) / Math.Pow(K, 2.0 / D);
            }
        }

        var options = new GaussianMixtureOptions { Components = K, Covariance = type, Init = MixtureInit.First, Tolerance = 0, MaxIterations = 40 };
        FitResult<GaussianMixtureModel> byDefault = new GaussianMixture(options with { Prior = GaussianMixturePrior.Default }).Fit(x);
        FitResult<GaussianMixtureModel> byHand = new GaussianMixture(options with
        {
            Prior = new GaussianMixturePrior { Mean = mean, MeanShrinkage = 0.01, DegreesOfFreedom = D + 2, Scale = scale },
        }).Fit(x);
        byDefault.Report.ObjectiveTrace[^1].Should().BeApproximately(byHand.Report.ObjectiveTrace[^1], 1e-10);
        byDefault.Model.CovarianceParameters.Should().Equal(byHand.Model.CovarianceParameters, (p, q) => Math.Abs(p - q) <= 1e-9 * Math.Abs(q));
        byDefault.Model.Weights.Should().Equal(byHand.Model.Weights, (p, q) => Math.Abs(p - q) <= 1e-10);
    }
}
