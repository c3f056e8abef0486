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
}
