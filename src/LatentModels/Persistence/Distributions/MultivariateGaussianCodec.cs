using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence.Distributions;

/// <summary><c>LatentModels.MultivariateGaussian</c>: <c>{"mean": [d], "covariance": [[d] × d]}</c>.</summary>
internal sealed class MultivariateGaussianCodec : ModelCodec<MultivariateGaussian>
{
    public override string FormatName => "LatentModels.MultivariateGaussian";

    protected override void Write(Utf8JsonWriter writer, MultivariateGaussian model)
    {
        JsonFields.WriteVector(writer, "mean", model.MeanSpan);
        JsonFields.WriteMatrix(writer, "covariance", model.Covariance);
    }

    protected override MultivariateGaussian ReadModel(JsonElement root)
    {
        double[] mean = JsonFields.Vector(root, "mean");
        int d = JsonFields.Positive(mean.Length, "mean");
        return new MultivariateGaussian(mean, JsonFields.Matrix(root, "covariance", d, d));
    }
}
