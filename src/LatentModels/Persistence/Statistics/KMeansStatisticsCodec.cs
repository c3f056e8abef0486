using System.Globalization;
using System.Text.Json;
using LatentModels.Statistics;

namespace LatentModels.Persistence.Statistics;

/// <summary>
/// <c>LatentModels.KMeansStatistics</c>: <c>{"centers": [[d] × K] (of the assignment step), "clusterWeights": [K],
/// "means": [[d] × K], "scatters": [K], "totalWeight": number}</c>. Every value comes back bit for bit, so statistics can
/// travel between partitions and a driver; shapes are checked against K and d before the means are allocated.
/// </summary>
internal sealed class KMeansStatisticsCodec : ModelCodec<KMeansStatistics>
{
    public override string FormatName => "LatentModels.KMeansStatistics";

    protected override void Write(Utf8JsonWriter writer, KMeansStatistics model)
    {
        JsonFields.WriteMatrix(writer, "centers", model.Centers);
        JsonFields.WriteVector(writer, "clusterWeights", model.WeightsSpan);
        JsonFields.WriteMatrix(writer, "means", model.Means);
        JsonFields.WriteVector(writer, "scatters", model.ScattersSpan);
        writer.WriteNumber("totalWeight", model.TotalWeight);
    }

    protected override KMeansStatistics ReadModel(JsonElement root)
    {
        double[,] centers = JsonFields.Matrix(root, "centers");
        int k = JsonFields.Positive(centers.GetLength(0), "centers");
        int d = JsonFields.Positive(centers.GetLength(1), "centers[0]");
        double[] weights = JsonFields.Vector(root, "clusterWeights", k);
        double[] scatters = JsonFields.Vector(root, "scatters", k);
        for (int j = 0; j < k; j++)
        {
            NonNegative(weights[j], $"clusterWeights[{j}]");
            NonNegative(scatters[j], $"scatters[{j}]");
        }

        double[,] means = JsonFields.Matrix(root, "means", k, d);
        double totalWeight = JsonFields.Double(root, "totalWeight");
        NonNegative(totalWeight, "totalWeight");
        return new KMeansStatistics(centers, weights, means, scatters, totalWeight);
    }

    private static void NonNegative(double value, string name)
    {
        if (value < 0)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {value}; it must be non-negative."));
        }
    }
}
