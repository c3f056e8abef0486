using LatentModels.Persistence;
using LatentModels.Randomness;

namespace LatentModels.Clustering;

/// <summary>Settings of <see cref="OnlineKMeans"/>. Validated when the estimator is constructed.</summary>
public sealed record OnlineKMeansOptions
{
    /// <summary>Number of clusters K.</summary>
    public int Clusters { get; init; }

    /// <summary>
    /// How the centers start: <see cref="KMeansInit.First"/> (the first K points, each counted once; the default),
    /// <see cref="KMeansInit.KMeansPlusPlus"/> or <see cref="KMeansInit.RandomRows"/> on the first
    /// <see cref="InitializationSize"/> points (each seed counted once), or <see cref="KMeansInit.Explicit"/> centers
    /// (with zero counts, so, as in scikit-learn, a center that wins nothing in the first mini-batch is re-seeded).
    /// </summary>
    public KMeansInit Init { get; init; } = KMeansInit.First;

    /// <summary>The K × d starting centers when <see cref="Init"/> is <see cref="KMeansInit.Explicit"/> (copied).</summary>
    public double[,]? InitialCenters { get; init; }

    /// <summary>Points buffered before k-means++ or random seeding (default 3K); they are then consumed as a mini-batch.</summary>
    public int? InitializationSize { get; init; }

    /// <summary>
    /// Step size ηₖ as a function of the count nₖ of points center k has won, the new one included. Null means
    /// ηₖ = 1/nₖ, which keeps every center at the mean of the points it has won (Robbins–Monro: Σηₖ = ∞, Σηₖ² &lt; ∞).
    /// </summary>
    public Func<long, double>? LearningRate { get; init; }

    /// <summary>
    /// Centers whose count falls below this fraction of the largest count are re-seeded at random points of the current
    /// mini-batch (at most half the batch), as scikit-learn's MiniBatchKMeans does, every 10·K points or whenever some
    /// center has won nothing. Zero disables re-seeding.
    /// </summary>
    public double ReassignmentRatio { get; init; } = 0.01;

    /// <summary>
    /// Seed of all randomness (seeding and re-seeding). The draws come from a <see cref="PersistableRandom"/>, whose state
    /// is saved with the estimator, so a state saved with <see cref="ModelJson"/> continues bit for bit.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>Thread cap for mini-batch assignment; ≤ 0 means all cores. Results are identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }
}
