namespace LatentModels.Fuzz;

/// <summary>What a fuzz target may allocate for one input (shared by every target).</summary>
public static class FuzzAllowance
{
    /// <summary>
    /// The most a target may allocate for an input of <paramref name="length"/> bytes: a fixed 32 MiB plus 16 KiB per
    /// input byte (a gzip stream inflates at most about 1,032-fold, and every IDX byte becomes an 8-byte double).
    /// </summary>
    /// <param name="length">The input's length in bytes.</param>
    public static long For(long length) => (32L << 20) + (16L << 10) * length;
}
