using System.Text.Json.Nodes;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class KMeansCodecTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    private static KMeansModel Fitted() => new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }).Fit(_data).Model;

    [Fact]
    public void Fitted_model_round_trips_centers_inertia_and_predictions_bit_for_bit()
    {
        KMeansModel model = Fitted();
        KMeansModel loaded = RoundTrip(model, "LatentModels.KMeans");
        Bits(loaded.Centers).Should().Equal(Bits(model.Centers));
        Bits(loaded.Inertia).Should().Be(Bits(model.Inertia));
        loaded.Predict(_data).Should().Equal(model.Predict(_data));
        Bits(loaded.Transform(_data)).Should().Equal(Bits(model.Transform(_data)));
        Bits(loaded.InertiaOf(_data)).Should().Be(Bits(model.InertiaOf(_data)));
        Bits(loaded.InertiaOf(_data)).Should().Be(Bits(model.Inertia), "the training inertia is the inertia of the training data");
    }

    [Fact]
    public void Model_from_given_centers_stores_its_missing_inertia_as_null()
    {
        var model = new KMeansModel(new[,] { { 0.1, -0.0 }, { 5e-324, 1e308 } });
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        root.AsObject().ContainsKey("inertia").Should().BeTrue();
        root["inertia"].Should().BeNull();
        root["centers"]!.AsArray().Should().HaveCount(2);

        KMeansModel loaded = RoundTrip(model, "LatentModels.KMeans");
        double.IsNaN(loaded.Inertia).Should().BeTrue();
        Bits(loaded.Centers).Should().Equal(Bits(model.Centers));
    }

    [Fact]
    public void Tampered_files_are_rejected_naming_the_field()
    {
        KMeansModel model = Fitted();
        LoadFails(Tamper(model, root => root["centers"]![1]![0] = "NaN"), "'centers[1][0]' must be a finite number");
        LoadFails(Tamper(model, root => root["centers"]![2] = new JsonArray(1.0)), "Row 2 of the field 'centers' has 1 values; row 0 has 2");
        LoadFails(Tamper(model, root => root["centers"] = new JsonArray()), "'centers' is empty");
        LoadFails(Tamper(model, root => root["centers"] = JsonNode.Parse("[[], []]")), "'centers[0]' is empty");
        LoadFails(Tamper(model, root => root["inertia"] = -1.0), "'inertia'", "non-negative");
        LoadFails(Tamper(model, root => root["inertia"] = "NaN"), "'inertia' must be a finite number");
        LoadFails(Tamper(model, root => root.Remove("inertia")), "lacks the field 'inertia'");
        LoadFails(Tamper(model, root => root["centers"] = 3), "'centers' must be an array of rows");
    }

    [Fact]
    public void Loading_a_kmeans_file_as_a_mixture_is_a_format_error()
    {
        string json = ModelJson.Serialize(Fitted());
        Action load = () => ModelJson.Deserialize<GaussianMixtureModel>(json);
        load.Should().Throw<ModelFormatException>().WithMessage("*LatentModels.KMeans*GaussianMixtureModel*");
    }
}
