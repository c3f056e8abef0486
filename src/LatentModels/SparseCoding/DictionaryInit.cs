namespace LatentModels.SparseCoding;

/// <summary>How dictionary learning chooses its first atoms (each scaled to unit norm; the codes start at zero).</summary>
public enum DictionaryInit
{
    /// <summary>The first K rows of the data (reproducible; scikit-learn's <c>dict_init = X[:K]</c> normalised).</summary>
    First,

    /// <summary>K distinct rows drawn at random (from the seed).</summary>
    Random,

    /// <summary>K rows chosen by k-means++ seeding (greedy, from the seed): spread-out starting atoms. The default.</summary>
    KMeansPlusPlus,
}
