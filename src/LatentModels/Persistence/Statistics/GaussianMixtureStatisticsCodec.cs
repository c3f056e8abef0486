using System.Globalization;
using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Persistence.Mixtures;
using LatentModels.Statistics;

namespace LatentModels.Persistence.Statistics;

/// <summary>
/// <c>LatentModels.GaussianMixtureStatistics</c>: <c>{"covarianceType", "reference": [d], "componentWeights": [K],
/// "means": [[d] × K] relative to the reference, "scatters": K d × d matrices (full, tied) or K × d diagonals (diagonal,
/// spherical), "totalWeight", "logLikelihood" (null for −∞), "dataWeight", "dataMean": [d] relative to the reference,
/// "dataScatter": d × d, and — for the parts of a distributed engine E-step — "worstRow" (the global index of the
/// worst-explained row) and "worstValue" (its log-density, null for −∞)}</c>. Every value comes back bit for bit, so statistics can travel between partitions and a
/// driver. Shapes are checked against K and d before any matrix is allocated.
/// </summary>
internal sealed class GaussianMixtureStatisticsCodec : ModelCodec<GaussianMixtureStatistics>
{
    public override string FormatName => "LatentModels.GaussianMixtureStatistics";

    protected override void Write(Utf8JsonWriter writer, GaussianMixtureStatistics model)
    {
        MixtureStatistics t = model.Totals, data = model.Data;
        int k = t.K, d = t.D;
        writer.WriteString("covarianceType", model.CovarianceType.ToString());
        JsonFields.WriteVector(writer, "reference", model.ReferenceSpan);
        JsonFields.WriteVector(writer, "componentWeights", t.Weight);
        JsonFields.WriteMatrix(writer, "means", ToMatrix(t.Mean, k, d));
        if (t.FullScatter)
        {
            var matrices = new double[k][,];
            for (int c = 0; c < k; c++)
            {
                matrices[c] = ToMatrix(t.Scatter.AsSpan(c * d * d, d * d), d, d);
            }

            JsonFields.WriteMatrices(writer, "scatters", matrices);
        }
        else
        {
            JsonFields.WriteMatrix(writer, "scatters", ToMatrix(t.Scatter, k, d));
        }

        writer.WriteNumber("totalWeight", t.SampleWeight);
        JsonFields.WriteDoubleOrNull(writer, "logLikelihood", double.IsNegativeInfinity(t.LogLikelihood) ? double.NaN : t.LogLikelihood);
        writer.WriteNumber("dataWeight", data.Weight[0]);
        JsonFields.WriteVector(writer, "dataMean", data.Mean);
        JsonFields.WriteMatrix(writer, "dataScatter", ToMatrix(data.Scatter, d, d));
        if (t.WorstRow >= 0)
        {
            writer.WriteNumber("worstRow", t.WorstRow);
            JsonFields.WriteDoubleOrNull(writer, "worstValue", double.IsNegativeInfinity(t.WorstValue) ? double.NaN : t.WorstValue);
        }
    }

    protected override GaussianMixtureStatistics ReadModel(JsonElement root)
    {
        CovarianceType type = JsonFields.Enum<CovarianceType>(root, "covarianceType");
        double[] reference = JsonFields.Vector(root, "reference");
        int d = JsonFields.Dimension(JsonFields.Positive(reference.Length, "reference"), "reference");
        double[] weights = JsonFields.Vector(root, "componentWeights");
        int k = JsonFields.Positive(weights.Length, "componentWeights");
        bool full = CovarianceForm.For(type).FullScatter;
        JsonFields.Reserve(JsonFields.Product(d, d) + MixtureStatisticsFields.StatisticsValues(k, d, full), "scatters");
        var totals = new MixtureStatistics(k, d, full);
        for (int c = 0; c < k; c++)
        {
            NonNegative(weights[c], $"componentWeights[{c}]");
        }

        weights.CopyTo(totals.Weight, 0);
        JsonFields.Matrix(root, "means", k, d).AsSpan().CopyTo(totals.Mean);
        if (full)
        {
            double[][,] matrices = JsonFields.Matrices(root, "scatters", k, d);
            for (int c = 0; c < k; c++)
            {
                CheckScatter(matrices[c], $"scatters[{c}]");
                matrices[c].AsSpan().CopyTo(totals.Scatter.AsSpan(c * d * d, d * d));
            }
        }
        else
        {
            double[,] diagonals = JsonFields.Matrix(root, "scatters", k, d);
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    NonNegative(diagonals[c, j], $"scatters[{c}][{j}]");
                }
            }

            diagonals.AsSpan().CopyTo(totals.Scatter);
        }

        totals.SampleWeight = JsonFields.Double(root, "totalWeight");
        NonNegative(totals.SampleWeight, "totalWeight");
        double logLikelihood = JsonFields.DoubleOrNaN(root, "logLikelihood");
        totals.LogLikelihood = double.IsNaN(logLikelihood) ? double.NegativeInfinity : logLikelihood;

        var data = new MixtureStatistics(1, d, fullScatter: true);
        data.Weight[0] = JsonFields.Double(root, "dataWeight");
        NonNegative(data.Weight[0], "dataWeight");
        JsonFields.Vector(root, "dataMean", d).CopyTo(data.Mean, 0);
        double[,] dataScatter = JsonFields.Matrix(root, "dataScatter", d, d);
        CheckScatter(dataScatter, "dataScatter");
        dataScatter.AsSpan().CopyTo(data.Scatter);
        if (root.TryGetProperty("worstRow", out _))
        {
            totals.WorstRow = JsonFields.Int(root, "worstRow");
            if (totals.WorstRow < 0)
            {
                throw new ModelFormatException($"The field 'worstRow' is {totals.WorstRow}; a row index is non-negative.");
            }

            double worst = JsonFields.DoubleOrNaN(root, "worstValue");
            totals.WorstValue = double.IsNaN(worst) ? double.NegativeInfinity : worst;
        }

        return new GaussianMixtureStatistics(type, reference, totals, data);
    }

    private static void CheckScatter(double[,] m, string name)
    {
        JsonFields.CheckScatter(m.AsSpan(), m.GetLength(0), name);
        int d = m.GetLength(0);
        for (int a = 0; a < d; a++)
        {
            NonNegative(m[a, a], $"{name}[{a}][{a}]");
            for (int b = 0; b < a; b++)
            {
                double x = m[a, b], y = m[b, a];
                if (Math.Abs(x - y) > 1e-10 * (Math.Abs(x) + Math.Abs(y)) + double.Epsilon)
                {
                    throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is not symmetric: [{a}][{b}] is {x:R} but [{b}][{a}] is {y:R}."));
                }
            }
        }
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0))
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {value}; a weight or scatter diagonal is non-negative."));
        }
    }

    private static double[,] ToMatrix(ReadOnlySpan<double> values, int rows, int columns)
    {
        var m = new double[rows, columns];
        values[..(rows * columns)].CopyTo(m.AsWritableSpan());
        return m;
    }
}
