using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.IndependentBernoulli</c>: <c>{"probabilities": [d]}</c>.</summary>
internal sealed class IndependentBernoulliCodec : ModelCodec<IndependentBernoulli>
{
    public override string FormatName => "LatentModels.IndependentBernoulli";

    protected override void Write(Utf8JsonWriter writer, IndependentBernoulli model) =>
        JsonFields.WriteVector(writer, "probabilities", model.Probabilities.ToArray());

    protected override IndependentBernoulli ReadModel(JsonElement root)
    {
        double[] p = JsonFields.Vector(root, "probabilities");
        JsonFields.Positive(p.Length, "probabilities");
        return new IndependentBernoulli(p);
    }
}
