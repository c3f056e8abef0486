using System.Text.Json.Nodes;
using LatentModels.Persistence;

namespace LatentModels.Tests.Persistence;

/// <summary>Helpers for the persistence tests: round trips, bit comparisons and tampered documents.</summary>
internal static class PersistenceAssert
{
    /// <summary>Serialises, checks the envelope, and loads the document back as <typeparamref name="T"/>.</summary>
    public static T RoundTrip<T>(T model, string expectedFormat) where T : class
    {
        string json = ModelJson.Serialize(model);
        JsonNode root = JsonNode.Parse(json)!;
        ((string?)root["format"]).Should().Be(expectedFormat);
        ((int?)root["version"]).Should().Be(ModelJson.FormatVersion(model));
        ModelJson.FormatName(model).Should().Be(expectedFormat);
        T loaded = ModelJson.Deserialize<T>(json);
        loaded.Should().NotBeSameAs(model);
        ModelJson.Serialize(loaded).Should().Be(json, "saving a loaded model writes the very same document");
        return loaded;
    }

    public static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    public static long[] Bits(double[,] values) => Bits(values.Cast<double>());

    public static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);

    /// <summary>The model's document with <paramref name="edit"/> applied to its root object.</summary>
    public static string Tamper(object model, Action<JsonObject> edit)
    {
        JsonObject root = JsonNode.Parse(ModelJson.Serialize(model))!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    /// <summary>Loading <paramref name="json"/> fails with a <see cref="ModelFormatException"/> whose message contains every fragment.</summary>
    public static ModelFormatException LoadFails(string json, params string[] fragments)
    {
        Action load = () => ModelJson.Deserialize(json);
        ModelFormatException e = load.Should().Throw<ModelFormatException>().Which;
        foreach (string fragment in fragments)
        {
            e.Message.Should().Contain(fragment);
        }

        return e;
    }
}
