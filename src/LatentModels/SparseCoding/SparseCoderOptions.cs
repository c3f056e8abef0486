namespace LatentModels.SparseCoding;

/// <summary>
/// Settings of <see cref="SparseCoder"/>: the codes of a row x on a dictionary D (atoms as rows) minimise
/// ½‖x − zD‖² + α‖z‖₁ (the lasso algorithms) or ½‖x − zD‖² subject to ‖z‖₀ ≤ <see cref="Nonzeros"/> (OMP).
/// </summary>
public sealed record SparseCoderOptions
{
    /// <summary>The L1 penalty α ≥ 0 (scikit-learn's <c>transform_alpha</c>, on the same per-row scale). Default 1.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>The algorithm. Default <see cref="SparseCodingAlgorithm.CoordinateDescent"/>.</summary>
    public SparseCodingAlgorithm Algorithm { get; init; } = SparseCodingAlgorithm.CoordinateDescent;

    /// <summary>Whether the codes are constrained to be non-negative (not available for OMP).</summary>
    public bool Positive { get; init; }

    /// <summary>The L0 budget of OMP: atoms per row; null means max(d / 10, 1) (scikit-learn's default).</summary>
    public int? Nonzeros { get; init; }

    /// <summary>
    /// The iterative solvers (coordinate descent, FISTA) stop for a row when its duality gap is at most this times its
    /// objective, unless the exact refit on the support has succeeded first. Default 1e-10.
    /// </summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>The cap on sweeps (coordinate descent), iterations (FISTA) or path steps (LARS) per row. Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Thread cap; ≤ 0 means all cores. The codes are the same bits for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>The OMP budget for rows of dimension <paramref name="dimension"/>.</summary>
    internal int NonzerosFor(int dimension) => Nonzeros ?? Math.Max(dimension / 10, 1);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    /// <param name="paramName">The parameter the options came in.</param>
    internal void Validate(string paramName)
    {
        if (!double.IsFinite(Alpha) || Alpha < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, Alpha, $"{nameof(Alpha)} must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentOutOfRangeException(paramName, Algorithm, $"Unknown {nameof(Algorithm)}.");
        }

        if (Nonzeros is < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, Nonzeros, $"{nameof(Nonzeros)} must be at least 1.");
        }

        if (Positive && Algorithm == SparseCodingAlgorithm.OrthogonalMatchingPursuit)
        {
            throw new ArgumentException($"{nameof(Positive)} codes are not available for orthogonal matching pursuit.", paramName);
        }

        if (!(Tolerance >= 0) || !double.IsFinite(Tolerance))
        {
            throw new ArgumentOutOfRangeException(paramName, Tolerance, $"{nameof(Tolerance)} must be finite and non-negative.");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxIterations, $"{nameof(MaxIterations)} must be at least 1.");
        }
    }
}
