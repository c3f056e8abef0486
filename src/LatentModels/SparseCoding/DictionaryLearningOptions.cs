namespace LatentModels.SparseCoding;

/// <summary>
/// Settings of <see cref="DictionaryLearning"/> (batch) and <see cref="OnlineDictionaryLearning"/> (mini-batches):
/// learn K atoms D (rows, norm at most one) minimising Σᵢ ½‖xᵢ − zᵢD‖² + α‖zᵢ‖₁ jointly over codes and dictionary.
/// </summary>
public sealed record DictionaryLearningOptions
{
    /// <summary>The number of atoms K (required, ≥ 1).</summary>
    public int Atoms { get; init; }

    /// <summary>The L1 penalty α ≥ 0 of the codes (scikit-learn's <c>alpha</c>, same per-row scale). Default 1.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>The starting atoms. Default <see cref="DictionaryInit.KMeansPlusPlus"/>.</summary>
    public DictionaryInit Init { get; init; } = DictionaryInit.KMeansPlusPlus;

    /// <summary>Batch: the cap on iterations (codes, then one pass over the atoms). Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// Batch: stop when the cost falls by less than this times the cost (scikit-learn's <c>tol</c>; 0 runs
    /// <see cref="MaxIterations"/> iterations unless the cost rises). Default 1e-8.
    /// </summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Online: rows per mini-batch (the CLI's <c>--batch-size</c>). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Whether the codes are constrained to be non-negative.</summary>
    public bool PositiveCodes { get; init; }

    /// <summary>Seed of every random choice (the starting rows, the re-seeding of unused atoms).</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; ≤ 0 means all cores. The results are the same bits for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>The lasso settings used for the codes during learning.</summary>
    internal SparseCoderOptions CoderOptions => new()
    {
        Alpha = Alpha,
        Positive = PositiveCodes,
        Algorithm = SparseCodingAlgorithm.CoordinateDescent,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    /// <param name="paramName">The parameter the options came in.</param>
    internal void Validate(string paramName)
    {
        if (Atoms < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, Atoms, $"{nameof(Atoms)} must be at least 1.");
        }

        if (!double.IsFinite(Alpha) || Alpha < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, Alpha, $"{nameof(Alpha)} must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Init))
        {
            throw new ArgumentOutOfRangeException(paramName, Init, $"Unknown {nameof(Init)}.");
        }

        if (MaxIterations < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxIterations, $"{nameof(MaxIterations)} must be non-negative.");
        }

        if (!(Tolerance >= 0) || !double.IsFinite(Tolerance))
        {
            throw new ArgumentOutOfRangeException(paramName, Tolerance, $"{nameof(Tolerance)} must be finite and non-negative.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, BatchSize, $"{nameof(BatchSize)} must be at least 1.");
        }
    }
}
