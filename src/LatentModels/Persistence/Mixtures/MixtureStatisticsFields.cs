using System.Text.Json;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// The JSON shape of a Gaussian mixture's centred statistics inside a stream state (<see cref="StreamingGaussianMixtureCodec"/>,
/// <c>Variational/StreamingVariationalGaussianMixtureCodec</c>): per component <c>"weights"</c> [K], <c>"means"</c> [[d] × K]
/// relative to the state's reference point, and <c>"scatters"</c> about the means (K d × d matrices for full and tied
/// covariances, K × d diagonals otherwise).
/// </summary>
internal static class MixtureStatisticsFields
{
    /// <summary>Writes the fields of <paramref name="s"/> into the current object.</summary>
    public static void Write(Utf8JsonWriter writer, MixtureStatistics s)
    {
        int k = s.K, d = s.D;
        JsonFields.WriteVector(writer, "weights", s.Weight);
        JsonFields.WriteMatrix(writer, "means", ToMatrix(s.Mean, k, d));
        if (s.FullScatter)
        {
            var matrices = new double[k][,];
            for (int c = 0; c < k; c++)
            {
                matrices[c] = ToMatrix(s.Scatter.AsSpan(c * d * d, d * d), d, d);
            }

            JsonFields.WriteMatrices(writer, "scatters", matrices);
        }
        else
        {
            JsonFields.WriteMatrix(writer, "scatters", ToMatrix(s.Scatter, k, d));
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote, checking the shapes, non-negative weights (not all zero) and non-negative scatter diagonals.</summary>
    public static MixtureStatistics Read(JsonElement s, int k, int d, bool full)
    {
        // K and d come from the state's options and dimension: the K·d² scatter values must be in the file before they are allocated.
        JsonFields.Reserve(StatisticsValues(k, d, full), "scatters");
        var statistics = new MixtureStatistics(k, d, full);
        double[] weights = JsonFields.Vector(s, "weights", k);
        for (int c = 0; c < k; c++)
        {
            if (!(weights[c] >= 0))
            {
                throw new ModelFormatException($"The field 'weights[{c}]' is {weights[c]}; statistics weights must be non-negative.");
            }
        }

        if (!(weights.Sum() > 0))
        {
            throw new ModelFormatException("The field 'weights' sums to zero.");
        }

        weights.CopyTo(statistics.Weight, 0);
        JsonFields.Matrix(s, "means", k, d).AsSpan().CopyTo(statistics.Mean);
        if (full)
        {
            double[][,] matrices = JsonFields.Matrices(s, "scatters", k, d);
            for (int c = 0; c < k; c++)
            {
                matrices[c].AsSpan().CopyTo(statistics.Scatter.AsSpan(c * d * d, d * d));
            }
        }
        else
        {
            JsonFields.Matrix(s, "scatters", k, d).AsSpan().CopyTo(statistics.Scatter);
        }

        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                double v = statistics.Scatter[full ? c * d * d + j * d + j : c * d + j];
                if (!(v >= 0))
                {
                    throw new ModelFormatException($"The field 'scatters[{c}]' has the negative diagonal entry {v} at {j}.");
                }
            }
        }

        if (full)
        {
            for (int c = 0; c < k; c++)
            {
                JsonFields.CheckScatter(statistics.Scatter.AsSpan(c * d * d, d * d), d, $"scatters[{c}]");
            }
        }

        // The next update merges rows into these statistics: (mean − x)² and the scatters' sums must stay finite.
        JsonFields.SquaresFinite(statistics.Mean, JsonFields.Product(4, d), "means");
        JsonFields.SquaresFinite(statistics.Weight, 4, "weights");
        return statistics;
    }

    /// <summary>The values K components' statistics of dimension d hold (weights, means, scatters), without overflow.</summary>
    public static long StatisticsValues(int k, int d, bool full) =>
        JsonFields.Product(k, JsonFields.Product(1, d) + 1 + (full ? JsonFields.Product(d, d) : d));

    /// <summary>The first rows × columns values as a matrix.</summary>
    public static double[,] ToMatrix(ReadOnlySpan<double> values, int rows, int columns)
    {
        var m = new double[rows, columns];
        values[..(rows * columns)].CopyTo(m.AsWritableSpan());
        return m;
    }
}
