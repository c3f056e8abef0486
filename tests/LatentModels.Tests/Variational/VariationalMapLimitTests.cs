using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

/// <summary>
/// MAP (and maximum likelihood) as the delta-function limit of variational inference (Bishop §10.2.1 against §9.3): as the
/// data grow, q(π)q(μ, Λ) concentrates and the VB-GMM's posterior-mean parameters approach the MAP-EM fit under the same
/// conjugate prior. The two fixed points differ only by O(1/Nₖ) terms — E[πₖ] = (α₀ + Nₖ)/(Kα₀ + N) against the mode
/// (α₀ − 1 + Nₖ)/(K(α₀ − 1) + N); (νₖWₖ)⁻¹ = Wₖ⁻¹/(ν₀ + Nₖ) against the mode Wₖ⁻¹/(ν₀ + Nₖ + d + 2); and the responsibilities'
/// digamma and d/βₖ terms — so the differences shrink about tenfold per tenfold more data.
/// </summary>
public class VariationalMapLimitTests
{
    // Bishop's Normal–Wishart prior and the MAP EM's Normal–inverse-Wishart prior are the same distribution when
    // m₀ = μ₀, β₀ = κ, ν₀ = ν, W₀⁻¹ = Λ (Σ = Λ⁻¹ ~ IW(W₀⁻¹, ν₀)); and α₀ = α on the weights.
    private static readonly double[] _priorMean = [1, 1];
    private const double Kappa = 0.05, Nu = 4, Alpha = 1;
    private static readonly double[,] _scale = { { 1, 0 }, { 0, 1 } };

    private static double[,] Data(int n)
    {
        var truth = GaussianMixtureModel.Create(CovarianceType.Full, [0.5, 0.3, 0.2], new double[,] { { 0, 0 }, { 8, 1 }, { 2, 9 } },
            [1.0, 0.3, 0.3, 0.8, 0.6, -0.2, -0.2, 1.2, 1.5, 0.5, 0.5, 0.7]);
        double[,] all = truth.Sample(20_000, new Random(17));
        var x = new double[n, 2];
        Array.Copy(all, x, n * 2);
        return x;
    }

    private static GaussianMixtureModel Map(double[,] x, GaussianMixturePrior? prior) => new GaussianMixture(new GaussianMixtureOptions
    {
        Components = 3,
        Covariance = CovarianceType.Full,
        Prior = prior,
        Regularization = 0,
        Seed = 5,
        MaxIterations = 2000,
        Tolerance = 1e-13,
    }).Fit(x).Model;

    private static VariationalGaussianMixtureModel Variational(double[,] x) => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions
    {
        Components = 3,
        Covariance = CovarianceType.Full,
        WeightConcentration = Alpha,
        MeanPrecision = Kappa,
        MeanPrior = _priorMean,
        DegreesOfFreedom = Nu,
        CovariancePrior = [1, 0, 0, 1],
        Regularization = 0,
        Seed = 5,
        MaxIterations = 2000,
        Tolerance = 1e-10,
    }).Fit(x).Model;

    /// <summary>The largest absolute difference of (weights, means, covariances), components matched by nearest means.</summary>
    private static (double Weights, double Means, double Covariances) Difference(VariationalGaussianMixtureModel vb, GaussianMixtureModel em)
    {
        double[,] vm = vb.Means, em2 = em.Means;
        double[] vw = vb.Weights, ew = em.Weights;
        double w = 0, m = 0, s = 0;
        for (int c = 0; c < 3; c++)
        {
            int match = Enumerable.Range(0, 3).MinBy(e => Math.Pow(vm[c, 0] - em2[e, 0], 2) + Math.Pow(vm[c, 1] - em2[e, 1], 2));
            w = Math.Max(w, Math.Abs(vw[c] - ew[match]));
            double[,] vc = vb.GetCovariance(c), ec = em.GetCovariance(match);
            for (int a = 0; a < 2; a++)
            {
                m = Math.Max(m, Math.Abs(vm[c, a] - em2[match, a]));
                for (int b = 0; b < 2; b++)
                {
                    s = Math.Max(s, Math.Abs(vc[a, b] - ec[a, b]));
                }
            }
        }

        return (w, m, s);
    }

    [Fact]
    public void Vb_gmm_posterior_means_approach_the_map_em_fit_as_the_data_grow()
    {
        var prior = new GaussianMixturePrior { WeightConcentration = Alpha, MeanShrinkage = Kappa, Mean = _priorMean, DegreesOfFreedom = Nu, Scale = _scale };
        var differences = new List<(double Weights, double Means, double Covariances)>();
        foreach (int n in new[] { 200, 2_000, 20_000 })
        {
            double[,] x = Data(n);
            differences.Add(Difference(Variational(x), Map(x, prior)));
        }

        // Measured: weights 1.4e-3, 2.5e-4, 2.5e-5; covariances 0.11, 0.014, 1.4e-3 (about tenfold per tenfold more data).
        for (int i = 1; i < differences.Count; i++)
        {
            differences[i].Weights.Should().BeLessThan(differences[i - 1].Weights / 3, $"weights, step {i}");
            differences[i].Covariances.Should().BeLessThan(differences[i - 1].Covariances / 3, $"covariances, step {i}");
        }

        // The means follow the same update mₖ = (β₀m₀ + Nₖx̄ₖ)/(β₀ + Nₖ) in both, so on these separated clusters (nearly
        // hard responsibilities) they agree at every n, to the convergence tolerance (measured 2e-7, 4e-10, 3e-9).
        differences.Should().OnlyContain(e => e.Means < 1e-6);

        // n = 20,000 (Nₖ ≥ 4,000): (d + 2)/Nₖ ≈ 1e-3 of a covariance entry, about K/N of a weight.
        differences[2].Weights.Should().BeLessThan(5e-5);
        differences[2].Covariances.Should().BeLessThan(3e-3);
    }

    [Fact]
    public void Vb_gmm_posterior_means_approach_the_maximum_likelihood_fit_as_the_data_grow()
    {
        // The prior's pull is O(1/N) too: without a prior EM gives maximum likelihood, the other end of the same limit.
        var differences = new List<(double Weights, double Means, double Covariances)>();
        foreach (int n in new[] { 200, 2_000, 20_000 })
        {
            double[,] x = Data(n);
            differences.Add(Difference(Variational(x), Map(x, prior: null)));
        }

        // Measured: weights 1.4e-3, 2.5e-4, 2.5e-5; means 7.8e-3, 1.0e-3, 9.8e-5 (the prior's pull β₀(m₀ − x̄ₖ)/(β₀ + Nₖ));
        // covariances 0.11, 0.011, 1.2e-3.
        for (int i = 1; i < differences.Count; i++)
        {
            differences[i].Weights.Should().BeLessThan(differences[i - 1].Weights / 3, $"weights, step {i}");
            differences[i].Means.Should().BeLessThan(differences[i - 1].Means / 3, $"means, step {i}");
            differences[i].Covariances.Should().BeLessThan(differences[i - 1].Covariances / 3, $"covariances, step {i}");
        }

        differences[2].Weights.Should().BeLessThan(5e-5);
        differences[2].Means.Should().BeLessThan(3e-4);
        differences[2].Covariances.Should().BeLessThan(3e-3);
    }
}
