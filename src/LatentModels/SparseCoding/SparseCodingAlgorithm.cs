namespace LatentModels.SparseCoding;

/// <summary>How <see cref="SparseCoder"/> computes the codes.</summary>
public enum SparseCodingAlgorithm
{
    /// <summary>
    /// Lasso by cyclic coordinate descent on the precomputed Gram matrix (covariance updates, active-set sweeps, warm
    /// starts); once the support settles, the codes are refitted exactly on it and accepted when they satisfy the
    /// optimality conditions, otherwise the sweeps go on to the duality-gap tolerance. The default and the fastest.
    /// </summary>
    CoordinateDescent,

    /// <summary>Lasso by LARS (least-angle regression with the lasso modification): the exact homotopy path down to α.</summary>
    Lars,

    /// <summary>Lasso by FISTA (accelerated proximal gradient), batched over blocks of rows through GEMM.</summary>
    Fista,

    /// <summary>
    /// Orthogonal matching pursuit: an L0 budget of <see cref="SparseCoderOptions.Nonzeros"/> atoms per row, chosen
    /// greedily, with least-squares codes on them (α is not used).
    /// </summary>
    OrthogonalMatchingPursuit,
}
