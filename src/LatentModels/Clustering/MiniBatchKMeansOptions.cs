namespace LatentModels.Clustering;

/// <summary>Settings of <see cref="MiniBatchKMeans"/>. Validated when fitting.</summary>
public sealed record MiniBatchKMeansOptions
{
    /// <summary>Number of clusters K (1 ≤ K ≤ number of rows).</summary>
    public int Clusters { get; init; }

    /// <summary>Rows per mini-batch (scikit-learn's <c>batch_size</c>, default 1024); the last batch of an epoch holds the rest.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// Cap on the passes over the data (scikit-learn's <c>max_iter</c>, default 100). Each epoch visits every row once, in
    /// a fresh seeded random order. Zero returns the initial centers.
    /// </summary>
    public int MaxEpochs { get; init; } = 100;

    /// <summary>
    /// Early stopping on the smoothed inertia (scikit-learn's <c>max_no_improvement</c>, default 10): the fit stops when the
    /// exponentially weighted average of the mean mini-batch inertia has not reached a new minimum for this many
    /// consecutive mini-batches. Null disables it.
    /// </summary>
    public int? MaxNoImprovement { get; init; } = 10;

    /// <summary>
    /// Early stopping on the center change (scikit-learn's <c>tol</c>, default 0 = off): the fit stops when one mini-batch
    /// moves the centers by Σₖ‖Δμₖ‖² ≤ Tolerance × (mean per-column variance of the data; weighted with sample weights).
    /// </summary>
    public double Tolerance { get; init; }

    /// <summary>How the initial centers are chosen (on the whole data, with the sample weights); k-means++ by default.</summary>
    public KMeansInit Init { get; init; } = KMeansInit.KMeansPlusPlus;

    /// <summary>The K × d initial centers when <see cref="Init"/> is <see cref="KMeansInit.Explicit"/> (copied, never modified).</summary>
    public double[,]? InitialCenters { get; init; }

    /// <summary>Re-seeding of centers that win (almost) nothing, as <see cref="OnlineKMeansOptions.ReassignmentRatio"/> (default 0.01).</summary>
    public double ReassignmentRatio { get; init; } = 0.01;

    /// <summary>Seed of all randomness (initialisation, the order of every epoch, re-seeding); the same seed gives the same bits.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; ≤ 0 means all cores. Results are bit-identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    internal void Validate(int rows, int columns)
    {
        const string p = "options";
        if (MaxEpochs < 0)
        {
            throw new ArgumentOutOfRangeException(p, MaxEpochs, $"{nameof(MaxEpochs)} is {MaxEpochs}; it must be non-negative (0 returns the initial centers).");
        }

        new KMeansOptions { Clusters = Clusters, Init = Init, InitialCenters = InitialCenters, MaxIterations = MaxEpochs }.Validate(rows, columns);
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(p, BatchSize, $"{nameof(BatchSize)} is {BatchSize}; at least one row per mini-batch is needed.");
        }

        if (MaxNoImprovement is < 1)
        {
            throw new ArgumentOutOfRangeException(p, MaxNoImprovement, $"{nameof(MaxNoImprovement)} is {MaxNoImprovement}; it must be at least 1 (or null to disable).");
        }

        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(p, Tolerance, $"{nameof(Tolerance)} is {Tolerance}; it must be finite and non-negative.");
        }

        if (!double.IsFinite(ReassignmentRatio) || ReassignmentRatio < 0 || ReassignmentRatio >= 1)
        {
            throw new ArgumentOutOfRangeException(p, ReassignmentRatio, $"{nameof(ReassignmentRatio)} is {ReassignmentRatio}; it must lie in [0, 1).");
        }
    }
}
