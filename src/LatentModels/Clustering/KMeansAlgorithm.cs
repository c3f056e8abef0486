namespace LatentModels.Clustering;

/// <summary>The iteration used by batch K-Means. Both give the same assignments; they differ only in speed.</summary>
public enum KMeansAlgorithm
{
    /// <summary>Lloyd's iteration: every row's distances to every center are computed in every iteration.</summary>
    Lloyd,

    /// <summary>
    /// Exact Hamerly iteration: one upper and one lower distance bound per row let most rows skip their distance
    /// computations once centers settle. Gives the same assignments as <see cref="Lloyd"/>; the default.
    /// </summary>
    Accelerated,
}
