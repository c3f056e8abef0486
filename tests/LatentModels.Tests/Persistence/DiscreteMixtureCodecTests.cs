using System.Text.Json.Nodes;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class DiscreteMixtureCodecTests
{
    private static readonly double[,] _binary = DiscreteMixtureTestData.ThreePrototypes().Sample(400, new Random(1));
    private static readonly double[,] _codes = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(300, new Random(2));

    private static void ShouldBehaveIdentically<T>(MixtureModel<T> loaded, MixtureModel<T> model, double[,] data) where T : class
    {
        Bits(loaded.Weights).Should().Equal(Bits(model.Weights));
        int n = data.GetLength(0);
        var expected = new double[n];
        var actual = new double[n];
        model.LogDensity(data, expected);
        loaded.LogDensity(data, actual);
        Bits(actual).Should().Equal(Bits(expected));
        Bits(loaded.Score(data)).Should().Be(Bits(model.Score(data)));
        loaded.Predict(data).Should().Equal(model.Predict(data));
        Bits(loaded.PredictProbabilities(data)).Should().Equal(Bits(model.PredictProbabilities(data)));
        Bits(loaded.Sample(50, new Random(3))).Should().Equal(Bits(model.Sample(50, new Random(3))));
        Bits(loaded.Bic(data)).Should().Be(Bits(model.Bic(data)));
        loaded.ParameterCount.Should().Be(model.ParameterCount);
    }

    [Fact]
    public void Fitted_bernoulli_mixture_round_trips_bit_for_bit()
    {
        MixtureModel<IndependentBernoulli> model = new BernoulliMixture(new MixtureOptions { Components = 3, Seed = 5 }).Fit(_binary).Model;
        MixtureModel<IndependentBernoulli> loaded = RoundTrip(model, "LatentModels.BernoulliMixture");
        for (int c = 0; c < 3; c++)
        {
            Bits(loaded.Distributions[c].Probabilities).Should().Equal(Bits(model.Distributions[c].Probabilities));
        }

        ShouldBehaveIdentically(loaded, model, _binary);
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        root["probabilities"]!.AsArray().Select(r => r!.AsArray().Count).Should().Equal(20, 20, 20);
    }

    [Fact]
    public void Fitted_categorical_mixture_round_trips_bit_for_bit()
    {
        MixtureModel<IndependentCategorical> model = new CategoricalMixture([3, 2, 4, 3], new MixtureOptions { Components = 2, Seed = 6 }).Fit(_codes).Model;
        MixtureModel<IndependentCategorical> loaded = RoundTrip(model, "LatentModels.CategoricalMixture");
        for (int c = 0; c < 2; c++)
        {
            Bits(loaded.Distributions[c].ToArrays().SelectMany(v => v)).Should().Equal(Bits(model.Distributions[c].ToArrays().SelectMany(v => v)));
        }

        ShouldBehaveIdentically(loaded, model, _codes);
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        root["categoryCounts"]!.AsArray().Select(v => (int)v!).Should().Equal(3, 2, 4, 3);
    }

    [Fact]
    public void Independent_categorical_round_trips_bit_for_bit()
    {
        IndependentCategorical model = IndependentCategorical.Fit(_codes, [], [3, 2, 4, 3]);
        IndependentCategorical loaded = RoundTrip(model, "LatentModels.IndependentCategorical");
        Bits(loaded.ToArrays().SelectMany(v => v)).Should().Equal(Bits(model.ToArrays().SelectMany(v => v)));
        Bits(loaded.Score(_codes)).Should().Be(Bits(model.Score(_codes)));
        Bits(loaded.Sample(30, new Random(4))).Should().Equal(Bits(model.Sample(30, new Random(4))));
    }

    [Fact]
    public void Tampered_parameters_are_rejected_naming_the_field()
    {
        MixtureModel<IndependentBernoulli> bernoulli = DiscreteMixtureTestData.ThreePrototypes();
        LoadFails(Tamper(bernoulli, r => r["probabilities"]![1]![4] = 1.5), "'probabilities[1][4]'", "[0, 1]");
        LoadFails(Tamper(bernoulli, r => r["weights"]![2] = -0.2), "'weights[2]'", "non-negative");
        LoadFails(Tamper(bernoulli, r => r["weights"]![2] = 0.3), "'weights'", "sum to 1");
        LoadFails(Tamper(bernoulli, r => r["weights"] = new JsonArray(0.5, 0.5)), "'probabilities' has 3 rows; 2 were expected");
        LoadFails(Tamper(bernoulli, r => r["probabilities"]![2]!.AsArray().RemoveAt(0)), "Row 2 of the field 'probabilities'");

        MixtureModel<IndependentCategorical> categorical = DiscreteMixtureTestData.TwoCategoricalProfiles();
        LoadFails(Tamper(categorical, r => r["probabilities"]![1]![2]![0] = 0.5), "'probabilities[1][2]'", "sum to 1");
        LoadFails(Tamper(categorical, r => r["categoryCounts"]![3] = 4), "'probabilities[0][3]' has 3 values; 'categoryCounts[3]' is 4");
        LoadFails(Tamper(categorical, r => r["categoryCounts"]![0] = 0), "'categoryCounts[0]'");
        LoadFails(Tamper(categorical, r => r["categoryCounts"]!.AsArray().Add(2)), "'probabilities[0]' has 4 variables; 'categoryCounts' has 5");
        LoadFails(Tamper(categorical, r => r["probabilities"]!.AsArray().RemoveAt(1)), "'probabilities' must be an array of 2");
        LoadFails(Tamper(new IndependentCategorical([[0.5, 0.5], [1.0]]), r => r["probabilities"]![1] = new JsonArray()), "'probabilities[1]' is empty");
    }
}
