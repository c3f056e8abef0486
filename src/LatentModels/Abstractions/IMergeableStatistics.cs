namespace LatentModels;

/// <summary>
/// Sufficient statistics of some rows that merge exactly: the statistics of a partition of the data, merged in a fixed
/// order, equal those of the whole (bitwise for the same order). This is the spine of every fit: an E-step turns a block
/// of rows into statistics, blocks (or machines) merge them, and an update rule turns the merged statistics into the
/// next model. Values are immutable; every implementation also saves and loads through
/// <see cref="Persistence.ModelJson"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing statistics type.</typeparam>
public interface IMergeableStatistics<TSelf> where TSelf : class, IMergeableStatistics<TSelf>
{
    /// <summary>The total (sample) weight of the rows summarised; 0 for an empty value.</summary>
    double TotalWeight { get; }

    /// <summary>The empty statistics of the same shape: the identity of <see cref="Merge"/>.</summary>
    TSelf Empty();

    /// <summary>
    /// The statistics of the union of the rows summarised by this value and by <paramref name="other"/>, which must have
    /// the same shape; neither is modified. Merging is associative and exact up to rounding (Chan-style for centered
    /// moments); merging in the same order gives the same bits.
    /// </summary>
    /// <param name="other">Statistics of the same shape.</param>
    /// <exception cref="ArgumentException"><paramref name="other"/> has another shape.</exception>
    TSelf Merge(TSelf other);
}
