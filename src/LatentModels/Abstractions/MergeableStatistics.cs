namespace LatentModels;

/// <summary>Operations over any <see cref="IMergeableStatistics{TSelf}"/>: what a driver of partitions calls.</summary>
public static class MergeableStatistics
{
    /// <summary>
    /// Merges statistics from first to last — a fixed order, so the same list gives the same bits. None is modified; a
    /// single part is returned as it is.
    /// </summary>
    /// <typeparam name="T">The statistics type.</typeparam>
    /// <param name="parts">At least one set of statistics, all of the same shape (and, where the type requires it, from the same model).</param>
    /// <exception cref="ArgumentNullException"><paramref name="parts"/> is null.</exception>
    /// <exception cref="ArgumentException">There are none, one is null, or one cannot be merged with those before it (the message names its index).</exception>
    public static T Merge<T>(IEnumerable<T> parts) where T : class, IMergeableStatistics<T>
    {
        ArgumentNullException.ThrowIfNull(parts);
        T? result = null;
        int index = 0;
        foreach (T? part in parts)
        {
            if (part is null)
            {
                throw new ArgumentException($"Part {index} is null.", nameof(parts));
            }

            if (result is null)
            {
                result = part;
            }
            else
            {
                try
                {
                    result = result.Merge(part);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Part {index} cannot be merged with the parts before it: {e.Message}", nameof(parts), e);
                }
            }

            index++;
        }

        return result ?? throw new ArgumentException("There are no statistics to merge.", nameof(parts));
    }

    /// <summary>
    /// Merges parts in a fixed two-level structure: from first to last within each superblock of
    /// <paramref name="superblockRows"/> rows, then the superblocks' totals from first to last. Part p covers
    /// <paramref name="partRows"/>[p] rows right after the previous part (the first starts at row 0); a part that ends on a
    /// multiple of <paramref name="superblockRows"/> closes its superblock. The single-pass computations of the core fold
    /// their fixed blocks this way, so parts cut at superblock boundaries (or single blocks) merge to their bits.
    /// </summary>
    /// <typeparam name="T">The statistics type.</typeparam>
    /// <param name="parts">At least one part, in row order.</param>
    /// <param name="partRows">The rows of each part (≥ 0).</param>
    /// <param name="superblockRows">The rows per superblock (&gt; 0).</param>
    /// <returns>The merged statistics.</returns>
    /// <exception cref="ArgumentException">No parts, a null part, lengths that differ, a negative row count, or parts that do not merge.</exception>
    public static T MergeInSuperblocks<T>(IReadOnlyList<T> parts, IReadOnlyList<long> partRows, int superblockRows) where T : class, IMergeableStatistics<T>
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(partRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(superblockRows);
        if (parts.Count == 0)
        {
            throw new ArgumentException("There are no statistics to merge.", nameof(parts));
        }

        if (partRows.Count != parts.Count)
        {
            throw new ArgumentException($"There are {partRows.Count} row counts for {parts.Count} parts.", nameof(partRows));
        }

        T? total = null, open = null;
        long position = 0;
        for (int p = 0; p < parts.Count; p++)
        {
            T part = parts[p] ?? throw new ArgumentException($"Part {p} is null.", nameof(parts));
            if (partRows[p] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(partRows), partRows[p], $"Part {p} has a negative row count.");
            }

            try
            {
                open = open is null ? part : open.Merge(part);
                position += partRows[p];
                if (position % superblockRows == 0 || p == parts.Count - 1)
                {
                    total = total is null ? open : total.Merge(open);
                    open = null;
                }
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Part {p} cannot be merged with the parts before it: {e.Message}", nameof(parts), e);
            }
        }

        return total!;
    }
}
