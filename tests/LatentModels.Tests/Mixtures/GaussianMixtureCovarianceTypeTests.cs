using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>
/// Every covariance type checked against covariance matrices expanded here from the raw parameters (scikit-learn's
/// layouts: K·d·d for full, K·d for diag, K for spherical, d·d for tied), never from the model's own <c>GetCovariance</c>.
/// </summary>
public class GaussianMixtureCovarianceTypeTests
{
    private const int D = 3;
    private static readonly double[] _weights = [0.3, 0.7];
    private static readonly double[,] _means = { { 0.5, -1, 2 }, { 3, 1, -2 } };

    public static TheoryData<CovarianceType, double[]> Models => new()
    {
        { CovarianceType.Full, [2.0, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 0.5, /**/ 1.0, 0.0, 0.4, 0.0, 3.0, 0.0, 0.4, 0.0, 0.7] },
        { CovarianceType.Diagonal, [2.0, 1.0, 0.5, 0.3, 3.0, 0.7] },
        { CovarianceType.Spherical, [0.8, 2.5] },
        { CovarianceType.Tied, [2.0, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 0.5] },
    };

    /// <summary>Σₖ from the raw parameters, independently of the library.</summary>
    private static double[,] Expand(CovarianceType type, double[] p, int k)
    {
        var s = new double[D, D];
        for (int a = 0; a < D; a++)
        {
            for (int b = 0; b < D; b++)
            {
                s[a, b] = type switch
                {
                    CovarianceType.Full => p[(k * D * D) + (a * D) + b],
                    CovarianceType.Tied => p[(a * D) + b],
                    CovarianceType.Diagonal => a == b ? p[(k * D) + a] : 0,
                    _ => a == b ? p[k] : 0,
                };
            }
        }

        return s;
    }

    private static double[] Mean(int k) => [_means[k, 0], _means[k, 1], _means[k, 2]];

    [Theory]
    [MemberData(nameof(Models))]
    public void Log_density_equals_the_scipy_style_closed_form_of_the_raw_parameters(CovarianceType type, double[] parameters)
    {
        var model = GaussianMixtureModel.Create(type, _weights, _means, parameters);
        for (int k = 0; k < 2; k++)
        {
            model.GetCovariance(k).Should().BeEquivalentTo(Expand(type, parameters, k), o => o.WithStrictOrdering());
        }

        var x = new double[,] { { 0, 0, 0 }, { 0.5, -1, 2 }, { 10, -5, 3 }, { 3.2, 0.9, -1.5 }, { -40, 25, 13 } };
        var values = new double[5];
        model.LogDensity(x, values);
        double[,] responsibilities = model.PredictProbabilities(x);
        for (int i = 0; i < 5; i++)
        {
            // log Σₖ πₖ 𝒩(x | μₖ, Σₖ) with scipy's multivariate_normal.logpdf formula (explicit inverse and determinant).
            double[] joint = Enumerable.Range(0, 2).Select(k => Math.Log(_weights[k]) + NaiveLogNormal(Row(x, i), Mean(k), Expand(type, parameters, k))).ToArray();
            double max = joint.Max();
            double expected = max + Math.Log(joint.Sum(v => Math.Exp(v - max)));
            values[i].Should().BeApproximately(expected, 1e-10 * Math.Max(1, Math.Abs(expected)));
            responsibilities[i, 0].Should().BeApproximately(Math.Exp(joint[0] - expected), 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Sample_reproduces_weights_means_and_covariances_of_the_raw_parameters(CovarianceType type, double[] parameters)
    {
        var model = GaussianMixtureModel.Create(type, _weights, _means, parameters);
        const int N = 40_000;
        (double[,] x, int[] components) = model.SampleWithComponents(N, new Random(17));
        for (int k = 0; k < 2; k++)
        {
            int[] rows = Enumerable.Range(0, N).Where(i => components[i] == k).ToArray();
            int n = rows.Length;
            ((double)n / N).Should().BeApproximately(_weights[k], 4 * Math.Sqrt(_weights[k] * (1 - _weights[k]) / N));
            double[,] sigma = Expand(type, parameters, k);
            double[] mean = Enumerable.Range(0, D).Select(a => rows.Average(i => x[i, a])).ToArray();
            for (int a = 0; a < D; a++)
            {
                mean[a].Should().BeApproximately(_means[k, a], 4 * Math.Sqrt(sigma[a, a] / n));
                for (int b = 0; b < D; b++)
                {
                    double empirical = rows.Average(i => (x[i, a] - mean[a]) * (x[i, b] - mean[b]));
                    double se = Math.Sqrt(((sigma[a, a] * sigma[b, b]) + (sigma[a, b] * sigma[a, b])) / n);
                    empirical.Should().BeApproximately(sigma[a, b], 4.5 * se, $"{type} component {k} entry ({a}, {b})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Fitting_sampled_data_recovers_the_weights_means_and_covariance_parameters(CovarianceType type, double[] parameters)
    {
        var truth = GaussianMixtureModel.Create(type, _weights, _means, parameters);
        double[,] x = truth.Sample(20_000, new Random(23));
        GaussianMixtureModel fitted = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = type, Seed = 1, Starts = 2, Tolerance = 1e-9 }).Fit(x).Model;

        // Components may come out in either order: match by the first mean coordinate (0.5 vs 3).
        int[] order = fitted.Means[0, 0] < fitted.Means[1, 0] ? [0, 1] : [1, 0];
        for (int k = 0; k < 2; k++)
        {
            int m = order[k];
            fitted.Weights[m].Should().BeApproximately(_weights[k], 0.015);
            double[,] sigma = Expand(type, parameters, k), estimate = fitted.GetCovariance(m);
            for (int a = 0; a < D; a++)
            {
                fitted.Means[m, a].Should().BeApproximately(_means[k, a], 0.06);
                for (int b = 0; b < D; b++)
                {
                    estimate[a, b].Should().BeApproximately(sigma[a, b], 0.06 * Math.Sqrt(sigma[a, a] * sigma[b, b]), $"{type} component {k} entry ({a}, {b})");
                }
            }
        }
    }
}
