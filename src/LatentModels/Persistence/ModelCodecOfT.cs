using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>A strongly typed <see cref="ModelCodec"/>.</summary>
/// <typeparam name="T">The model type.</typeparam>
internal abstract class ModelCodec<T> : ModelCodec where T : class
{
    public sealed override Type ModelType => typeof(T);

    public sealed override void CheckSavable(object model) => CheckSavable((T)model);

    public sealed override void Write(Utf8JsonWriter writer, object model) => Write(writer, (T)model);

    /// <summary>Throws <see cref="ArgumentException"/> (parameter <c>model</c>) when this instance cannot be saved, e.g. it holds a delegate.</summary>
    protected virtual void CheckSavable(T model)
    {
    }

    public sealed override object Read(JsonElement root, int version) => ReadModel(root, version);

    protected abstract void Write(Utf8JsonWriter writer, T model);

    /// <summary>Reads the current version of the format.</summary>
    protected abstract T ReadModel(JsonElement root);

    /// <summary>Reads a file of the given version (1 to <see cref="ModelCodec.Version"/>); override when older versions differ.</summary>
    protected virtual T ReadModel(JsonElement root, int version) => ReadModel(root);
}
