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
