using System.Globalization;
using System.Text.Json;
using LatentModels.Statistics;

namespace LatentModels.Persistence.Statistics;

/// <summary>
/// <c>LatentModels.WeightedMoments</c>: <c>{"fullScatter": bool, "weight": W, "mean": [d], "scatter": [[d] × d] (full)
/// or [d] (its diagonal)}</c>. Every value comes back bit for bit; shapes are checked against d before the scatter is
/// allocated.
/// </summary>
internal sealed class WeightedMomentsCodec : ModelCodec<WeightedMoments>
{
    public override string FormatName => "LatentModels.WeightedMoments";

    protected override void Write(Utf8JsonWriter writer, WeightedMoments model)
    {
        int d = model.Dimension;
        writer.WriteBoolean("fullScatter", model.FullScatter);
        writer.WriteNumber("weight", model.Weight);
        JsonFields.WriteVector(writer, "mean", model.MeanSpan);
        if (model.FullScatter)
        {
            var scatter = new double[d, d];
            model.ScatterSpan.CopyTo(scatter.AsWritableSpan());
            JsonFields.WriteMatrix(writer, "scatter", scatter);
        }
        else
        {
            JsonFields.WriteVector(writer, "scatter", model.ScatterSpan);
        }
    }

    protected override WeightedMoments ReadModel(JsonElement root)
    {
        bool full = JsonFields.Bool(root, "fullScatter");
        double weight = JsonFields.Double(root, "weight");
        if (weight < 0)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'weight' is {weight}; a weight is non-negative."));
        }

        double[] mean = JsonFields.Vector(root, "mean");
        int d = JsonFields.Dimension(JsonFields.Positive(mean.Length, "mean"), "mean");
        double[] scatter = full ? JsonFields.Matrix(root, "scatter", d, d).AsSpan().ToArray() : JsonFields.Vector(root, "scatter", d);
        for (int a = 0; a < d; a++)
        {
            double diagonal = scatter[full ? a * d + a : a];
            if (diagonal < 0)
            {
                string name = full ? $"scatter[{a}][{a}]" : $"scatter[{a}]";
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is {diagonal}; a scatter's diagonal is non-negative."));
            }
        }

        return new WeightedMoments(d, full, weight, mean, scatter);
    }
}
