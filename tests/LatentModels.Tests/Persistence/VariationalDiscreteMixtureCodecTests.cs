using System.Text.Json.Nodes;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using LatentModels.Variational;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class VariationalDiscreteMixtureCodecTests
{
    [Fact]
    public void BernoulliRoundTripKeepsEveryBit()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(120, new Random(3));
        var model = new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 3, Seed = 2, PriorCount = 0.5 }).Fit(x).Model;
        VariationalBernoulliMixtureModel loaded = RoundTrip(model, "LatentModels.VariationalBernoulliMixture");

        Bits(loaded.Elbo).Should().Be(Bits(model.Elbo));
        Bits(loaded.WeightConcentrations).Should().Equal(Bits(model.WeightConcentrations));
        Bits(loaded.BetaA).Should().Equal(Bits(model.BetaA));
        Bits(loaded.BetaB).Should().Equal(Bits(model.BetaB));
        loaded.WeightConcentrationPrior.Should().Be(model.WeightConcentrationPrior);
        loaded.PriorCount.Should().Be(0.5);
        Bits(loaded.PredictProbabilities(x)).Should().Equal(Bits(model.PredictProbabilities(x)));
        Bits(loaded.Score(x)).Should().Be(Bits(model.Score(x)));
    }

    [Fact]
    public void CategoricalRoundTripKeepsEveryBit()
    {
        double[,] x = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(80, new Random(5));
        var model = new VariationalCategoricalMixture([3, 2, 4, 3], new VariationalDiscreteMixtureOptions { Components = 2, Seed = 1 }).Fit(x).Model;
        VariationalCategoricalMixtureModel loaded = RoundTrip(model, "LatentModels.VariationalCategoricalMixture");

        Bits(loaded.Elbo).Should().Be(Bits(model.Elbo));
        loaded.CategoryCounts.Should().Equal(3, 2, 4, 3);
        Bits(loaded.WeightConcentrations).Should().Equal(Bits(model.WeightConcentrations));
        loaded.GetConcentration(1, 2, 3).Should().Be(model.GetConcentration(1, 2, 3));
        Bits(loaded.PredictProbabilities(x)).Should().Equal(Bits(model.PredictProbabilities(x)));
        Bits(loaded.Score(x)).Should().Be(Bits(model.Score(x)));
    }

    [Fact]
    public void DamagedFilesRaiseModelFormatExceptionNamingTheField()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(60, new Random(3));
        var model = new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2 }).Fit(x).Model;
        LoadFails(Tamper(model, r => r["betaA"]![1]![4] = -1.0), "betaA[1][4]");
        LoadFails(Tamper(model, r => r["betaB"]!.AsArray().RemoveAt(1)), "betaB");
        LoadFails(Tamper(model, r => r["weightConcentrations"]![0] = 0.0), "weightConcentrations[0]");
        LoadFails(Tamper(model, r => r["priorCount"] = -2.0), "priorCount");

        var categorical = new VariationalCategoricalMixture([3, 2], new VariationalDiscreteMixtureOptions { Components = 1 }).Fit(new double[,] { { 0, 1 }, { 2, 0 } }).Model;
        LoadFails(Tamper(categorical, r => r["categoryCounts"] = new JsonArray(3, 2_000_000_000, 2_000_000_000)), "categoryCounts");
        LoadFails(Tamper(categorical, r => r["categoryCounts"] = new JsonArray(3, 3)), "concentrations");
    }
}
