using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence;

/// <summary>Field checks shared by the discrete codecs; every error names the offending field.</summary>
internal static class DiscreteFields
{
    /// <summary>Reads non-negative mixing weights summing to one (within <see cref="MixtureModel{TComponent}.WeightSumTolerance"/>).</summary>
    public static double[] ReadWeights(JsonElement root)
    {
        double[] weights = JsonFields.Vector(root, "weights");
        JsonFields.Positive(weights.Length, "weights");
        double sum = 0;
        for (int c = 0; c < weights.Length; c++)
        {
            if (!(weights[c] >= 0))
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'weights[{c}]' is {weights[c]}; mixing weights must be non-negative."));
            }

            sum += weights[c];
        }

        if (Math.Abs(sum - 1) > MixtureModel<IndependentBernoulli>.WeightSumTolerance)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'weights' sums to {sum:R}; mixing weights must sum to 1."));
        }

        return weights;
    }

    public static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {p}; a probability must be in [0, 1]."));
        }
    }

    /// <summary>Checks per-variable probability arrays (lengths against <paramref name="counts"/> when given) and builds the distribution.</summary>
    public static IndependentCategorical ReadCategorical(double[][] p, int[]? counts, string name)
    {
        JsonFields.Positive(p.Length, name);
        if (counts is not null && p.Length != counts.Length)
        {
            throw new ModelFormatException($"The field '{name}' has {p.Length} variables; 'categoryCounts' has {counts.Length}.");
        }

        for (int j = 0; j < p.Length; j++)
        {
            JsonFields.Positive(p[j].Length, $"{name}[{j}]");
            if (counts is not null && p[j].Length != counts[j])
            {
                throw new ModelFormatException($"The field '{name}[{j}]' has {p[j].Length} values; 'categoryCounts[{j}]' is {counts[j]}.");
            }

            double sum = 0;
            for (int c = 0; c < p[j].Length; c++)
            {
                CheckProbability(p[j][c], $"{name}[{j}][{c}]");
                sum += p[j][c];
            }

            if (Math.Abs(sum - 1) > IndependentCategorical.SumTolerance)
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}[{j}]' sums to {sum:R}; probabilities must sum to 1."));
            }
        }

        return new IndependentCategorical(p);
    }

    public static void WriteJagged(Utf8JsonWriter writer, string name, double[][] rows)
    {
        writer.WritePropertyName(name);
        WriteJaggedValue(writer, rows);
    }

    public static void WriteJaggedValue(Utf8JsonWriter writer, double[][] rows)
    {
        writer.WriteStartArray();
        foreach (double[] row in rows)
        {
            writer.WriteStartArray();
            foreach (double v in row)
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }
}
