using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.BernoulliMixture</c> (version 2): <c>{"family": "IndependentBernoulli" | "MaximumLikelihood",
/// "weights": [K], "probabilities": [[d] × K]}</c>, the family, the mixing weights and each component's success
/// probabilities. Weights are stored and restored exactly. Version 1 had no family: it is the independent-Bernoulli one.
/// </summary>
internal sealed class BernoulliMixtureCodec : ModelCodec<MixtureModel<IndependentBernoulli>>
{
    public override string FormatName => "LatentModels.BernoulliMixture";

    public override int Version => 2;

    protected override void CheckSavable(MixtureModel<IndependentBernoulli> model) => MixtureFamilyField.CheckSavable(model.Family);

    protected override void Write(Utf8JsonWriter writer, MixtureModel<IndependentBernoulli> model)
    {
        MixtureFamilyField.Write(writer, model.Family);
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

    protected override MixtureModel<IndependentBernoulli> ReadModel(JsonElement root) => ReadModel(root, Version);

    protected override MixtureModel<IndependentBernoulli> ReadModel(JsonElement root, int version)
    {
        IMixtureFamily<IndependentBernoulli> family = version == 1
            ? IndependentBernoulliFamily.Instance
            : MixtureFamilyField.Read(root, MixtureFamilyField.IndependentBernoulli, () => IndependentBernoulliFamily.Instance);
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

        var components = new IndependentBernoulli[p.GetLength(0)];
        for (int c = 0; c < components.Length; c++)
        {
            components[c] = new IndependentBernoulli(p.AsSpan().Slice(c * p.GetLength(1), p.GetLength(1)).ToArray());
        }

        return new MixtureModel<IndependentBernoulli>(family, weights, components);
    }
}
