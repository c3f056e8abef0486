namespace LatentModels.Orleans;

/// <summary>A distributed fit gave up: a shard failed more often than <see cref="DistributedFitOptions.MaxRetriesPerShard"/> allows.</summary>
public sealed class DistributedFitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DistributedFitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public DistributedFitException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last failure.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The last failure.</param>
    public DistributedFitException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The index of the shard that failed (−1 when unknown).</summary>
    public int Shard { get; init; } = -1;
}
