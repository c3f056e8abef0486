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
