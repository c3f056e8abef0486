using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>
/// Writes and reads one model type. Codecs live beside <see cref="ModelJson"/>, not in the model classes, and rebuild
/// models through their validating constructors, so a tampered file can never yield a half-valid model.
/// </summary>
internal abstract class ModelCodec
{
    /// <summary>The model type this codec handles (exactly; no subclasses).</summary>
    public abstract Type ModelType { get; }

    /// <summary>The format name written into the file, e.g. <c>"LatentModels.GaussianMixture"</c>.</summary>
    public abstract string FormatName { get; }

    /// <summary>
    /// The current version of this format, written on save. Raise it when the fields change, and keep reading every
    /// older version (files without a version field are version 1).
    /// </summary>
    public virtual int Version => 1;

    /// <summary>Throws <see cref="ArgumentException"/> if this particular model cannot be saved (checked before anything is written).</summary>
    public abstract void CheckSavable(object model);

    /// <summary>Writes the model's fields (the envelope is already written).</summary>
    public abstract void Write(Utf8JsonWriter writer, object model);

    /// <summary>Rebuilds the model from the document's root object (the envelope is already checked).</summary>
    /// <param name="root">The document's root object.</param>
    /// <param name="version">The file's version of this format, between 1 and <see cref="Version"/>.</param>
    public abstract object Read(JsonElement root, int version);
}
