using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>
/// The fields every online estimator's state shares (<see cref="Clustering.OnlineKMeansCodec"/>,
/// <see cref="Mixtures.StreamingGaussianMixtureCodec"/>): the options' <c>"initializationSize"</c> (or null), the points consumed
/// <c>"count"</c>, the <c>"dimension"</c> fixed by the first point (null before it) and the points <c>"buffered"</c> for
/// the initialisation (row after row), with the checks that tie them together.
/// </summary>
internal static class StreamStateFields
{
    /// <summary>Writes <c>"initializationSize"</c>: the number, or null for the default.</summary>
    public static void WriteInitializationSize(Utf8JsonWriter writer, int? initializationSize)
    {
        if (initializationSize is int size)
        {
            writer.WriteNumber("initializationSize", size);
        }
        else
        {
            writer.WriteNull("initializationSize");
        }
    }

    /// <summary>Reads what <see cref="WriteInitializationSize"/> wrote.</summary>
    public static int? ReadInitializationSize(JsonElement options) =>
        JsonFields.IsNull(options, "initializationSize") ? null : JsonFields.Int(options, "initializationSize");

    /// <summary>Writes <c>"count"</c>, <c>"dimension"</c> (null when negative, i.e. before the first point) and <c>"buffered"</c>.</summary>
    public static void Write(Utf8JsonWriter writer, long count, int dimension, double[] buffered)
    {
        writer.WriteNumber("count", count);
        if (dimension < 0)
        {
            writer.WriteNull("dimension");
        }
        else
        {
            writer.WriteNumber("dimension", dimension);
        }

        JsonFields.WriteVector(writer, "buffered", buffered);
    }

    /// <summary>Reads what <see cref="Write"/> wrote: a non-negative count, a positive dimension or −1 for null, the buffer.</summary>
    public static (long Count, int Dimension, double[] Buffered) Read(JsonElement root)
    {
        long count = NonNegative(JsonFields.Long(root, "count"), "count");
        int d = JsonFields.IsNull(root, "dimension") ? -1 : JsonFields.Dimension(JsonFields.Positive(JsonFields.Int(root, "dimension"), "dimension"), "dimension");
        double[] buffered = JsonFields.Vector(root, "buffered");
        return (count, d, buffered);
    }

    /// <summary>Checks that the dimension (−1 for null) is known once <paramref name="stateField"/> is set.</summary>
    public static void CheckDimensionKnown(int dimension, string stateField)
    {
        if (dimension < 0)
        {
            throw new ModelFormatException($"The field '{stateField}' is set but 'dimension' is null.");
        }
    }

    /// <summary>Checks that nothing is buffered once the state is initialised; <paramref name="what"/> names what then exists, e.g. <c>centers</c>.</summary>
    public static void CheckBufferEmpty(double[] buffered, string what)
    {
        if (buffered.Length != 0)
        {
            throw new ModelFormatException($"The field 'buffered' must be empty once the {what} exist.");
        }
    }

    /// <summary>Checks a state before initialisation (<paramref name="stateField"/> is null): the buffer holds every point
    /// that arrived, and fewer than the initialisation needs.</summary>
    public static void CheckBuffering(long count, int dimension, double[] buffered, int needed, string stateField)
    {
        if (buffered.LongLength != count * Math.Max(dimension, 0))
        {
            throw new ModelFormatException($"The field 'buffered' holds {buffered.Length} values but {count} points of dimension {Math.Max(dimension, 0)} have arrived.");
        }

        if (count >= needed)
        {
            throw new ModelFormatException($"The field '{stateField}' is null but {count} points have arrived; the initialisation needs only {needed}.");
        }
    }

    /// <summary>Returns <paramref name="value"/> if it is a count in [0, 2⁵³] (<see cref="JsonFields.Count"/>); otherwise the message names the field.</summary>
    public static long NonNegative(long value, string name) => JsonFields.Count(value, name);
}
