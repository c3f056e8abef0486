using CsCheck;
using LatentModels.Mixtures;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Collapse handling is the same for every covariance type (docs/reliability.md, "Collapsed components"): without a
/// regularisation, a component that collapses onto duplicated points is a <see cref="FittingException"/> naming it — for
/// full, diagonal and spherical alike (before, the spherical mixture returned a variance of 1e−30 as converged) — and no
/// type ever returns a component whose conditional variance is at most 2⁻⁵² of the data's; with a regularisation every
/// type repairs it the same way (its variances are the regularisation). The data are generated at scales 10^k and far
/// from the origin, so the test is relative to the data's scale; batch and incremental EM share the check.
/// </summary>
public class CollapseConsistencyTests
{
    private static readonly CovarianceType[] _types = [CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied];

    /// <summary>m copies of one point and two Gaussian blobs of 20 rows, all ×10^k and shifted by 10^shift·10^k.</summary>
    private static double[,] Data(int d, int m, int k, int shift, int seed)
    {
        var random = new Random(seed);
        int n = m + 40;
        var x = new double[n, d];
        double scale = Math.Pow(10, k), offset = shift == 0 ? 0 : Math.Pow(10, shift) * scale;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double v = i < m ? 7.5 : (i % 2 == 0 ? 20.0 : -20.0) + (j == 0 ? 5.0 : 0.0) + Normal(random);
                x[i, j] = v * scale + offset;
            }
        }

        return x;
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The data's 1/n variance of each column (naive two-pass).</summary>
    private static double[] ColumnVariances(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var v = new double[d];
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++)
            {
                mean += x[i, j] / n;
            }

            for (int i = 0; i < n; i++)
            {
                v[j] += (x[i, j] - mean) * (x[i, j] - mean) / n;
            }
        }

        return v;
    }

    /// <summary>The squared pivots of a textbook Cholesky of Σ: the conditional variances of the columns in order.</summary>
    private static double[] ConditionalVariances(double[,] sigma)
    {
        int d = sigma.GetLength(0);
        var l = new double[d, d];
        var pivots = new double[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = sigma[i, j];
                for (int q = 0; q < j; q++)
                {
                    s -= l[i, q] * l[j, q];
                }

                if (i == j)
                {
                    pivots[i] = s;
                    l[i, i] = Math.Sqrt(Math.Max(s, 0));
                }
                else
                {
                    l[i, j] = l[j, j] > 0 ? s / l[j, j] : 0;
                }
            }
        }

        return pivots;
    }

    [Fact]
    public void Without_regularisation_a_collapsed_component_is_an_error_naming_it_for_every_type_and_never_a_result()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[10, 40], Gen.Int[-60, 60], Gen.Int[0, 9], Gen.Int[0, 1000]).SampleSeeded(c =>
        {
            (int d, int m, int k, int shift, int seed) = c;
            double[,] x = Data(d, m, k, shift, seed);
            double[] variance = ColumnVariances(x);
            foreach ((CovarianceType type, bool incremental) in _types.SelectMany(t => new[] { (t, false), (t, true) }))
            {
                var options = new GaussianMixtureOptions { Components = 3, Covariance = type, Regularization = 0, Seed = seed };
                GaussianMixtureModel model;
                try
                {
                    model = incremental
                        ? new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = options, Passes = 5 }).Fit(x).Model
                        : new GaussianMixture(options).Fit(x).Model;
                }
                catch (FittingException e)
                {
                    if (type == CovarianceType.Tied)
                    {
                        e.Component.Should().BeNull("the shared covariance is named as such");
                    }
                    else
                    {
                        e.Component.Should().BeInRange(0, 2, $"{type}: the error names the component");
                    }

                    e.Message.Should().Contain("Regularization");
                    continue;
                }

                type.Should().Be(CovarianceType.Tied, "a component on duplicated points collapses under maximum likelihood for every per-component type");
                for (int comp = 0; comp < 3; comp++)
                {
                    double[] pivots = ConditionalVariances(model.GetCovariance(comp));
                    for (int j = 0; j < d; j++)
                    {
                        (pivots[j] / variance[j]).Should().BeGreaterThan(Math.ScaleB(1, -52), $"{type}: component {comp}, column {j} is not collapsed");
                    }
                }
            }
        }, iterations: 40);
    }

    [Fact]
    public void With_a_regularisation_every_type_repairs_the_collapsed_component_the_same_way()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[10, 40], Gen.Int[-60, 60], Gen.Int[0, 1000]).SampleSeeded(c =>
        {
            (int d, int m, int k, int seed) = c;
            double[,] x = Data(d, m, k, 0, seed);
            double regularization = 1e-4 * Math.Pow(10, 2 * k);
            foreach (CovarianceType type in _types.Where(t => t != CovarianceType.Tied))
            {
                var options = new GaussianMixtureOptions { Components = 3, Covariance = type, Regularization = regularization, Seed = seed };
                GaussianMixtureModel model = new GaussianMixture(options).Fit(x).Model;
                double[,] means = model.Means;
                // The component on the duplicated point 7.5·10^k: its variances are the regularisation (plus what the other
                // rows' vanishing responsibilities add).
                int on = Enumerable.Range(0, 3).MinBy(comp => Enumerable.Range(0, d).Sum(j => Math.Abs(means[comp, j] - 7.5 * Math.Pow(10, k))));
                double[,] sigma = model.GetCovariance(on);
                for (int j = 0; j < d; j++)
                {
                    sigma[j, j].Should().BeInRange(regularization * (1 - 1e-12), regularization * (1 + 1e-6), $"{type}: column {j} of the repaired component");
                }
            }
        }, iterations: 30);
    }
}
