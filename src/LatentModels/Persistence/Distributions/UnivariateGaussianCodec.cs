using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.UnivariateGaussian</c>: <c>{"mean": μ, "standardDeviation": σ}</c>.</summary>
internal sealed class UnivariateGaussianCodec : ModelCodec<UnivariateGaussian>
{
    public override string FormatName => "LatentModels.UnivariateGaussian";

    protected override void Write(Utf8JsonWriter writer, UnivariateGaussian model)
    {
        writer.WriteNumber("mean", model.Mean);
        writer.WriteNumber("standardDeviation", model.StandardDeviation);
    }

    protected override UnivariateGaussian ReadModel(JsonElement root) =>
        new(JsonFields.Double(root, "mean"), JsonFields.Double(root, "standardDeviation"));
}
