using System.Text.Json;
using LatentModels.Statistics;

namespace LatentModels.Persistence.Statistics;

/// <summary>
/// <c>LatentModels.DictionaryStatistics</c>: <c>{"a": [[K] × K], "b": [[K] × d], "totalWeight": number,
/// "sumSquaredNorms": number, "sumAbsoluteCodes": number}</c>. Every value comes back bit for bit, so statistics can
/// travel between partitions and a driver; B's shape is checked against A's K before it is allocated.
/// </summary>
internal sealed class DictionaryStatisticsCodec : ModelCodec<DictionaryStatistics>
{
    public override string FormatName => "LatentModels.DictionaryStatistics";

    protected override void Write(Utf8JsonWriter writer, DictionaryStatistics model)
    {
        JsonFields.WriteMatrix(writer, "a", model.A);
        JsonFields.WriteMatrix(writer, "b", model.B);
        writer.WriteNumber("totalWeight", model.TotalWeight);
        writer.WriteNumber("sumSquaredNorms", model.SumSquaredNorms);
        writer.WriteNumber("sumAbsoluteCodes", model.SumAbsoluteCodes);
    }

    protected override DictionaryStatistics ReadModel(JsonElement root)
    {
        double[,] a = JsonFields.Matrix(root, "a");
        int k = JsonFields.Positive(a.GetLength(0), "a");
        double[,] b = JsonFields.Matrix(root, "b", expectedColumns: k);
        JsonFields.Positive(b.GetLength(0), "b");
        return new DictionaryStatistics(a, b, JsonFields.Double(root, "totalWeight"), JsonFields.Double(root, "sumSquaredNorms"),
            JsonFields.Double(root, "sumAbsoluteCodes"));
    }
}
