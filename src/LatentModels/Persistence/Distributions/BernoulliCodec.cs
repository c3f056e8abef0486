using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.Bernoulli</c>: <c>{"p": p}</c>.</summary>
internal sealed class BernoulliCodec : ModelCodec<Bernoulli>
{
    public override string FormatName => "LatentModels.Bernoulli";

    protected override void Write(Utf8JsonWriter writer, Bernoulli model) => writer.WriteNumber("p", model.P);

    protected override Bernoulli ReadModel(JsonElement root) => new(JsonFields.Double(root, "p"));
}
