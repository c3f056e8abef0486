namespace LatentModels.Mixtures;

/// <summary>How the covariance matrices of a Gaussian mixture are parameterised (scikit-learn's four types).</summary>
public enum CovarianceType
{
    /// <summary>Each component has its own full covariance matrix (K·d(d+1)/2 parameters).</summary>
    Full,

    /// <summary>Each component has its own diagonal covariance matrix (K·d parameters).</summary>
    Diagonal,

    /// <summary>Each component has its own single variance, σₖ²·I (K parameters).</summary>
    Spherical,

    /// <summary>All components share one full covariance matrix (d(d+1)/2 parameters).</summary>
    Tied,
}

/// <summary>How batch EM chooses its starting parameters.</summary>
public enum GaussianMixtureInit
{
    /// <summary>Lloyd/accelerated K-Means (the library's <see cref="Clustering.KMeans"/>, same seed); its hard labels give one-hot responsibilities and the M-step gives the start (scikit-learn's default).</summary>
    KMeans,

    /// <summary>k-means++ centers; every row is assigned to its nearest center and the M-step gives the start.</summary>
    KMeansPlusPlus,

    /// <summary>Uniform random responsibilities (normalised per row); the M-step gives the start.</summary>
    RandomResponsibilities,

    /// <summary>K distinct random rows as centers; every row is assigned to its nearest one and the M-step gives the start.</summary>
    RandomRows,

    /// <summary>
    /// Means are the first K rows, weights 1/K and every covariance is the data's 1/N covariance (its diagonal for
    /// <see cref="CovarianceType.Diagonal"/>, the mean of its diagonal for <see cref="CovarianceType.Spherical"/>).
    /// Deterministic; used for reproducible comparisons with other libraries.
    /// </summary>
    First,
}
