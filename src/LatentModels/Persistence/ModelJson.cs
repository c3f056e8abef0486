using System.Text;
using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>
/// Saving and loading fitted models (and online estimators' states) as JSON documents
/// <c>{"format": "LatentModels.…", "version": n, …}</c>, each format with its own version (a file without a version
/// is read as version 1). Doubles are written in their shortest round-trip form, so
/// parameters come back bit for bit; unknown fields are ignored; a wrong, truncated or tampered file raises
/// <see cref="ModelFormatException"/> and never yields a half-loaded model.
/// </summary>
public static class ModelJson
{
    /// <summary>
    /// The first version of every format: a file without a <c>"version"</c> field is read as this version. Each format
    /// has its own current version (<see cref="FormatVersion"/>); a file of a newer version than this library knows is
    /// rejected.
    /// </summary>
    public const int Version = 1;

    // Every persistable type and its codec. Add a codec here when a model type becomes persistable.
    private static readonly ModelCodec[] _codecs = ModelCodecs.All;

    private static readonly Dictionary<Type, ModelCodec> _byType = _codecs.ToDictionary(c => c.ModelType);

    private static readonly Dictionary<string, ModelCodec> _byFormat = _codecs.ToDictionary(c => c.FormatName, StringComparer.Ordinal);

    /// <summary>Whether models of this type can be saved.</summary>
    /// <param name="modelType">The type.</param>
    public static bool IsPersistable(Type modelType) => _byType.ContainsKey(modelType);

    /// <summary>The format name a model is saved under, e.g. <c>"LatentModels.GaussianMixture"</c>.</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="ArgumentException">The model's type cannot be saved.</exception>
    public static string FormatName(object model) => CodecFor(model, checkSavable: false).FormatName;

    /// <summary>The version of the format a model is saved under (the current version of its format).</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="ArgumentException">The model's type cannot be saved.</exception>
    public static int FormatVersion(object model) => CodecFor(model, checkSavable: false).Version;

    /// <summary>The model as an indented JSON document.</summary>
    /// <param name="model">A fitted model or online state of the library.</param>
    /// <exception cref="ArgumentException">The model's type cannot be saved.</exception>
    public static string Serialize(object model)
    {
        using var stream = new MemoryStream();
        Save(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the model to a stream as JSON (UTF-8). The stream is left open.</summary>
    /// <param name="model">A fitted model or online state of the library.</param>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentException">The model's type cannot be saved.</exception>
    public static void Save(object model, Stream stream)
    {
        ModelCodec codec = CodecFor(model);
        ArgumentNullException.ThrowIfNull(stream);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", codec.FormatName);
            writer.WriteNumber("version", codec.Version);
            codec.Write(writer, model);
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>
    /// Writes the model to a file as JSON, replacing the file. The document is written to a temporary file beside it
    /// and then moved into place, so an existing file is never left half-written.
    /// </summary>
    /// <param name="model">A fitted model or online state of the library.</param>
    /// <param name="path">The file.</param>
    /// <exception cref="ArgumentException">The model's type cannot be saved.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(object model, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        CodecFor(model);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temporary))
            {
                Save(model, stream);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // no-op once moved
        }
    }

    /// <summary>Reads any model written by <see cref="Save(object, Stream)"/>, under <see cref="ModelLoadLimits.Default"/>.</summary>
    /// <param name="stream">The JSON document.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file, or exceeds the limits.</exception>
    public static object Load(Stream stream) => Load(stream, ModelLoadLimits.Default);

    /// <summary>
    /// Reads any model written by <see cref="Save(object, Stream)"/>. Whatever the bytes, the only failure is
    /// <see cref="ModelFormatException"/> (besides the stream's own I/O errors): the document's size is checked as it is
    /// read, every size it declares or implies is checked against <paramref name="limits"/> and against the numbers it
    /// actually holds before anything is allocated, and every value is range-checked so a loaded model or state works
    /// for every operation.
    /// </summary>
    /// <param name="stream">The JSON document.</param>
    /// <param name="limits">What the file may cost to load.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file, or exceeds the limits.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    public static object Load(Stream stream, ModelLoadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        if (stream.CanSeek && stream.Length - stream.Position > limits.MaxDocumentBytes)
        {
            throw BoundedReadStream.TooLarge(limits.MaxDocumentBytes);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(new BoundedReadStream(stream, limits.MaxDocumentBytes), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"The model file is not valid JSON: {e.Message}", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException($"The model file is not valid UTF-8: {e.Message}", e);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, limits);
            }
            catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
            {
                // The parser checks the structure, not the UTF-8 inside strings: that is decoded when a string is read
                // (the format name, an enum, a base64 block…), by whichever field reads it first.
                throw new ModelFormatException($"The model file is not valid UTF-8: {e.InnerException.Message}", e);
            }
        }
    }

    /// <summary>Reads any model from a file, under <see cref="ModelLoadLimits.Default"/>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or exceeds the limits.</exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static object Load(string path) => Load(path, ModelLoadLimits.Default);

    /// <summary>Reads any model from a file (see <see cref="Load(Stream, ModelLoadLimits)"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="limits">What the file may cost to load.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or exceeds the limits.</exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static object Load(string path, ModelLoadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Load(stream, limits);
    }

    /// <summary>Reads any model from JSON text, under <see cref="ModelLoadLimits.Default"/>.</summary>
    /// <param name="json">The JSON document.</param>
    /// <exception cref="ModelFormatException">The text is not a valid model file, or exceeds the limits.</exception>
    public static object Deserialize(string json) => Deserialize(json, ModelLoadLimits.Default);

    /// <summary>Reads any model from JSON text (see <see cref="Load(Stream, ModelLoadLimits)"/>).</summary>
    /// <param name="json">The JSON document.</param>
    /// <param name="limits">What the file may cost to load.</param>
    /// <exception cref="ModelFormatException">The text is not a valid model file, or exceeds the limits.</exception>
    public static object Deserialize(string json, ModelLoadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(limits);
        if (json.Length > limits.MaxDocumentBytes)
        {
            throw BoundedReadStream.TooLarge(limits.MaxDocumentBytes);
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return Load(stream, limits);
    }

    /// <summary>Reads a model of a known type from a file.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="path">The file.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or holds another kind of model.</exception>
    public static T Load<T>(string path) where T : class => Expect<T>(Load(path));

    /// <summary>Reads a model of a known type from a file.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="limits">What the file may cost to load.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or holds another kind of model.</exception>
    public static T Load<T>(string path, ModelLoadLimits limits) where T : class => Expect<T>(Load(path, limits));

    /// <summary>Reads a model of a known type from a stream.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="stream">The JSON document.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file, or holds another kind of model.</exception>
    public static T Load<T>(Stream stream) where T : class => Expect<T>(Load(stream));

    /// <summary>Reads a model of a known type from a stream.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="stream">The JSON document.</param>
    /// <param name="limits">What the file may cost to load.</param>
    /// <exception cref="ModelFormatException">The document is not a valid model file, or holds another kind of model.</exception>
    public static T Load<T>(Stream stream, ModelLoadLimits limits) where T : class => Expect<T>(Load(stream, limits));

    /// <summary>Reads a model of a known type from JSON text.</summary>
    /// <typeparam name="T">The expected model type.</typeparam>
    /// <param name="json">The JSON document.</param>
    /// <exception cref="ModelFormatException">The text is not a valid model file, or holds another kind of model.</exception>
    public static T Deserialize<T>(string json) where T : class => Expect<T>(Deserialize(json));

    private static ModelCodec CodecFor(object model, bool checkSavable = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_byType.TryGetValue(model.GetType(), out ModelCodec? codec))
        {
            throw new ArgumentException($"Models of type {model.GetType().Name} cannot be saved.", nameof(model));
        }

        if (checkSavable)
        {
            codec.CheckSavable(model);
        }

        return codec;
    }

    private static T Expect<T>(object model) where T : class =>
        model as T ?? throw new ModelFormatException($"The file holds a {_byType[model.GetType()].FormatName}, not a {typeof(T).Name}.");

    private static object Read(JsonElement root, ModelLoadLimits limits)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFormatException("The model file must hold one JSON object.");
        }

        string format = JsonFields.String(root, "format");
        if (!_byFormat.TryGetValue(format, out ModelCodec? codec))
        {
            throw new ModelFormatException($"Unknown model format '{format}'.");
        }

        int version = root.TryGetProperty("version", out _) ? JsonFields.Int(root, "version") : Version;
        if (version < Version || version > codec.Version)
        {
            string known = codec.Version == Version ? $"version {Version}" : $"versions {Version} to {codec.Version}";
            throw new ModelFormatException($"The {format} file has version {version}; this library reads {known}.");
        }

        using IDisposable load = JsonFields.BeginLoad(root, limits);
        try
        {
            return codec.Read(root, version);
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FittingException or InvalidOperationException or OverflowException
                                      or FormatException or JsonException or ArithmeticException)
        {
            // The model's own constructor validates its parameters (SPD covariances, probabilities summing to one…); the
            // JSON accessors and the size arithmetic fail with these kinds. Anything else is a bug and is not hidden.
            throw new ModelFormatException($"The {format} in the file is invalid: {e.Message}", e);
        }
    }
}
