namespace LatentModels.Persistence;

/// <summary>
/// What a model file may cost to load. Every size a file declares or implies is checked against these limits, and
/// against the values the file actually holds, before anything is allocated; a file over a limit is rejected with
/// <see cref="ModelFormatException"/> naming the limit. The defaults (<see cref="Default"/>) are generous for any model
/// this library fits on one machine, but finite, so a small hostile file cannot make the loader allocate gigabytes.
/// </summary>
public sealed record ModelLoadLimits
{
    /// <summary>The limits <see cref="ModelJson"/> applies when none are given.</summary>
    public static ModelLoadLimits Default { get; } = new();

    /// <summary>
    /// The largest document read, in bytes (default 256 MiB). Checked as the bytes arrive (and up front for a seekable
    /// stream or a file), before the document is parsed.
    /// </summary>
    public long MaxDocumentBytes { get; init; } = 256L << 20;

    /// <summary>
    /// The most numbers a loaded model or state may hold, counting every array read from the file and every array
    /// whose size the file implies (e.g. K covariance matrices of d × d values); default 2²⁵ (256 MiB of doubles).
    /// Independently of this limit, an implied size must be matched by the numbers present in the file.
    /// </summary>
    public long MaxValues { get; init; } = 1L << 25;

    /// <summary>
    /// The largest data dimension d (default 46,340: d² still indexes a 32-bit array, as the models' d × d work needs).
    /// </summary>
    public int MaxDimension { get; init; } = 46_340;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless every limit is positive.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDocumentBytes, 1, nameof(MaxDocumentBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValues, 1, nameof(MaxValues));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDimension, 1, nameof(MaxDimension));
    }
}
