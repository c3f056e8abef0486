using System.Globalization;
using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Randomness;

namespace LatentModels.Persistence.Clustering;

/// <summary>
/// <c>LatentModels.OnlineKMeans</c>: the complete state of an <see cref="OnlineKMeans"/> estimator, so that a loaded
/// estimator continues exactly as the saved one would have (same centers, counts, re-seeding draws):
/// <code>
/// {"options": {"clusters", "init", "initialCenters" (or null), "initializationSize" (or null), "reassignmentRatio",
///              "seed", "maxDegreeOfParallelism"},
///  "count", "dimension" (null before the first point), "buffered" (points held for the initialisation),
///  "centers" and "clusterCounts" (null before initialisation), "sinceReassignment",
///  "clusterWeights" (the centers' total sample weights; null before initialisation) and "bufferedWeights" (one per
///  buffered point) — both since version 2; a version-1 file (written before weighted updates) reads with unit weights,
///  "random": {"algorithm": "xoshiro256**", "state": [four 64-bit words as 16-digit hexadecimal strings]}}
/// </code>
/// An estimator with a custom <see cref="OnlineKMeansOptions.LearningRate"/> function cannot be saved.
/// </summary>
internal sealed class OnlineKMeansCodec : ModelCodec<OnlineKMeans>
{
    public override string FormatName => "LatentModels.OnlineKMeans";

    /// <summary>Version 2 added "clusterWeights" and "bufferedWeights" (weighted updates); version 1 files read with unit weights.</summary>
    public override int Version => 2;

    protected override void CheckSavable(OnlineKMeans model)
    {
        if (model.Options.LearningRate is not null)
        {
            throw new ArgumentException(
                "The estimator has a custom OnlineKMeansOptions.LearningRate function, which cannot be saved; only the default 1/n step can.",
                nameof(model));
        }
    }

    protected override void Write(Utf8JsonWriter writer, OnlineKMeans model)
    {
        OnlineKMeansOptions o = model.Options;
        writer.WriteStartObject("options");
        writer.WriteNumber("clusters", o.Clusters);
        writer.WriteString("init", o.Init.ToString());
        WriteMatrixOrNull(writer, "initialCenters", o.InitialCenters);
        StreamStateFields.WriteInitializationSize(writer, o.InitializationSize);

        writer.WriteNumber("reassignmentRatio", o.ReassignmentRatio);
        writer.WriteNumber("seed", o.Seed);
        writer.WriteNumber("maxDegreeOfParallelism", o.MaxDegreeOfParallelism);
        writer.WriteEndObject();

        StreamStateFields.Write(writer, model.Count, model.Dimension, model.BufferedValues);
        double[]? centers = model.CenterValues;
        if (centers is null)
        {
            writer.WriteNull("centers");
            writer.WriteNull("clusterCounts");
        }
        else
        {
            var matrix = new double[o.Clusters, model.Dimension];
            centers.CopyTo(matrix.AsWritableSpan());
            JsonFields.WriteMatrix(writer, "centers", matrix);
            JsonFields.WriteLongVector(writer, "clusterCounts", model.ClusterCounts);
        }

        double[] weights = model.ClusterWeights;
        if (weights.Length == 0)
        {
            writer.WriteNull("clusterWeights");
        }
        else
        {
            JsonFields.WriteVector(writer, "clusterWeights", weights);
        }

        JsonFields.WriteVector(writer, "bufferedWeights", model.BufferedWeights);

        writer.WriteNumber("sinceReassignment", model.SinceReassignment);
        WriteRandom(writer, model.Random);
    }

    protected override OnlineKMeans ReadModel(JsonElement root) => ReadModel(root, Version);

    // Files written before the member was renamed to RandomRows (to match MixtureInit) say "Random".
    private static KMeansInit ReadInit(JsonElement options) =>
        options.TryGetProperty("init", out JsonElement e) && e.ValueKind == JsonValueKind.String && e.GetString() == "Random"
            ? KMeansInit.RandomRows
            : JsonFields.Enum<KMeansInit>(options, "init");

    protected override OnlineKMeans ReadModel(JsonElement root, int version)
    {
        OnlineKMeansOptions options = JsonFields.Nested(root, "options", o => new OnlineKMeansOptions
        {
            Clusters = JsonFields.Int(o, "clusters"),
            Init = ReadInit(o),
            InitialCenters = JsonFields.IsNull(o, "initialCenters") ? null : JsonFields.Matrix(o, "initialCenters"),
            InitializationSize = StreamStateFields.ReadInitializationSize(o),
            ReassignmentRatio = JsonFields.Double(o, "reassignmentRatio"),
            Seed = JsonFields.Int(o, "seed"),
            MaxDegreeOfParallelism = JsonFields.Int(o, "maxDegreeOfParallelism"),
        });
        var estimator = new OnlineKMeans(options); // validates the options
        int k = options.Clusters;

        (long count, int d, double[] buffered) = StreamStateFields.Read(root);
        bool initialised = !JsonFields.IsNull(root, "centers");
        double[]? centers = null;
        long[]? counts = null;
        if (initialised)
        {
            StreamStateFields.CheckDimensionKnown(d, "centers");

            centers = JsonFields.Matrix(root, "centers", k, d).AsSpan().ToArray();
            JsonFields.SquaresFinite(centers, JsonFields.Product(4, d), "centers"); // squared distances to rows of the same range
            counts = JsonFields.LongVector(root, "clusterCounts", k);
            for (int j = 0; j < k; j++)
            {
                StreamStateFields.NonNegative(counts[j], $"clusterCounts[{j}]");
            }

            StreamStateFields.CheckBufferEmpty(buffered, "centers");

            if (options.Init == KMeansInit.Explicit && d != options.InitialCenters!.GetLength(1))
            {
                throw new ModelFormatException($"The field 'dimension' is {d} but the explicit initial centers have {options.InitialCenters.GetLength(1)} columns.");
            }
        }
        else
        {
            if (options.Init == KMeansInit.Explicit)
            {
                throw new ModelFormatException("The field 'centers' is null, but an explicitly initialised estimator always has centers.");
            }

            if (!JsonFields.IsNull(root, "clusterCounts"))
            {
                throw new ModelFormatException("The field 'clusterCounts' must be null while 'centers' is null.");
            }

            StreamStateFields.CheckBuffering(count, d, buffered, estimator.Needed(), "centers");
        }

        double[]? weightSums = null;
        if (version >= 2 && initialised && JsonFields.IsNull(root, "clusterWeights"))
        {
            throw new ModelFormatException("The field 'clusterWeights' must not be null once 'centers' is set.");
        }

        // Version 1 files predate weighted updates: unit weights (each center's weight is its count). From version 2 on
        // both fields are required.
        if (version >= 2 && JsonFields.Property(root, "clusterWeights").ValueKind != JsonValueKind.Null)
        {
            if (!initialised)
            {
                throw new ModelFormatException("The field 'clusterWeights' must be null while 'centers' is null.");
            }

            weightSums = JsonFields.Vector(root, "clusterWeights", k);
            for (int j = 0; j < k; j++)
            {
                if (!(weightSums[j] >= 0) || !double.IsFinite(weightSums[j]))
                {
                    throw new ModelFormatException($"The field 'clusterWeights[{j}]' is {weightSums[j]}; it must be finite and non-negative.");
                }
            }
        }

        double[]? bufferedWeights = null;
        if (version >= 2)
        {
            int points = d > 0 ? buffered.Length / d : 0;
            bufferedWeights = JsonFields.Vector(root, "bufferedWeights", points);
            for (int i = 0; i < points; i++)
            {
                if (!(bufferedWeights[i] >= 0) || !double.IsFinite(bufferedWeights[i]))
                {
                    throw new ModelFormatException($"The field 'bufferedWeights[{i}]' is {bufferedWeights[i]}; it must be finite and non-negative.");
                }
            }
        }

        long sinceReassignment = StreamStateFields.NonNegative(JsonFields.Long(root, "sinceReassignment"), "sinceReassignment");
        ulong[] state = ReadRandom(root);
        estimator.Restore(count, d, buffered, bufferedWeights, centers, counts, weightSums, sinceReassignment, state);
        return estimator;
    }

    /// <summary>
    /// Writes <c>"random": {"algorithm": "xoshiro256**", "state": ["0123456789abcdef", …]}</c>; the words are hexadecimal
    /// strings because many JSON readers hold numbers as doubles and would round 64-bit words.
    /// </summary>
    internal static void WriteRandom(Utf8JsonWriter writer, PersistableRandom random)
    {
        writer.WriteStartObject("random");
        writer.WriteString("algorithm", PersistableRandom.Algorithm);
        writer.WriteStartArray("state");
        foreach (ulong word in random.GetState())
        {
            writer.WriteStringValue(word.ToString("x16", CultureInfo.InvariantCulture));
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteRandom"/> wrote.</summary>
    internal static ulong[] ReadRandom(JsonElement root) => JsonFields.Nested(root, "random", r =>
    {
        string algorithm = JsonFields.String(r, "algorithm");
        if (algorithm != PersistableRandom.Algorithm)
        {
            throw new ModelFormatException($"The field 'algorithm' is '{algorithm}'; only '{PersistableRandom.Algorithm}' is known.");
        }

        JsonElement e = JsonFields.Property(r, "state");
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != PersistableRandom.StateLength)
        {
            throw new ModelFormatException($"The field 'state' must be an array of {PersistableRandom.StateLength} hexadecimal strings.");
        }

        var state = new ulong[PersistableRandom.StateLength];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: 16 } text
                || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out state[i]))
            {
                throw new ModelFormatException($"The field 'state[{i}]' must be a 16-digit hexadecimal string.");
            }

            i++;
        }

        return (state[0] | state[1] | state[2] | state[3]) != 0
            ? state
            : throw new ModelFormatException("The field 'state' is all zero, which xoshiro256** cannot leave.");
    });

    internal static void WriteMatrixOrNull(Utf8JsonWriter writer, string name, double[,]? matrix)
    {
        if (matrix is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            JsonFields.WriteMatrix(writer, name, matrix);
        }
    }
}
