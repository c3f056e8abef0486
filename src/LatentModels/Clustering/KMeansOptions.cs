namespace LatentModels.Clustering;

/// <summary>Settings of a batch K-Means fit. Validated when <see cref="KMeans.Fit(double[,], IProgress{FitProgress}?, CancellationToken)"/> runs.</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters K (1 ≤ K ≤ number of rows).</summary>
    public int Clusters { get; init; }

    /// <summary>How initial centers are chosen; k-means++ by default.</summary>
    public KMeansInit Init { get; init; } = KMeansInit.KMeansPlusPlus;

    /// <summary>The K × d initial centers when <see cref="Init"/> is <see cref="KMeansInit.Explicit"/> (copied, never modified).</summary>
    public double[,]? InitialCenters { get; init; }

    /// <summary>Number of starts (restarts from fresh random initialisations); the lowest inertia wins. Deterministic
    /// initialisations (<see cref="KMeansInit.First"/>, <see cref="KMeansInit.Explicit"/>) run once.</summary>
    public int Starts { get; init; } = 1;

    /// <summary>
    /// Iteration cap per start, at least 0. Zero returns the initial centers themselves (with the inertia and labels of
    /// the assignment to them; 0 iterations, not converged); among several starts the lowest inertia wins.
    /// </summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// Relative tolerance: a start stops when Σₖ‖μₖ⁽ᵗ⁾ − μₖ⁽ᵗ⁻¹⁾‖² ≤ Tolerance × (mean per-column variance of the data),
    /// as in scikit-learn (the same test after the same iteration, so the same iteration count). It also stops when no
    /// assignment changes ("strict convergence"). Zero disables the shift test. With sample weights the variance is the
    /// weighted one, so integer weights fit exactly as repeated rows (scikit-learn uses the unweighted variance there).
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>The iteration used; <see cref="KMeansAlgorithm.Accelerated"/> by default.</summary>
    public KMeansAlgorithm Algorithm { get; init; } = KMeansAlgorithm.Accelerated;

    /// <summary>Seed of all randomness (initialisation); the same seed gives bit-identical results.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; ≤ 0 means all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    internal void Validate(int rows, int columns)
    {
        const string p = "options";
        if (Clusters < 1)
        {
            throw new ArgumentOutOfRangeException(p, Clusters, $"{nameof(Clusters)} is {Clusters}; at least one cluster is needed.");
        }

        if (Clusters > rows)
        {
            throw new ArgumentOutOfRangeException(p, Clusters, $"{nameof(Clusters)} (K = {Clusters}) exceeds the number of rows (N = {rows}); K must not exceed N.");
        }

        if (Starts < 1)
        {
            throw new ArgumentOutOfRangeException(p, Starts, $"{nameof(Starts)} is {Starts}; at least one start is needed.");
        }

        if (MaxIterations < 0)
        {
            throw new ArgumentOutOfRangeException(p, MaxIterations, $"{nameof(MaxIterations)} is {MaxIterations}; it must be non-negative (0 returns the initial centers).");
        }

        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(p, Tolerance, $"{nameof(Tolerance)} is {Tolerance}; it must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Init))
        {
            throw new ArgumentOutOfRangeException(p, Init, $"{nameof(Init)} {Init} is not a known initialisation.");
        }

        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentOutOfRangeException(p, Algorithm, $"{nameof(Algorithm)} {Algorithm} is not a known algorithm.");
        }

        if (Init == KMeansInit.Explicit)
        {
            if (InitialCenters is null)
            {
                throw new ArgumentException($"{nameof(Init)} is {nameof(KMeansInit.Explicit)} but {nameof(InitialCenters)} is null.", p);
            }

            if (InitialCenters.GetLength(0) != Clusters || InitialCenters.GetLength(1) != columns)
            {
                throw new ArgumentException(
                    $"{nameof(InitialCenters)} is {InitialCenters.GetLength(0)} × {InitialCenters.GetLength(1)} but must be {Clusters} × {columns} (Clusters × data columns).", p);
            }

            DataValidation.CheckFinite(InitialCenters.AsSpan(), columns, p);
        }
        else if (InitialCenters is not null)
        {
            throw new ArgumentException($"{nameof(InitialCenters)} is set but {nameof(Init)} is {Init}; set {nameof(Init)} = {nameof(KMeansInit.Explicit)} to use them.", p);
        }
    }
}
