using System.Text.Json;
using LatentModels.Distributions;

namespace LatentModels.Persistence;

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

/// <summary><c>LatentModels.Bernoulli</c>: <c>{"p": p}</c>.</summary>
internal sealed class BernoulliCodec : ModelCodec<Bernoulli>
{
    public override string FormatName => "LatentModels.Bernoulli";

    protected override void Write(Utf8JsonWriter writer, Bernoulli model) => writer.WriteNumber("p", model.P);

    protected override Bernoulli ReadModel(JsonElement root) => new(JsonFields.Double(root, "p"));
}

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
