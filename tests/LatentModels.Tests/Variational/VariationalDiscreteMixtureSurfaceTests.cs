using LatentModels.Mixtures;
using LatentModels.Tests.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

public class VariationalDiscreteMixtureSurfaceTests
{
    private static VariationalBernoulliMixtureModel FitBernoulli() =>
        new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 3, Seed = 1, MaxIterations = 100 })
            .Fit(DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(2))).Model;

    [Fact]
    public void The_discrete_models_are_density_soft_clustering_and_sampling_models()
    {
        VariationalBernoulliMixtureModel model = FitBernoulli();
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(50, new Random(9));

        IDensityModel density = model;
        density.Dimension.Should().Be(20);
        density.Score(x).Should().Be(model.PosteriorMean.Score(x));
        ISoftClusteringModel soft = model;
        soft.Clusters.Should().Be(3);
        soft.Predict(x).Should().Equal(model.Predict(x));
        for (int i = 0; i < 5; i++)
        {
            double[] row = Enumerable.Range(0, 20).Select(j => x[i, j]).ToArray();
            model.Predict(row).Should().Be(model.Predict(x)[i]);
        }

        model.Should().BeAssignableTo<ISampler>();
        VariationalCategoricalMixtureModel categorical = new VariationalCategoricalMixture([3, 2, 4, 3], new VariationalDiscreteMixtureOptions { Components = 2, Seed = 3 })
            .Fit(DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(200, new Random(1))).Model;
        ((IClusteringModel)categorical).Clusters.Should().Be(2);
        categorical.Should().BeAssignableTo<ISampler>().And.BeAssignableTo<IDensityModel>();
    }

    [Fact]
    public void Samples_follow_the_posterior_predictive_column_means()
    {
        // E[xⱼ] under the predictive = Σₖ E[πₖ] E[θₖⱼ] = Σₖ αₖ/Σα · aₖⱼ/(aₖⱼ + bₖⱼ), from the stored hyper-parameters.
        VariationalBernoulliMixtureModel model = FitBernoulli();
        double[] alpha = model.WeightConcentrations;
        double[,] a = model.BetaA, b = model.BetaB;
        const int n = 40_000;
        double[,] s = model.Sample(n, new Random(11));
        for (int j = 0; j < 20; j++)
        {
            double expected = 0;
            for (int c = 0; c < 3; c++)
            {
                expected += alpha[c] / alpha.Sum() * a[c, j] / (a[c, j] + b[c, j]);
            }

            double mean = Enumerable.Range(0, n).Average(i => s[i, j]);
            mean.Should().BeApproximately(expected, 5 * Math.Sqrt(0.25 / n), $"column {j}");
        }
    }

    [Fact]
    public void Effective_components_count_the_weights_above_the_threshold()
    {
        VariationalBernoulliMixtureModel model = new VariationalBernoulliMixture(
            new VariationalDiscreteMixtureOptions { Components = 6, WeightConcentration = 0.001, Seed = 2, Starts = 2, Init = MixtureInit.RandomResponsibilities, MaxIterations = 300 })
            .Fit(DiscreteMixtureTestData.ThreePrototypes().Sample(400, new Random(5))).Model;
        model.EffectiveComponents().Should().Be(model.Weights.Count(w => w > 0.01)).And.Be(3);
        model.EffectiveComponents(0).Should().Be(6, "every posterior-mean weight is positive");
        FluentActions.Invoking(() => model.EffectiveComponents(1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("threshold");
        FluentActions.Invoking(() => model.EffectiveComponents(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
