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
        if (full)
        {
            JsonFields.CheckScatter(scatter, d, "scatter");
        }
        else
        {
            for (int a = 0; a < d; a++)
            {
                if (!(scatter[a] >= 0))
                {
                    throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'scatter[{a}]' is {scatter[a]}; a scatter's diagonal is non-negative."));
                }
            }
        }

        // Empty moments (weight 0) are all zero; anything else is a tampered state whose covariance cannot be formed.
        if (weight == 0 && (mean.Any(v => v != 0) || scatter.Any(v => v != 0)))
        {
            throw new ModelFormatException("The field 'weight' is 0 but 'mean' or 'scatter' is not zero; empty moments are all zero.");
        }

        return new WeightedMoments(d, full, weight, mean, scatter);
    }
}
