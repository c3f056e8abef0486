using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence;

/// <summary><c>LatentModels.IndependentCategorical</c>: <c>{"probabilities": [[C₀], [C₁], …]}</c> (one array per variable).</summary>
internal sealed class IndependentCategoricalCodec : ModelCodec<IndependentCategorical>
{
    public override string FormatName => "LatentModels.IndependentCategorical";

    protected override void Write(Utf8JsonWriter writer, IndependentCategorical model) =>
        DiscreteFields.WriteJagged(writer, "probabilities", model.ToArrays());

    protected override IndependentCategorical ReadModel(JsonElement root) =>
        DiscreteFields.ReadCategorical(JsonFields.Jagged(root, "probabilities"), null, "probabilities");
}

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
