namespace LatentModels;

/// <summary>Raised when a fit cannot continue, e.g. a covariance that is no longer positive definite.</summary>
public class FittingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FittingException(string message) : base(message) { }

    /// <summary>Creates the exception naming the offending component.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="component">Zero-based index of the offending component.</param>
    public FittingException(string message, int component) : base(message) => Component = component;

    /// <summary>Creates the exception with an inner exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FittingException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Zero-based index of the offending component, when one is to blame.</summary>
    public int? Component { get; }
}
