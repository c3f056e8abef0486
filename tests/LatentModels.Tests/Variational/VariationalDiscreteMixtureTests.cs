using FluentAssertions;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Mixtures;
using LatentModels.Variational;
using MathNet.Numerics;
using Xunit;

namespace LatentModels.Tests.Variational;

public class VariationalDiscreteMixtureTests
{
    private static double[,] BernoulliData(int n, int seed) => DiscreteMixtureTestData.ThreePrototypes().Sample(n, new Random(seed));

    /// <summary>Ten well-separated binary rows of d = 4: five near 1111, five near 0000.</summary>
    private static readonly double[,] _separatedRows =
    {
        { 1, 1, 1, 1 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 }, { 0, 1, 1, 1 }, { 1, 1, 1, 1 },
        { 0, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 0, 0 },
    };

    [Theory]
    [InlineData(3, 0)]
    [InlineData(6, 1)]
    public void BernoulliElboNeverDecreases(int k, int seed)
    {
        double[,] x = BernoulliData(400, seed);
        var options = new VariationalDiscreteMixtureOptions { Components = k, MaxIterations = 60, Tolerance = 0, Seed = seed, Init = MixtureInit.RandomResponsibilities };
        var fit = new VariationalBernoulliMixture(options).Fit(x);

        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        fit.Report.ObjectiveName.Should().Be("elbo");
        trace.Should().HaveCount(60);
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-9 * Math.Abs(trace[t - 1]), $"iteration {t}");
        }

        fit.Model.Elbo.Should().Be(trace[^1]);
    }

    [Fact]
    public void CategoricalElboNeverDecreases()
    {
        double[,] x = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(300, new Random(4));
        var options = new VariationalDiscreteMixtureOptions { Components = 4, MaxIterations = 50, Tolerance = 0, Seed = 2, Init = MixtureInit.RandomResponsibilities };
        var fit = new VariationalCategoricalMixture([3, 2, 4, 3], options).Fit(x);

        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-9 * Math.Abs(trace[t - 1]), $"iteration {t}");
        }
    }

    [Fact]
    public void ElboIsBelowTheEnumeratedLogEvidenceAndCloseOnSeparatedData()
    {
        const double alpha0 = 0.5, gamma0 = 1;
        var options = new VariationalDiscreteMixtureOptions { Components = 2, WeightConcentration = alpha0, PriorCount = gamma0, MaxIterations = 200, Tolerance = 0, Starts = 3, Seed = 5 };
        var fit = new VariationalBernoulliMixture(options).Fit(_separatedRows);

        double logEvidence = NaiveLogEvidence(_separatedRows, 2, alpha0, gamma0);
        fit.Model.Elbo.Should().BeLessThanOrEqualTo(logEvidence + 1e-9);
        (logEvidence - fit.Model.Elbo).Should().BeLessThan(2.0, "one of the two label-switched modes (ln 2) plus a small mean-field gap");
        (logEvidence - fit.Model.Elbo).Should().BeGreaterThan(Math.Log(2) - 0.2);
    }

    [Fact]
    public void OneComponentElboIsTheExactLogEvidence()
    {
        // K = 1: q(Z) is exact and q(θ) is the exact conjugate posterior, so the bound is tight.
        var options = new VariationalDiscreteMixtureOptions { Components = 1, WeightConcentration = 0.7, PriorCount = 1.5, MaxIterations = 3, Tolerance = 0 };
        var fit = new VariationalBernoulliMixture(options).Fit(_separatedRows);

        double logEvidence = NaiveLogEvidence(_separatedRows, 1, 0.7, 1.5);
        fit.Model.Elbo.Should().BeApproximately(logEvidence, 1e-10 * Math.Abs(logEvidence));
    }

    [Fact]
    public void CategoricalWithTwoOutcomesIsTheBernoulliFit()
    {
        double[,] x = BernoulliData(300, 7);
        var options = new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 30, Tolerance = 0, Seed = 3, Init = MixtureInit.First };
        var bernoulli = new VariationalBernoulliMixture(options).Fit(x);
        var categorical = new VariationalCategoricalMixture(Enumerable.Repeat(2, 20).ToArray(), options).Fit(x);

        categorical.Model.Elbo.Should().BeApproximately(bernoulli.Model.Elbo, 1e-9 * Math.Abs(bernoulli.Model.Elbo));
        for (int t = 0; t < bernoulli.Report.ObjectiveTrace.Count; t++)
        {
            categorical.Report.ObjectiveTrace[t].Should().BeApproximately(bernoulli.Report.ObjectiveTrace[t], 1e-9 * Math.Abs(bernoulli.Report.ObjectiveTrace[t]));
        }

        double[,] a = bernoulli.Model.BetaA, b = bernoulli.Model.BetaB;
        for (int c = 0; c < 3; c++)
        {
            categorical.Model.WeightConcentrations[c].Should().BeApproximately(bernoulli.Model.WeightConcentrations[c], 1e-9);
            for (int j = 0; j < 20; j++)
            {
                categorical.Model.GetConcentration(c, j, 1).Should().BeApproximately(a[c, j], 1e-9);
                categorical.Model.GetConcentration(c, j, 0).Should().BeApproximately(b[c, j], 1e-9);
            }
        }

        categorical.Model.Score(x).Should().BeApproximately(bernoulli.Model.Score(x), 1e-12);
    }

    [Fact]
    public void HyperParametersArePriorPlusCounts()
    {
        double[,] x = BernoulliData(200, 3);
        var options = new VariationalDiscreteMixtureOptions { Components = 3, PriorCount = 0.5, MaxIterations = 20, Seed = 1 };
        var model = new VariationalBernoulliMixture(options).Fit(x).Model;

        model.WeightConcentrationPrior.Should().BeApproximately(1.0 / 3, 1e-15);
        model.WeightConcentrations.Sum().Should().BeApproximately(1.0 + 200, 1e-9);
        double[,] a = model.BetaA, b = model.BetaB;
        for (int c = 0; c < 3; c++)
        {
            double nk = model.WeightConcentrations[c] - 1.0 / 3;
            for (int j = 0; j < 20; j++)
            {
                (a[c, j] + b[c, j]).Should().BeApproximately(nk + 1.0, 1e-9);
            }
        }
    }

    [Fact]
    public void PredictiveDensityAndResponsibilitiesMatchTheNaiveFormulas()
    {
        double[,] x = BernoulliData(150, 9);
        var model = new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 15, Seed = 4 }).Fit(x).Model;
        double[] alpha = model.WeightConcentrations;
        double[,] a = model.BetaA, b = model.BetaB;
        double alphaSum = alpha.Sum();
        var density = new double[150];
        model.LogDensity(x, density);
        double[,] resp = model.PredictProbabilities(x);

        for (int i = 0; i < 150; i++)
        {
            double predictive = 0;
            var rho = new double[3];
            for (int c = 0; c < 3; c++)
            {
                double term = alpha[c] / alphaSum;
                rho[c] = SpecialFunctions.DiGamma(alpha[c]) - SpecialFunctions.DiGamma(alphaSum);
                for (int j = 0; j < 20; j++)
                {
                    double mean = a[c, j] / (a[c, j] + b[c, j]);
                    term *= x[i, j] == 1 ? mean : 1 - mean;
                    rho[c] += SpecialFunctions.DiGamma(x[i, j] == 1 ? a[c, j] : b[c, j]) - SpecialFunctions.DiGamma(a[c, j] + b[c, j]);
                }

                predictive += term;
            }

            density[i].Should().BeApproximately(Math.Log(predictive), 1e-10 * Math.Abs(Math.Log(predictive)));
            double max = rho.Max();
            double norm = rho.Sum(r => Math.Exp(r - max));
            for (int c = 0; c < 3; c++)
            {
                resp[i, c].Should().BeApproximately(Math.Exp(rho[c] - max) / norm, 1e-10);
            }
        }
    }

    [Fact]
    public void SampleWeightsEqualDuplicatedRows()
    {
        double[,] x = BernoulliData(60, 11);
        var weights = new double[60];
        var rows = new List<int>();
        for (int i = 0; i < 60; i++)
        {
            weights[i] = i % 3 == 0 ? 2 : 1;
            rows.Add(i);
        }

        rows.AddRange(Enumerable.Range(0, 60).Where(i => i % 3 == 0));
        var duplicated = new double[rows.Count, 20];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int j = 0; j < 20; j++)
            {
                duplicated[r, j] = x[rows[r], j];
            }
        }

        var options = new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 25, Tolerance = 0, Init = MixtureInit.First };
        var weighted = new VariationalBernoulliMixture(options).Fit(x, weights).Model;
        var copied = new VariationalBernoulliMixture(options).Fit(duplicated).Model;

        weighted.Elbo.Should().BeApproximately(copied.Elbo, 1e-9 * Math.Abs(copied.Elbo));
        weighted.WeightConcentrations.Should().Equal(copied.WeightConcentrations, (p, q) => Math.Abs(p - q) < 1e-9);
    }

    [Fact]
    public void BitsDoNotDependOnTheDegreeOfParallelism()
    {
        double[,] x = BernoulliData(5000, 12);
        var options = new VariationalDiscreteMixtureOptions { Components = 4, MaxIterations = 8, Tolerance = 0, Seed = 8, Starts = 2 };
        var one = new VariationalBernoulliMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        var many = new VariationalBernoulliMixture(options with { MaxDegreeOfParallelism = 4 }).Fit(x);

        many.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        many.Model.WeightConcentrations.Should().Equal(one.Model.WeightConcentrations);
        many.Model.Elbo.Should().Be(one.Model.Elbo);

        double[,] c = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(5000, new Random(3));
        var catOne = new VariationalCategoricalMixture([3, 2, 4, 3], options with { MaxDegreeOfParallelism = 1 }).Fit(c);
        var catMany = new VariationalCategoricalMixture([3, 2, 4, 3], options with { MaxDegreeOfParallelism = 3 }).Fit(c);
        catMany.Report.ObjectiveTrace.Should().Equal(catOne.Report.ObjectiveTrace);
    }

    [Fact]
    public void BadInputNamesTheParameter()
    {
        var estimator = new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2 });
        double[,] good = BernoulliData(20, 1);
        double[,] bad = (double[,])good.Clone();
        bad[3, 5] = 0.5;
        double[,] before = (double[,])bad.Clone();

        estimator.Invoking(e => e.Fit(bad)).Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "data" && ex.Message.Contains('3') && ex.Message.Contains('5'));
        bad.Should().BeEquivalentTo(before);
        estimator.Invoking(e => e.Fit(good, new double[19])).Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "sampleWeights");
        var negative = Enumerable.Repeat(1.0, 20).ToArray();
        negative[4] = -1;
        estimator.Invoking(e => e.Fit(good, negative)).Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "sampleWeights");

        new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 0 }).Invoking(e => e.Fit(good))
            .Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "Components");
        new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2, WeightConcentration = -1 }).Invoking(e => e.Fit(good))
            .Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "WeightConcentration");
        new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2, PriorCount = 0 }).Invoking(e => e.Fit(good))
            .Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "PriorCount");
        new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2, Init = MixtureInit.KMeans }).Invoking(e => e.Fit(good))
            .Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "Init");
        new VariationalCategoricalMixture([3, 2, 4, 3], new VariationalDiscreteMixtureOptions { Components = 2 })
            .Invoking(e => e.Fit(new double[,] { { 0, 0, 0, 3 }, { 1, 1, 1, 1 } })).Should().Throw<ArgumentException>().Where(ex => ex.ParamName == "data");
    }

    /// <summary>
    /// ln p(X) by enumerating all Kᴺ assignments z: p(z) = Γ(Kα₀)/Γ(N + Kα₀) Πₖ Γ(Nₖ + α₀)/Γ(α₀) (Dirichlet–multinomial) times,
    /// per component and column, the Beta–Bernoulli marginal B(γ₀ + ones, γ₀ + zeros) / B(γ₀, γ₀).
    /// </summary>
    private static double NaiveLogEvidence(double[,] x, int k, double alpha0, double gamma0)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int assignments = (int)Math.Pow(k, n);
        var terms = new double[assignments];
        for (int code = 0; code < assignments; code++)
        {
            var z = new int[n];
            for (int i = 0, rest = code; i < n; i++, rest /= k)
            {
                z[i] = rest % k;
            }

            double term = SpecialFunctions.GammaLn(k * alpha0) - SpecialFunctions.GammaLn(n + k * alpha0);
            for (int c = 0; c < k; c++)
            {
                int nk = z.Count(v => v == c);
                term += SpecialFunctions.GammaLn(nk + alpha0) - SpecialFunctions.GammaLn(alpha0);
                for (int j = 0; j < d; j++)
                {
                    int ones = Enumerable.Range(0, n).Count(i => z[i] == c && x[i, j] == 1);
                    term += SpecialFunctions.BetaLn(gamma0 + ones, gamma0 + nk - ones) - SpecialFunctions.BetaLn(gamma0, gamma0);
                }
            }

            terms[code] = term;
        }

        double max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }
}
