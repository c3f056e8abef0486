using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.DiscreteMixtureStatistics</c>: <c>{"categoryCounts": [d], "componentWeights": [K], "counts": [[ΣⱼCⱼ] × K],
/// "totalWeight": number, "logLikelihood": number or null}</c>; a null log-likelihood stands for −∞ (a row impossible under
/// the model). Every value comes back bit for bit, so statistics can travel between partitions and a driver.
/// </summary>
internal sealed class DiscreteMixtureStatisticsCodec : ModelCodec<DiscreteMixtureStatistics>
{
    public override string FormatName => "LatentModels.DiscreteMixtureStatistics";

    protected override void Write(Utf8JsonWriter writer, DiscreteMixtureStatistics model)
    {
        (int[] categoryCounts, double[] componentWeights, double[] counts) = model.Arrays;
        JsonFields.WriteIntVector(writer, "categoryCounts", categoryCounts);
        JsonFields.WriteVector(writer, "componentWeights", componentWeights);
        int width = counts.Length / componentWeights.Length;
        writer.WriteStartArray("counts");
        for (int c = 0; c < componentWeights.Length; c++)
        {
            writer.WriteStartArray();
            foreach (double v in counts.AsSpan(c * width, width))
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteNumber("totalWeight", model.TotalWeight);
        JsonFields.WriteDoubleOrNull(writer, "logLikelihood", double.IsNegativeInfinity(model.LogLikelihood) ? double.NaN : model.LogLikelihood);
    }

    protected override DiscreteMixtureStatistics ReadModel(JsonElement root)
    {
        int[] categoryCounts = JsonFields.IntVector(root, "categoryCounts");
        JsonFields.Positive(categoryCounts.Length, "categoryCounts");
        for (int j = 0; j < categoryCounts.Length; j++)
        {
            if (categoryCounts[j] < 1)
            {
                throw new ModelFormatException($"The field 'categoryCounts[{j}]' is {categoryCounts[j]}; every variable needs at least one outcome.");
            }
        }

        double[] componentWeights = JsonFields.Vector(root, "componentWeights");
        JsonFields.Positive(componentWeights.Length, "componentWeights");
        for (int c = 0; c < componentWeights.Length; c++)
        {
            NonNegative(componentWeights[c], $"componentWeights[{c}]");
        }

        int width = IndependentCategorical.OffsetsOf(categoryCounts)[^1];
        double[,] matrix = JsonFields.Matrix(root, "counts", componentWeights.Length, width);
        var counts = new double[componentWeights.Length * width];
        for (int c = 0; c < componentWeights.Length; c++)
        {
            for (int q = 0; q < width; q++)
            {
                NonNegative(matrix[c, q], $"counts[{c}][{q}]");
                counts[c * width + q] = matrix[c, q];
            }
        }

        // Each variable's counts of a component add up to the component's weight (every row has one outcome per variable).
        int[] offsets = IndependentCategorical.OffsetsOf(categoryCounts);
        for (int c = 0; c < componentWeights.Length; c++)
        {
            for (int j = 0; j < categoryCounts.Length; j++)
            {
                double sum = 0;
                for (int q = offsets[j]; q < offsets[j + 1]; q++)
                {
                    sum += counts[c * width + q];
                }

                if (!(Math.Abs(sum - componentWeights[c]) <= 1e-9 * Math.Max(sum, componentWeights[c]) + 1e-300))
                {
                    throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"The field 'counts[{c}]' adds up to {sum:R} over variable {j}, but 'componentWeights[{c}]' is {componentWeights[c]:R}."));
                }
            }
        }

        double totalWeight = JsonFields.Double(root, "totalWeight");
        NonNegative(totalWeight, "totalWeight");
        double logLikelihood = JsonFields.DoubleOrNaN(root, "logLikelihood");
        return new DiscreteMixtureStatistics(categoryCounts, componentWeights, counts, totalWeight, double.IsNaN(logLikelihood) ? double.NegativeInfinity : logLikelihood);
    }

    private static void NonNegative(double value, string name)
    {
        if (value < 0)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {value}; a weighted count is non-negative."));
        }
    }
}
