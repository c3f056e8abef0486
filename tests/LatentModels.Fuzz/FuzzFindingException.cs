namespace LatentModels.Fuzz;

/// <summary>A fuzz target's input broke a promise without an exception of its own (an allocation, a bad result).</summary>
public sealed class FuzzFindingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was found.</param>
    public FuzzFindingException(string message)
        : base(message)
    {
    }
}
