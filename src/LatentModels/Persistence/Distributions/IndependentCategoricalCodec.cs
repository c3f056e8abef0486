using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.IndependentCategorical</c>: <c>{"probabilities": [[C₀], [C₁], …]}</c> (one array per variable).</summary>
internal sealed class IndependentCategoricalCodec : ModelCodec<IndependentCategorical>
{
    public override string FormatName => "LatentModels.IndependentCategorical";

    protected override void Write(Utf8JsonWriter writer, IndependentCategorical model) =>
        DiscreteFields.WriteJagged(writer, "probabilities", model.ToArrays());

    protected override IndependentCategorical ReadModel(JsonElement root) =>
        DiscreteFields.ReadCategorical(JsonFields.Jagged(root, "probabilities"), null, "probabilities");
}
