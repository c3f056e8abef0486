using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Variational;

namespace LatentModels.Persistence.Variational;

/// <summary>
/// The fields shared by the variational discrete mixture formats: <c>"weightConcentrationPrior"</c> (α₀),
/// <c>"priorCount"</c> (γ₀), <c>"elbo"</c>, <c>"weightConcentrations"</c> ([K] αₖ) and the K rows of outcome
/// concentrations, each checked positive and finite, and the shapes checked against each other before anything of that
/// size is allocated.
/// </summary>
internal static class VariationalDiscreteFields
{
    public static void WriteCommon(Utf8JsonWriter writer, DiscreteVariationalPosterior posterior, double elbo)
    {
        writer.WriteNumber("weightConcentrationPrior", posterior.WeightPrior);
        writer.WriteNumber("priorCount", posterior.OutcomePrior);
        writer.WriteNumber("elbo", elbo);
        JsonFields.WriteVector(writer, "weightConcentrations", posterior.Alpha);
    }

    public static (double WeightPrior, double OutcomePrior, double Elbo, double[] Alpha) ReadCommon(JsonElement root)
    {
        double weightPrior = PositiveFinite(JsonFields.Double(root, "weightConcentrationPrior"), "weightConcentrationPrior");
        double outcomePrior = PositiveFinite(JsonFields.Double(root, "priorCount"), "priorCount");
        double elbo = JsonFields.Double(root, "elbo");
        if (!double.IsFinite(elbo))
        {
            throw new ModelFormatException("The field 'elbo' must be finite.");
        }

        double[] alpha = JsonFields.Vector(root, "weightConcentrations");
        JsonFields.Positive(alpha.Length, "weightConcentrations");
        for (int c = 0; c < alpha.Length; c++)
        {
            PositiveFinite(alpha[c], $"weightConcentrations[{c}]");
        }

        return (weightPrior, outcomePrior, elbo, alpha);
    }

    /// <summary>Reads a K × ΣⱼCⱼ matrix of concentrations into the flat layout, every value positive and finite.</summary>
    public static double[] ReadConcentrations(JsonElement root, string name, int components, int width)
    {
        double[,] matrix = JsonFields.Matrix(root, name, components, width);
        var flat = new double[components * width];
        for (int c = 0; c < components; c++)
        {
            for (int q = 0; q < width; q++)
            {
                flat[c * width + q] = PositiveFinite(matrix[c, q], $"{name}[{c}][{q}]");
            }
        }

        return flat;
    }

    /// <summary>Reads and checks "categoryCounts": d ≥ 1 values ≥ 1 whose sum fits an array.</summary>
    public static int[] ReadCategoryCounts(JsonElement root)
    {
        int[] counts = JsonFields.IntVector(root, "categoryCounts");
        JsonFields.Positive(counts.Length, "categoryCounts");
        long width = 0;
        for (int j = 0; j < counts.Length; j++)
        {
            if (counts[j] < 1)
            {
                throw new ModelFormatException($"The field 'categoryCounts[{j}]' is {counts[j]}; every variable needs at least one outcome.");
            }

            width += counts[j];
        }

        if (width > Array.MaxLength)
        {
            throw new ModelFormatException("The field 'categoryCounts' sums to more outcomes than an array can hold.");
        }

        return counts;
    }

    /// <summary>The row width ΣⱼCⱼ of the concentrations.</summary>
    public static int Width(int[] categoryCounts) => IndependentCategorical.OffsetsOf(categoryCounts)[^1];

    private static double PositiveFinite(double value, string name) =>
        value > 0 && double.IsFinite(value)
            ? value
            : throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {value}; a concentration must be positive and finite."));
}
