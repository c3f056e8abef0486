using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.CategoricalMixture</c>: <c>{"weights": [K], "categoryCounts": [d], "probabilities": [K × [[C₀], [C₁], …]]}</c>:
/// the mixing weights, the number of categories of each variable, and each component's per-variable probabilities.
/// </summary>
internal sealed class CategoricalMixtureCodec : ModelCodec<MixtureModel<IndependentCategorical>>
{
    public override string FormatName => "LatentModels.CategoricalMixture";

    protected override void Write(Utf8JsonWriter writer, MixtureModel<IndependentCategorical> model)
    {
        JsonFields.WriteVector(writer, "weights", model.Weights);
        JsonFields.WriteIntVector(writer, "categoryCounts", model.Distributions[0].CategoryCounts.ToArray());
        writer.WriteStartArray("probabilities");
        foreach (IndependentCategorical component in model.Distributions)
        {
            DiscreteFields.WriteJaggedValue(writer, component.ToArrays());
        }

        writer.WriteEndArray();
    }

    protected override MixtureModel<IndependentCategorical> ReadModel(JsonElement root)
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

        return new MixtureModel<IndependentCategorical>(new IndependentCategoricalFamily(counts), weights, components);
    }
}
