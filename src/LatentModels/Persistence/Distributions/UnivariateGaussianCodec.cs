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

    protected override UnivariateGaussian ReadModel(JsonElement root)
    {
        double mean = JsonFields.Double(root, "mean"), sigma = JsonFields.Double(root, "standardDeviation");

        // The variance σ² and the samples μ + σz (|z| up to ~40) must be finite.
        JsonFields.SquaresFinite([sigma], 64 * 64, "standardDeviation");
        if (!(Math.Abs(mean) + (64 * sigma) <= double.MaxValue))
        {
            throw new ModelFormatException(FormattableString.Invariant($"The field 'mean' is {mean:R}; its samples (σ = {sigma:R}) would overflow."));
        }

        return new UnivariateGaussian(mean, sigma);
    }
}
