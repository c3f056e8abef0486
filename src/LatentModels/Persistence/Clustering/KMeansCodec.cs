using System.Text.Json;
using LatentModels.Clustering;

namespace LatentModels.Persistence.Clustering;

/// <summary>
/// <c>LatentModels.KMeans</c>: <c>{"centers": [[d] × K], "inertia": number or null}</c>; the inertia is the training
/// inertia of a fitted model, null for a model built from given centers.
/// </summary>
internal sealed class KMeansCodec : ModelCodec<KMeansModel>
{
    public override string FormatName => "LatentModels.KMeans";

    protected override void Write(Utf8JsonWriter writer, KMeansModel model)
    {
        JsonFields.WriteMatrix(writer, "centers", model.Centers);
        JsonFields.WriteDoubleOrNull(writer, "inertia", model.Inertia);
    }

    protected override KMeansModel ReadModel(JsonElement root)
    {
        double[,] centers = JsonFields.Matrix(root, "centers");
        JsonFields.Positive(centers.GetLength(0), "centers");
        JsonFields.Positive(centers.GetLength(1), "centers[0]");
        double inertia = JsonFields.DoubleOrNaN(root, "inertia");
        if (inertia < 0)
        {
            throw new ModelFormatException($"The field 'inertia' is {inertia}; an inertia is non-negative (or null).");
        }

        return new KMeansModel(centers, inertia);
    }
}
