using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using LatentModels.Tests.Persistence;
using LatentModels.Variational;
using static LatentModels.Tests.Variational.VariationalTestData;

namespace LatentModels.Tests.Variational;

/// <summary>Warm starts of the variational estimators from a fitted posterior (VB-GMM and the two discrete mixtures).</summary>
public class VariationalWarmStartTests
{
    private static VariationalGaussianMixtureOptions GmmOptions(CovarianceType type, WeightPrior prior) => new()
    {
        Components = 5,
        Covariance = type,
        WeightPrior = prior,
        Seed = 3,
        MaxIterations = 500,
        Tolerance = 1e-9,
    };

    private static void AssertNeverDecreases(IReadOnlyList<double> trace, double start)
    {
        double previous = start;
        for (int t = 0; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(previous - 1e-10 * Math.Abs(previous), $"iteration {t + 1}");
            previous = trace[t];
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess)]
    public void Gmm_warm_start_from_a_converged_fit_converges_at_once_with_the_same_elbo(CovarianceType type, WeightPrior prior)
    {
        double[,] x = FiveClusters(600, 7);
        VariationalGaussianMixtureOptions options = GmmOptions(type, prior);
        var first = new VariationalGaussianMixture(options).Fit(x);
        first.Report.Converged.Should().BeTrue();

        var warm = new VariationalGaussianMixture(options with { InitialModel = first.Model }).Fit(x);
        warm.Report.Converged.Should().BeTrue();
        warm.Report.Iterations.Should().BeLessThanOrEqualTo(2);
        warm.Model.Elbo.Should().BeApproximately(first.Model.Elbo, 1e-9 * Math.Abs(first.Model.Elbo));
        warm.Model.Weights.Should().Equal(first.Model.Weights, (a, b) => Math.Abs(a - b) <= 1e-9);
        AssertNeverDecreases(warm.Report.ObjectiveTrace, first.Model.Elbo);
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletDistribution)]
    public void Gmm_warm_start_continues_a_fit_exactly_and_the_elbo_never_decreases_from_it(CovarianceType type, WeightPrior prior)
    {
        // 5 iterations, then 10 more from the saved (JSON round-tripped) posterior = 15 iterations in one fit, bit for bit.
        double[,] x = FiveClusters(500, 2);
        VariationalGaussianMixtureOptions options = GmmOptions(type, prior) with { Init = MixtureInit.RandomResponsibilities, Tolerance = 0 };
        var five = new VariationalGaussianMixture(options with { MaxIterations = 5 }).Fit(x);
        VariationalGaussianMixtureModel saved = ModelJson.Deserialize<VariationalGaussianMixtureModel>(ModelJson.Serialize(five.Model));
        var continued = new VariationalGaussianMixture(options with { MaxIterations = 10, InitialModel = saved }).Fit(x);
        var fifteen = new VariationalGaussianMixture(options with { MaxIterations = 15 }).Fit(x);

        continued.Report.ObjectiveTrace.Should().Equal(fifteen.Report.ObjectiveTrace.Skip(5));
        continued.Model.Elbo.Should().Be(fifteen.Model.Elbo);
        continued.Model.LowerBound.Should().Be(fifteen.Model.LowerBound);
        PersistenceAssert.Bits(continued.Model.Means).Should().Equal(PersistenceAssert.Bits(fifteen.Model.Means));
        PersistenceAssert.Bits(continued.Model.CovarianceParameters).Should().Equal(PersistenceAssert.Bits(fifteen.Model.CovarianceParameters));
        PersistenceAssert.Bits(continued.Responsibilities).Should().Equal(PersistenceAssert.Bits(fifteen.Responsibilities));
        AssertNeverDecreases(continued.Report.ObjectiveTrace, five.Model.Elbo);
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess)]
    public void Gmm_warm_start_with_no_iterations_returns_the_start(CovarianceType type, WeightPrior prior)
    {
        double[,] x = FiveClusters(300, 4);
        VariationalGaussianMixtureOptions options = GmmOptions(type, prior) with { MaxIterations = 7, Tolerance = 0 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(options).Fit(x).Model;

        // Another data set: the returned posterior is still the start's, and its responsibilities are those of the start.
        double[,] other = FiveClusters(200, 9);
        var fit = new VariationalGaussianMixture(options with { MaxIterations = 0, InitialModel = start }).Fit(other);
        fit.Report.Iterations.Should().Be(0);
        VariationalGaussianMixtureModel m = fit.Model;
        PersistenceAssert.Bits(m.Weights).Should().Equal(PersistenceAssert.Bits(start.Weights));
        PersistenceAssert.Bits(m.Means).Should().Equal(PersistenceAssert.Bits(start.Means));
        PersistenceAssert.Bits(m.CovarianceParameters).Should().Equal(PersistenceAssert.Bits(start.CovarianceParameters));
        m.WeightConcentrations.Should().Equal(start.WeightConcentrations);
        m.WeightConcentrationsB.Should().Equal(start.WeightConcentrationsB);
        m.MeanPrecisions.Should().Equal(start.MeanPrecisions);
        m.DegreesOfFreedom.Should().Equal(start.DegreesOfFreedom);
        double.IsNaN(m.Elbo).Should().BeTrue("the bound is computed after an M-step");
        PersistenceAssert.Bits(fit.Responsibilities).Should().Equal(PersistenceAssert.Bits(start.PredictProbabilities(other)));
    }

    [Fact]
    public void Gmm_warm_start_must_match_the_options_and_the_data()
    {
        double[,] x = FiveClusters(300, 4);
        VariationalGaussianMixtureOptions options = GmmOptions(CovarianceType.Full, WeightPrior.DirichletDistribution) with { MaxIterations = 3 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(options).Fit(x).Model;
        VariationalGaussianMixtureOptions[] wrong =
        [
            options with { InitialModel = start, Components = 4 },
            options with { InitialModel = start, Covariance = CovarianceType.Diagonal },
            options with { InitialModel = start, WeightPrior = WeightPrior.DirichletProcess },
        ];
        foreach (VariationalGaussianMixtureOptions o in wrong)
        {
            FluentActions.Invoking(() => new VariationalGaussianMixture(o).Fit(x)).Should().Throw<ArgumentException>().WithParameterName("InitialModel")
                .WithMessage("The initial model has 5 Full components of dimension 2*");
        }

        var threeColumns = new double[300, 3];
        FluentActions.Invoking(() => new VariationalGaussianMixture(options with { InitialModel = start }).Fit(threeColumns))
            .Should().Throw<ArgumentException>().WithParameterName("InitialModel").WithMessage("*the data have 3 columns*");
    }

    private static readonly VariationalDiscreteMixtureOptions _discrete = new()
    {
        Components = 3,
        Seed = 1,
        Init = MixtureInit.RandomResponsibilities,
        MaxIterations = 500,
        Tolerance = 1e-9,
    };

    [Fact]
    public void Bernoulli_warm_start_from_a_converged_fit_converges_at_once_with_the_same_elbo()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(400, new Random(6));
        var estimator = new VariationalBernoulliMixture(_discrete);
        var first = estimator.Fit(x);
        first.Report.Converged.Should().BeTrue();

        var warm = estimator.FitFrom(first.Model, x);
        warm.Report.Converged.Should().BeTrue();
        warm.Report.Iterations.Should().BeLessThanOrEqualTo(2);
        warm.Model.Elbo.Should().BeApproximately(first.Model.Elbo, 1e-9 * Math.Abs(first.Model.Elbo));
        AssertNeverDecreases(warm.Report.ObjectiveTrace, first.Model.Elbo);
    }

    [Fact]
    public void Categorical_warm_start_from_a_converged_fit_converges_at_once_with_the_same_elbo()
    {
        double[,] x = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(300, new Random(2));
        var estimator = new VariationalCategoricalMixture([3, 2, 4, 3], _discrete with { Components = 2 });
        var first = estimator.Fit(x);
        first.Report.Converged.Should().BeTrue();

        var warm = estimator.FitFrom(first.Model, x);
        warm.Report.Converged.Should().BeTrue();
        warm.Report.Iterations.Should().BeLessThanOrEqualTo(2);
        warm.Model.Elbo.Should().BeApproximately(first.Model.Elbo, 1e-9 * Math.Abs(first.Model.Elbo));
        AssertNeverDecreases(warm.Report.ObjectiveTrace, first.Model.Elbo);
    }

    [Fact]
    public void Discrete_warm_start_continues_a_fit_exactly_and_returns_the_start_without_iterations()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(12));
        double[] weights = Enumerable.Range(0, 300).Select(i => 0.5 + (i % 4)).ToArray();
        VariationalDiscreteMixtureOptions options = _discrete with { Components = 4, Tolerance = 0 };
        var five = new VariationalBernoulliMixture(options with { MaxIterations = 5 }).Fit(x, weights);
        VariationalBernoulliMixtureModel saved = ModelJson.Deserialize<VariationalBernoulliMixtureModel>(ModelJson.Serialize(five.Model));
        var continued = new VariationalBernoulliMixture(options with { MaxIterations = 10 }).FitFrom(saved, x, weights);
        var fifteen = new VariationalBernoulliMixture(options with { MaxIterations = 15 }).Fit(x, weights);

        continued.Report.ObjectiveTrace.Should().Equal(fifteen.Report.ObjectiveTrace.Skip(5));
        continued.Model.Elbo.Should().Be(fifteen.Model.Elbo);
        PersistenceAssert.Bits(continued.Model.BetaA).Should().Equal(PersistenceAssert.Bits(fifteen.Model.BetaA));
        PersistenceAssert.Bits(continued.Responsibilities).Should().Equal(PersistenceAssert.Bits(fifteen.Responsibilities));
        AssertNeverDecreases(continued.Report.ObjectiveTrace, five.Model.Elbo);

        var none = new VariationalBernoulliMixture(options with { MaxIterations = 0 }).FitFrom(saved, x, weights);
        none.Report.Iterations.Should().Be(0);
        none.Model.Elbo.Should().Be(five.Model.Elbo, "the start's objective is the ELBO after its E-step, as the fit's last");
        none.Model.WeightConcentrations.Should().Equal(five.Model.WeightConcentrations);
        PersistenceAssert.Bits(none.Model.BetaA).Should().Equal(PersistenceAssert.Bits(five.Model.BetaA));
        PersistenceAssert.Bits(none.Model.BetaB).Should().Equal(PersistenceAssert.Bits(five.Model.BetaB));
    }

    [Fact]
    public void Discrete_warm_start_uses_the_options_prior()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(200, new Random(3));
        VariationalBernoulliMixtureModel start = new VariationalBernoulliMixture(_discrete).Fit(x).Model;
        var other = new VariationalBernoulliMixture(_discrete with { PriorCount = 2.5, WeightConcentration = 4, MaxIterations = 1 }).FitFrom(start, x);
        other.Model.PriorCount.Should().Be(2.5);
        other.Model.WeightConcentrationPrior.Should().Be(4);
        other.Model.WeightConcentrations.Sum().Should().BeApproximately(200 + (3 * 4), 1e-9, "αₖ = α₀ + Nₖ with the options' α₀");
    }

    [Fact]
    public void Discrete_warm_start_must_match_components_dimension_and_categories()
    {
        double[,] x = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(200, new Random(5));
        VariationalCategoricalMixtureModel start = new VariationalCategoricalMixture([3, 2, 4, 3], _discrete with { Components = 2 }).Fit(x).Model;

        FluentActions.Invoking(() => new VariationalCategoricalMixture([3, 2, 4, 3], _discrete).FitFrom(start, x))
            .Should().Throw<ArgumentException>().WithParameterName("initialModel").WithMessage("The initial model has 2 components*");
        FluentActions.Invoking(() => new VariationalCategoricalMixture([3, 2, 5, 3], _discrete with { Components = 2 }).FitFrom(start, x))
            .Should().Throw<ArgumentException>().WithParameterName("initialModel").WithMessage("Variable 2 of the initial model has 4 categories; the estimator has 5.*");
        var threeColumns = new double[200, 3];
        FluentActions.Invoking(() => new VariationalCategoricalMixture([3, 2, 4], _discrete with { Components = 2 }).FitFrom(start, threeColumns))
            .Should().Throw<ArgumentException>().WithParameterName("initialModel").WithMessage("*the data have 3 columns*");
        FluentActions.Invoking(() => new VariationalBernoulliMixture(_discrete).FitFrom(null!, x)).Should().Throw<ArgumentNullException>().WithParameterName("initialModel");
    }
}
