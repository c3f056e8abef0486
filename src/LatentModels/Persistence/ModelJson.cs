using System.Text;
using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>A model file that is not a valid LatentModels JSON document: wrong format, version, shape or values.</summary>
public sealed class ModelFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the offending field.</param>
    public ModelFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, e.g. a <see cref="JsonException"/> for truncated text.</param>
    public ModelFormatException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A model that saves itself as a self-describing JSON document: <c>{"format": …, "version": …, …}</c>. Every fitted
/// model of the library implements it; <see cref="ModelJson.Load(string)"/> reads any of them back.
/// </summary>
public interface IPersistableModel
{
    /// <summary>Writes the model's fields (not the envelope) into an open JSON object.</summary>
    /// <param name="writer">The writer, positioned inside the model's object after <c>format</c> and <c>version</c>.</param>
    void WriteJson(Utf8JsonWriter writer);

    /// <summary>The format name written into the file, e.g. <c>"LatentModels.GaussianMixture"</c>.</summary>
    string FormatName { get; }
}

/// <summary>
/// Saving and loading models as JSON. Doubles are written in their shortest round-trip form, so parameters come back
/// bit for bit; unknown fields are ignored; a wrong, truncated or tampered file raises
/// <see cref="ModelFormatException"/> and never yields a half-loaded model.
/// </summary>
public static class ModelJson
{
    /// <summary>The file-format version this library writes and reads.</summary>
    public const int Version = 1;

    // Every persistable model type: its format name and the function that rebuilds it from the document's root
    // object (the envelope already checked). The model's constructor validates the parameters.
    private static readonly Dictionary<string, Func<JsonElement, IPersistableModel>> _readers = new(StringComparer.Ordinal)
    {
    };

    /// <summary>The model as an indented JSON document.</summary>
    /// <param name="model">The model.</param>
    public static string Serialize(IPersistableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        Save(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the model to a stream as JSON (UTF-8). The stream is left open.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">The destination.</param>
    public static void Save(IPersistableModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", model.FormatName);
        writer.WriteNumber("version", Version);
        model.WriteJson(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the model to a file as JSON, replacing the file.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file.</param>
    public static void Save(IPersistableModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Save(model, stream);
    }

    /// <summary>Reads any model written by <see cref="Save(IPersistableModel, Stream)"/>.</summary>
    /// <param name="stream">The JSON document.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file.</exception>
    public static IPersistableModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"The model file is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <summary>Reads any model from JSON text.</summary>
    /// <param name="json">The JSON document.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file.</exception>
    public static IPersistableModel Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return Load(stream);
    }

    /// <summary>Reads any model from a file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file.</exception>
    public static IPersistableModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Reads a model of a known type from a file.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="path">The file.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or holds another kind of model.</exception>
    public static T Load<T>(string path) where T : IPersistableModel => Expect<T>(Load(path));

    /// <summary>Reads a model of a known type from JSON text.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="json">The JSON document.</param>
    /// <exception cref="ModelFormatException">The text is not a valid model file, or holds another kind of model.</exception>
    public static T Deserialize<T>(string json) where T : IPersistableModel => Expect<T>(Deserialize(json));

    private static T Expect<T>(IPersistableModel model) where T : IPersistableModel =>
        model is T typed ? typed : throw new ModelFormatException($"The file holds a {model.FormatName}, not a {typeof(T).Name}.");

    private static IPersistableModel Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFormatException("The model file must hold one JSON object.");
        }

        string format = JsonFields.String(root, "format");
        int version = JsonFields.Int(root, "version");
        if (version != Version)
        {
            throw new ModelFormatException($"The model file has version {version}; this library reads version {Version}.");
        }

        if (!_readers.TryGetValue(format, out Func<JsonElement, IPersistableModel>? reader))
        {
            throw new ModelFormatException($"Unknown model format '{format}'.");
        }

        try
        {
            return reader(root);
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (ArgumentException e)
        {
            // The model's own constructor validates its parameters (SPD covariances, probabilities summing to one…).
            throw new ModelFormatException($"The {format} in the file is invalid: {e.Message}", e);
        }
        catch (FittingException e)
        {
            throw new ModelFormatException($"The {format} in the file is invalid: {e.Message}", e);
        }
    }
}
