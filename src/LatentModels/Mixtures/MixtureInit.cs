namespace LatentModels.Mixtures;

/// <summary>
/// How EM chooses its starting parameters: one set of names for every mixture (<see cref="GaussianMixture"/>,
/// <see cref="IncrementalGaussianMixture"/>, <see cref="StreamingGaussianMixture"/> and the generic
/// <see cref="Mixture{TComponent}"/> families). Each start ends in one M-step from the responsibilities it chose.
/// </summary>
public enum MixtureInit
{
    /// <summary>
    /// Gaussian mixtures: Lloyd/accelerated K-Means (the library's <see cref="Clustering.KMeans"/>, same seed); its hard
    /// labels give one-hot responsibilities (scikit-learn's default). Not available for the generic families (Euclidean
    /// K-Means has no meaning for category codes): use <see cref="KMeansPlusPlus"/> there.
    /// </summary>
    KMeans,

    /// <summary>
    /// k-means++ seeding, then every row is assigned to its nearest seed. Gaussian mixtures: Euclidean k-means++ centers
    /// and one-hot responsibilities. Generic families: seeding on the Hamming distance (the number of coordinates that
    /// differ, which for binary data is the squared Euclidean distance; the first row uniformly, each next row with
    /// probability proportional to its distance to the nearest row chosen so far) and softened one-hot responsibilities
    /// (0.9 on the assigned component plus 0.1/K on every component). The generic families' default.
    /// </summary>
    KMeansPlusPlus,

    /// <summary>Uniform random responsibilities, normalised per row.</summary>
    RandomResponsibilities,

    /// <summary>K distinct random rows as seeds (drawn by weight for weighted fits); every row is assigned to its nearest seed, as for <see cref="KMeansPlusPlus"/>.</summary>
    RandomRows,

    /// <summary>
    /// Deterministic, for reproducible comparisons with other libraries. Gaussian mixtures: the means are the first K rows,
    /// the weights 1/K and every covariance is the data's 1/N covariance (its diagonal for diagonal covariances, the mean of
    /// its diagonal for spherical ones). Generic families: the first K rows of positive weight are the seeds, as for
    /// <see cref="RandomRows"/>.
    /// </summary>
    First,
}
