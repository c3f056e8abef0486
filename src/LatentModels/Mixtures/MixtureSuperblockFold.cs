using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// The fixed merge structure of the Gaussian E-step's block statistics (the one of <see cref="KMeansStatistics"/>): blocks
/// are merged in order into an open superblock of <see cref="KMeansStatistics.SuperblockRows"/> rows, which closes by
/// merging into the totals. A data set of at most one superblock gives the plain in-order fold (merging into empty
/// statistics copies them exactly). Used by the in-memory engine, the out-of-core passes and
/// <see cref="GaussianMixtureStatistics.Compute"/>, so the three fold alike.
/// </summary>
internal sealed class MixtureSuperblockFold
{
    private readonly MixtureStatistics _open;
    private readonly int _blocksPerSuperblock;
    private int _inOpen;
    private long _openSuperblock = -1;

    public MixtureSuperblockFold(int k, int d, bool fullScatter, int blockSize)
    {
        _open = new MixtureStatistics(k, d, fullScatter);
        _blocksPerSuperblock = Math.Max(1, KMeansStatistics.SuperblockRows / Math.Max(blockSize, 1));
    }

    /// <summary>Empties the open superblock (call with the totals' reset).</summary>
    public void Reset()
    {
        _open.Reset();
        _inOpen = 0;
        _openSuperblock = -1;
    }

    /// <summary>Adds the next block; a full superblock is merged into <paramref name="totals"/>.</summary>
    public void Add(MixtureStatistics totals, MixtureStatistics block)
    {
        _open.Merge(block);
        if (++_inOpen == _blocksPerSuperblock)
        {
            Close(totals);
        }
    }

    /// <summary>
    /// Adds the next part of a superblock computed elsewhere (a shard's blocks of that superblock, already merged in order
    /// from empty statistics): parts of the same superblock are merged in order into the open one, which closes into
    /// <paramref name="totals"/> when a part of another superblock arrives (or at <see cref="Finish"/>). A superblock in one
    /// part, or in parts of one block each, gives the bits of <see cref="Add"/> over its blocks.
    /// </summary>
    /// <param name="totals">The totals a closed superblock merges into.</param>
    /// <param name="part">The part.</param>
    /// <param name="superblock">The index of the superblock the part's rows lie in (global first row / superblock rows).</param>
    public void AddPart(MixtureStatistics totals, MixtureStatistics part, long superblock)
    {
        if (_inOpen > 0 && superblock != _openSuperblock)
        {
            Close(totals);
        }

        _open.Merge(part);
        _openSuperblock = superblock;
        _inOpen++;
    }

    /// <summary>Merges the last, partial superblock into <paramref name="totals"/>; call once after the last block.</summary>
    public void Finish(MixtureStatistics totals)
    {
        if (_inOpen > 0)
        {
            Close(totals);
        }
    }

    private void Close(MixtureStatistics totals)
    {
        totals.Merge(_open);
        Reset();
    }
}
