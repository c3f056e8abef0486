namespace LatentModels.Clustering;

/// <summary>How the initial centers of a batch K-Means fit are chosen.</summary>
public enum KMeansInit
{
    /// <summary>Greedy k-means++ (2 + ⌊ln k⌋ candidates per center, as scikit-learn); the default.</summary>
    KMeansPlusPlus,

    /// <summary>K distinct rows drawn uniformly at random (the same name as <see cref="LatentModels.Mixtures.MixtureInit.RandomRows"/>).</summary>
    RandomRows,

    /// <summary>The first K rows of the data (deterministic; used for reproducible comparisons).</summary>
    First,

    /// <summary>The centers given in <see cref="KMeansOptions.InitialCenters"/>.</summary>
    Explicit,
}
