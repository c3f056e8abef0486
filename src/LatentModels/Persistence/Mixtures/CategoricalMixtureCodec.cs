using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.CategoricalMixture</c> (version 2): <c>{"family": "IndependentCategorical" | "MaximumLikelihood",
/// "weights": [K], "categoryCounts": [d], "probabilities": [K × [[C₀], [C₁], …]]}</c>: the family, the mixing weights,
/// the number of categories of each variable, and each component's per-variable probabilities. Version 1 had no family:
/// it is the independent-categorical one.
/// </summary>
internal sealed class CategoricalMixtureCodec : ModelCodec<MixtureModel<IndependentCategorical>>
{
    public override string FormatName => "LatentModels.CategoricalMixture";

    public override int Version => 2;

    protected override void CheckSavable(MixtureModel<IndependentCategorical> model) => MixtureFamilyField.CheckSavable(model.Family);

    protected override void Write(Utf8JsonWriter writer, MixtureModel<IndependentCategorical> model)
    {
        MixtureFamilyField.Write(writer, model.Family);
        JsonFields.WriteVector(writer, "weights", model.Weights);
        JsonFields.WriteIntVector(writer, "categoryCounts", model.Distributions[0].CategoryCounts.ToArray());
        writer.WriteStartArray("probabilities");
        foreach (IndependentCategorical component in model.Distributions)
        {
            DiscreteFields.WriteJaggedValue(writer, component.ToArrays());
        }

        writer.WriteEndArray();
    }

    protected override MixtureModel<IndependentCategorical> ReadModel(JsonElement root) => ReadModel(root, Version);

    protected override MixtureModel<IndependentCategorical> ReadModel(JsonElement root, int version)
    {
        double[] weights = DiscreteFields.ReadWeights(root);
        int[] counts = JsonFields.IntVector(root, "categoryCounts");
        JsonFields.Positive(counts.Length, "categoryCounts");
        for (int j = 0; j < counts.Length; j++)
        {
            if (counts[j] < 1)
            {
                throw new ModelFormatException($"The field 'categoryCounts[{j}]' is {counts[j]}; every variable needs at least one category.");
            }
        }

        double[][][] p = JsonFields.JaggedList(root, "probabilities", weights.Length);
        var components = new IndependentCategorical[weights.Length];
        for (int c = 0; c < components.Length; c++)
        {
            components[c] = DiscreteFields.ReadCategorical(p[c], counts, $"probabilities[{c}]");
        }

        IMixtureFamily<IndependentCategorical> family = version == 1
            ? new IndependentCategoricalFamily(counts)
            : MixtureFamilyField.Read(root, MixtureFamilyField.IndependentCategorical, () => new IndependentCategoricalFamily(counts));
        return new MixtureModel<IndependentCategorical>(family, weights, components);
    }
}
