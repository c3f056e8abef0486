using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.Categorical</c>: <c>{"probabilities": [K]}</c>.</summary>
internal sealed class CategoricalCodec : ModelCodec<Categorical>
{
    public override string FormatName => "LatentModels.Categorical";

    protected override void Write(Utf8JsonWriter writer, Categorical model) =>
        JsonFields.WriteVector(writer, "probabilities", model.Probabilities.ToArray());

    protected override Categorical ReadModel(JsonElement root)
    {
        double[] p = JsonFields.Vector(root, "probabilities");
        JsonFields.Positive(p.Length, "probabilities");
        return new Categorical(p);
    }
}
