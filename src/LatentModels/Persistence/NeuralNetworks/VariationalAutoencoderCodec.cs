using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using LatentModels.NeuralNetworks;

namespace LatentModels.Persistence.NeuralNetworks;

/// <summary>
/// <c>LatentModels.VariationalAutoencoder</c>: the architecture as plain fields (<c>inputDimension</c>,
/// <c>hiddenSizes</c>, <c>latentDimension</c>, <c>activation</c>, <c>likelihood</c>, <c>learnVariance</c>,
/// <c>variance</c>, <c>minimumVariance</c>), <c>parameterCount</c>, and <c>parameters</c>: the flat float32 parameter
/// vector (layer by layer, weights row-major then bias; see <see cref="VaeArchitecture"/>) as base64 of its
/// little-endian bytes (<c>parameterEncoding</c> = <c>"float32-le-base64"</c>), so a round trip is exact and a 784-200-20
/// network takes about 0.9 MB instead of the 3 MB of decimal text.
/// </summary>
internal sealed class VariationalAutoencoderCodec : ModelCodec<VariationalAutoencoderModel>
{
    private const string Encoding = "float32-le-base64";

    /// <summary>
    /// The largest weight magnitude read (2¹⁶, far beyond what training produces): the float32 forward pass multiplies
    /// weights layer after layer, so larger weights would overflow to ∞ and NaN on ordinary rows.
    /// </summary>
    public const float MaxWeight = 65536f;

    /// <summary>The largest network a file may describe (parameters), checked before anything is allocated.</summary>
    internal const long MaxParameters = 1L << 28;

    public override string FormatName => "LatentModels.VariationalAutoencoder";

    protected override void Write(Utf8JsonWriter writer, VariationalAutoencoderModel model)
    {
        VaeArchitecture a = model.Architecture;
        writer.WriteNumber("inputDimension", a.InputDimension);
        JsonFields.WriteIntVector(writer, "hiddenSizes", a.HiddenSizes);
        writer.WriteNumber("latentDimension", a.LatentDimension);
        writer.WriteString("activation", a.HiddenActivation.ToString());
        writer.WriteString("likelihood", a.Likelihood.ToString());
        writer.WriteBoolean("learnVariance", a.LearnVariance);
        writer.WriteNumber("variance", a.Variance);
        writer.WriteNumber("minimumVariance", a.MinimumVariance);
        writer.WriteNumber("parameterCount", a.ParameterCount);
        writer.WriteString("parameterEncoding", Encoding);
        ReadOnlySpan<float> parameters = model.Parameters;
        var bytes = new byte[parameters.Length * sizeof(float)];
        for (int i = 0; i < parameters.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), parameters[i]);
        }

        writer.WriteBase64String("parameters", bytes);
    }

    protected override VariationalAutoencoderModel ReadModel(JsonElement root)
    {
        int d = Positive(JsonFields.Int(root, "inputDimension"), "inputDimension");
        int[] hidden = JsonFields.IntVector(root, "hiddenSizes");
        for (int i = 0; i < hidden.Length; i++)
        {
            Positive(hidden[i], $"hiddenSizes[{i}]");
        }

        int z = Positive(JsonFields.Int(root, "latentDimension"), "latentDimension");
        var activation = JsonFields.Enum<HiddenActivation>(root, "activation");
        var likelihood = JsonFields.Enum<DecoderLikelihood>(root, "likelihood");
        bool learnVariance = JsonFields.Bool(root, "learnVariance");
        double variance = JsonFields.Double(root, "variance");
        double minimumVariance = JsonFields.Double(root, "minimumVariance");
        if (!(variance > 0) || !(minimumVariance > 0))
        {
            throw new ModelFormatException("The fields 'variance' and 'minimumVariance' must be positive.");
        }

        JsonFields.SquaresFinite([variance], JsonFields.Product(4, d), "variance");
        JsonFields.SquaresFinite([minimumVariance], JsonFields.Product(4, d), "minimumVariance");

        if (learnVariance && likelihood != DecoderLikelihood.Gaussian)
        {
            throw new ModelFormatException("The field 'learnVariance' can be true only for a Gaussian likelihood.");
        }

        // The parameter count in checked 64-bit arithmetic, before the architecture (int offsets) or any buffer is built.
        long count = ParameterCount(d, hidden, z, learnVariance);
        if (count > MaxParameters)
        {
            throw new ModelFormatException($"The network has {count} parameters; at most {MaxParameters} are read.");
        }

        JsonFields.Reserve(count, "parameters");
        return ReadRest(root, d, hidden, z, activation, likelihood, learnVariance, variance, minimumVariance, count);
    }

    private static long ParameterCount(int d, int[] hidden, int z, bool learnVariance)
    {
        checked
        {
            long count = 0;
            long width = d;
            foreach (int h in hidden)
            {
                count += (width * h) + h;
                width = h;
            }

            count += (width * 2L * z) + (2L * z);
            width = z;
            for (int i = hidden.Length - 1; i >= 0; i--)
            {
                count += (width * hidden[i]) + hidden[i];
                width = hidden[i];
            }

            count += (width * d) + d + (learnVariance ? d : 0);
            return count;
        }
    }

    private static VariationalAutoencoderModel ReadRest(
        JsonElement root, int d, int[] hidden, int z, HiddenActivation activation, DecoderLikelihood likelihood, bool learnVariance, double variance, double minimumVariance, long count)
    {
        long declared = JsonFields.Long(root, "parameterCount");
        if (declared != count)
        {
            throw new ModelFormatException($"The field 'parameterCount' is {declared} but the architecture has {count} parameters.");
        }

        string encoding = JsonFields.String(root, "parameterEncoding");
        if (encoding != Encoding)
        {
            throw new ModelFormatException($"The field 'parameterEncoding' must be \"{Encoding}\", not \"{encoding}\".");
        }

        JsonElement text = JsonFields.Property(root, "parameters");
        if (text.ValueKind != JsonValueKind.String)
        {
            throw new ModelFormatException("The field 'parameters' must be a base64 string.");
        }

        long expectedChars = 4 * ((count * sizeof(float) + 2) / 3);
        if (text.GetString()!.Length != expectedChars || !text.TryGetBytesFromBase64(out byte[]? bytes) || bytes.Length != count * sizeof(float))
        {
            throw new ModelFormatException($"The field 'parameters' must hold {count} float32 values ({count * sizeof(float)} bytes) in base64.");
        }

        var parameters = new float[count];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
            if (!(Math.Abs(parameters[i]) <= MaxWeight))
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The field 'parameters' holds {parameters[i]:R} at {i}; weights must be finite and at most {MaxWeight} in magnitude."));
            }
        }

        var architecture = new VaeArchitecture(d, hidden, z, activation, likelihood, learnVariance, variance, minimumVariance);
        return new VariationalAutoencoderModel(architecture, parameters);
    }

    private static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ModelFormatException($"The field '{name}' must be at least 1, not {value}.");
}
