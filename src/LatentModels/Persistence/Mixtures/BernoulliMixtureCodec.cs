using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.BernoulliMixture</c>: <c>{"weights": [K], "probabilities": [[d] × K]}</c>, the mixing weights and
/// each component's success probabilities. Weights are stored and restored exactly.
/// </summary>
internal sealed class BernoulliMixtureCodec : ModelCodec<MixtureModel<IndependentBernoulli>>
{
    public override string FormatName => "LatentModels.BernoulliMixture";

    protected override void Write(Utf8JsonWriter writer, MixtureModel<IndependentBernoulli> model)
    {
        JsonFields.WriteVector(writer, "weights", model.Weights);
        var p = new double[model.Components, model.Dimension];
        for (int c = 0; c < model.Components; c++)
        {
            for (int j = 0; j < model.Dimension; j++)
            {
                p[c, j] = model.Distributions[c].Probabilities[j];
            }
        }

        JsonFields.WriteMatrix(writer, "probabilities", p);
    }

    protected override MixtureModel<IndependentBernoulli> ReadModel(JsonElement root)
    {
        double[] weights = DiscreteFields.ReadWeights(root);
        double[,] p = JsonFields.Matrix(root, "probabilities", weights.Length);
        JsonFields.Positive(p.GetLength(1), "probabilities[0]");
        for (int c = 0; c < p.GetLength(0); c++)
        {
            for (int j = 0; j < p.GetLength(1); j++)
            {
                DiscreteFields.CheckProbability(p[c, j], $"probabilities[{c}][{j}]");
            }
        }

        return BernoulliMixture.CreateModel(weights, p);
    }
}
