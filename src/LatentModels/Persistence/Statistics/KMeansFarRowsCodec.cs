using System.Text.Json;
using LatentModels.Statistics;

namespace LatentModels.Persistence.Statistics;

/// <summary>
/// <c>LatentModels.KMeansFarRows</c>: <c>{"capacity", "dimension", "offered", "totalWeight", "indices": [m],
/// "distances": [m], "labels": [m], "weights": [m], "rows": [[d] × m]}</c>, the candidates in order (farthest first). Every
/// value comes back bit for bit, so candidates can travel from partitions to a driver; counts are checked against the
/// capacity before anything is allocated.
/// </summary>
internal sealed class KMeansFarRowsCodec : ModelCodec<KMeansFarRows>
{
    public override string FormatName => "LatentModels.KMeansFarRows";

    protected override void Write(Utf8JsonWriter writer, KMeansFarRows model)
    {
        int m = model.Count, d = model.Dimension;
        var indices = new long[m];
        var distances = new double[m];
        var labels = new int[m];
        var weights = new double[m];
        var rows = new double[m, d];
        for (int q = 0; q < m; q++)
        {
            (indices[q], distances[q], labels[q], weights[q], ReadOnlyMemory<double> row) = model[q];
            row.Span.CopyTo(rows.AsWritableSpan().Slice(q * d, d));
        }

        writer.WriteNumber("capacity", model.Capacity);
        writer.WriteNumber("dimension", d);
        writer.WriteNumber("offered", model.Offered);
        writer.WriteNumber("totalWeight", model.TotalWeight);
        JsonFields.WriteLongVector(writer, "indices", indices);
        JsonFields.WriteVector(writer, "distances", distances);
        JsonFields.WriteIntVector(writer, "labels", labels);
        JsonFields.WriteVector(writer, "weights", weights);
        writer.WriteStartArray("rows");
        for (int q = 0; q < m; q++)
        {
            writer.WriteStartArray();
            foreach (double v in rows.AsSpan().Slice(q * d, d))
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    protected override KMeansFarRows ReadModel(JsonElement root)
    {
        int capacity = JsonFields.Positive(JsonFields.Int(root, "capacity"), "capacity");
        int d = JsonFields.Positive(JsonFields.Int(root, "dimension"), "dimension");
        long offered = JsonFields.Long(root, "offered");
        double totalWeight = JsonFields.Double(root, "totalWeight");
        long[] indices = JsonFields.LongVector(root, "indices");
        int m = indices.Length;
        if (m > capacity || offered < m)
        {
            throw new ModelFormatException($"There are {m} candidates of {offered} offered; the capacity is {capacity}.");
        }

        double[] distances = JsonFields.Vector(root, "distances", m);
        int[] labels = JsonFields.IntVector(root, "labels", m);
        double[] weights = JsonFields.Vector(root, "weights", m);
        double[,] rows = m == 0 ? new double[0, d] : JsonFields.Matrix(root, "rows", m, d);
        try
        {
            return KMeansFarRows.FromParts(capacity, d, offered, totalWeight, indices, distances, labels, weights, rows);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(e.Message);
        }
    }
}
