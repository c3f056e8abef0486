using System.Text.Json.Nodes;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class GaussianMixtureCodecTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    private static GaussianMixtureModel Fitted(CovarianceType type, GaussianMixturePrior? prior = null) =>
        new GaussianMixture(new GaussianMixtureOptions { Components = 3, Covariance = type, Seed = 7, Prior = prior }).Fit(_data).Model;

    public static TheoryData<CovarianceType> Types => [CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied];

    private static void ShouldBeIdentical(GaussianMixtureModel loaded, GaussianMixtureModel model)
    {
        loaded.CovarianceType.Should().Be(model.CovarianceType);
        Bits(loaded.Weights).Should().Equal(Bits(model.Weights));
        Bits(loaded.Means).Should().Equal(Bits(model.Means));
        Bits(loaded.CovarianceParameters).Should().Equal(Bits(model.CovarianceParameters));
        int n = _data.GetLength(0);
        var expected = new double[n];
        var actual = new double[n];
        model.LogDensity(_data, expected);
        loaded.LogDensity(_data, actual);
        Bits(actual).Should().Equal(Bits(expected));
        Bits(loaded.Score(_data)).Should().Be(Bits(model.Score(_data)));
        Bits(loaded.LogDensity(MixtureTestData.Row(_data, 5))).Should().Be(Bits(model.LogDensity(MixtureTestData.Row(_data, 5))));
        loaded.Predict(_data).Should().Equal(model.Predict(_data));
        Bits(loaded.PredictProbabilities(_data)).Should().Equal(Bits(model.PredictProbabilities(_data)));
        Bits(loaded.Sample(64, new Random(11))).Should().Equal(Bits(model.Sample(64, new Random(11))));
        Bits(loaded.Bic(_data)).Should().Be(Bits(model.Bic(_data)));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Fitted_mixture_round_trips_bit_for_bit(CovarianceType type)
    {
        GaussianMixtureModel model = Fitted(type);
        ShouldBeIdentical(RoundTrip(model, "LatentModels.GaussianMixture"), model);
    }

    [Fact]
    public void Map_fitted_mixture_round_trips_bit_for_bit()
    {
        GaussianMixtureModel model = Fitted(CovarianceType.Full, new GaussianMixturePrior());
        ShouldBeIdentical(RoundTrip(model, "LatentModels.GaussianMixture"), model);
    }

    [Fact]
    public void Weights_that_do_not_sum_exactly_to_one_come_back_unchanged()
    {
        GaussianMixtureModel model = Fitted(CovarianceType.Diagonal);
        // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in binary: a file may hold such weights and they must not be renormalised.
        string json = Tamper(model, root => root["weights"] = new JsonArray(0.1, 0.2, 0.7));
        var loaded = ModelJson.Deserialize<GaussianMixtureModel>(json);
        Bits(loaded.Weights).Should().Equal(Bits(new[] { 0.1, 0.2, 0.7 }));
    }

    [Theory]
    [InlineData(CovarianceType.Full, new[] { 3, 2, 2 })]
    [InlineData(CovarianceType.Tied, new[] { 2, 2 })]
    [InlineData(CovarianceType.Diagonal, new[] { 3, 2 })]
    [InlineData(CovarianceType.Spherical, new[] { 3 })]
    public void Covariances_are_shaped_as_in_scikit_learn(CovarianceType type, int[] shape)
    {
        GaussianMixtureModel model = Fitted(type);
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        ((string?)root["covarianceType"]).Should().Be(type.ToString());
        root["weights"]!.AsArray().Should().HaveCount(3);
        root["means"]!.AsArray().Select(row => row!.AsArray().Count).Should().Equal(2, 2, 2);
        var actual = new List<int>();
        for (JsonNode? node = root["covariances"]; node is JsonArray array; node = array[0])
        {
            actual.Add(array.Count);
        }

        actual.Should().Equal(shape);
        ((double)root["means"]![1]![0]!).Should().Be(model.Means[1, 0]);
    }

    [Fact]
    public void Covariance_that_is_not_positive_definite_is_rejected_naming_the_component()
    {
        LoadFails(Tamper(Fitted(CovarianceType.Full), root => root["covariances"]![1] = JsonNode.Parse("[[1, 2], [2, 1]]")),
            "'covariances[1]' is not positive definite");
        LoadFails(Tamper(Fitted(CovarianceType.Tied), root => root["covariances"] = JsonNode.Parse("[[1, 2], [2, 1]]")),
            "'covariances' is not positive definite");
        LoadFails(Tamper(Fitted(CovarianceType.Diagonal), root => root["covariances"]![2]![1] = -0.5),
            "'covariances[2]' has a variance that is not positive");
        LoadFails(Tamper(Fitted(CovarianceType.Spherical), root => root["covariances"]![0] = 0.0),
            "'covariances[0]' has a variance that is not positive");
        LoadFails(Tamper(Fitted(CovarianceType.Full), root => root["covariances"]![0] = JsonNode.Parse("[[1, 0.5], [0.4, 1]]")),
            "'covariances[0]' is not symmetric");
    }

    [Fact]
    public void Invalid_weights_are_rejected_naming_the_field()
    {
        GaussianMixtureModel model = Fitted(CovarianceType.Spherical);
        LoadFails(Tamper(model, root => root["weights"] = new JsonArray(0.5, 0.5, 0.1)), "'weights' sums to 1.1");
        LoadFails(Tamper(model, root => root["weights"] = new JsonArray(-0.5, 0.5, 1.0)), "'weights[0]'", "positive");
        LoadFails(Tamper(model, root => root["weights"] = new JsonArray(0.0, 0.5, 0.5)), "'weights[0]'", "positive");
        LoadFails(Tamper(model, root => root["weights"]![2] = "NaN"), "'weights[2]' must be a finite number");
        LoadFails(Tamper(model, root => root["weights"] = new JsonArray()), "'weights' is empty");
    }

    [Fact]
    public void Mismatched_dimensions_are_rejected_naming_the_field()
    {
        GaussianMixtureModel full = Fitted(CovarianceType.Full);
        LoadFails(Tamper(full, root => root["weights"] = new JsonArray(0.5, 0.5)), "'means' has 3 rows; 2 were expected");
        LoadFails(Tamper(full, root => root["covariances"]!.AsArray().RemoveAt(2)), "'covariances' must be an array of 3 matrices");
        LoadFails(Tamper(full, root => root["covariances"]![0] = JsonNode.Parse("[[1,0,0],[0,1,0],[0,0,1]]")),
            "'covariances[0]' has 3 rows; 2 were expected");
        LoadFails(Tamper(Fitted(CovarianceType.Diagonal), root => root["covariances"]![1] = new JsonArray(1.0, 1.0, 1.0)),
            "Row 1 of the field 'covariances' has 3 values; row 0 has 2");
        LoadFails(Tamper(Fitted(CovarianceType.Spherical), root => root["covariances"] = new JsonArray(1.0, 1.0)),
            "'covariances' has 2 values; 3 were expected");
        LoadFails(Tamper(Fitted(CovarianceType.Tied), root => root["covariances"] = JsonNode.Parse("[[1]]")),
            "'covariances' has 1 rows; 2 were expected");
        LoadFails(Tamper(full, root => root["means"]![0]![1] = "NaN"), "'means[0][1]' must be a finite number");
    }

    [Fact]
    public void Unknown_covariance_type_is_rejected_listing_the_valid_ones()
    {
        LoadFails(Tamper(Fitted(CovarianceType.Full), root => root["covarianceType"] = "full"),
            "'covarianceType' must be one of the strings \"Full\", \"Diagonal\", \"Spherical\", \"Tied\"");
        LoadFails(Tamper(Fitted(CovarianceType.Full), root => root["covarianceType"] = "0"), "'covarianceType' must be one of");
    }

    [Fact]
    public void Unknown_extra_fields_are_ignored()
    {
        GaussianMixtureModel model = Fitted(CovarianceType.Tied);
        string json = Tamper(model, root =>
        {
            root["trainedOn"] = "old_faithful.txt";
            root["report"] = new JsonObject { ["iterations"] = 12, ["converged"] = true };
        });
        ShouldBeIdentical(ModelJson.Deserialize<GaussianMixtureModel>(json), model);
    }
}
