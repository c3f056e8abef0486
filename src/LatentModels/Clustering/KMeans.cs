using System.Diagnostics;
using LatentModels.Data;

namespace LatentModels.Clustering;

/// <summary>
/// Batch K-Means: minimises J = Σᵢ wᵢ‖xᵢ − μ(xᵢ)‖² by alternating nearest-center assignment and mean update.
/// </summary>
/// <remarks>
/// Convergence follows scikit-learn's Lloyd: a start stops when no assignment changes ("strict convergence") or when
/// the total squared center shift falls to <see cref="KMeansOptions.Tolerance"/> × (mean column variance), or at the
/// iteration cap; unless assignments stopped changing, a final assignment step makes the labels match the final
/// centers, and the reported inertia is computed directly from them. Empty clusters take the rows farthest from their
/// centers. The <see cref="KMeansAlgorithm.Accelerated"/> (Hamerly) iteration skips distance computations that its
/// bounds prove unnecessary (with a rounding margin), so it returns exactly what Lloyd returns.
/// </remarks>
public sealed class KMeans : IWeightedEstimator<KMeansModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated at fit time against the data).</param>
    public KMeans(KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>Creates the estimator with default settings and <paramref name="clusters"/> clusters.</summary>
    /// <param name="clusters">Number of clusters K.</param>
    public KMeans(int clusters) : this(new KMeansOptions { Clusters = clusters })
    {
    }

    /// <summary>The settings.</summary>
    public KMeansOptions Options { get; }

    /// <summary>Fits K-Means to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report and the labels of the training rows under the returned centers (scikit-learn's <c>labels_</c>).</returns>
    /// <exception cref="ArgumentException">Bad data (empty, non-finite) or options inconsistent with it (K &gt; N, …).</exception>
    public ClusteringFitResult<KMeansModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return FitCore(data, null, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="Fit(double[,], IProgress{FitProgress}?, CancellationToken)"/> of data (and weights) already checked at
    /// the door of the caller, e.g. the K-Means start of a Gaussian mixture; the weights are not modified.
    /// </summary>
    internal ClusteringFitResult<KMeansModel> FitChecked(double[,] data, double[]? sampleWeights, CancellationToken cancellationToken = default) =>
        FitCore(data, (double[]?)sampleWeights?.Clone(), null, cancellationToken);

    /// <summary>Fits K-Means to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report and the labels of every training row (weight 0 included) under the returned centers.</returns>
    /// <exception cref="ArgumentException">Bad data, bad weights or options inconsistent with the data.</exception>
    public ClusteringFitResult<KMeansModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return FitCore(data, (double[])sampleWeights.Clone(), progress, cancellationToken);
    }

    /// <summary>
    /// Out-of-core K-Means: fits rows that need not fit in memory, reading <paramref name="source"/> again for every
    /// iteration in chunks (memory: one chunk of <c>16 × 1024</c> rows and the centers). Lloyd's algorithm as a driver over the spine's statistics: each block of
    /// <see cref="Statistics.KMeansStatistics.ChunkSize"/> rows gives its <see cref="Statistics.KMeansStatistics"/>, the
    /// blocks are merged in the fixed superblock fold and the update is the Lloyd update with the in-memory rule for empty
    /// clusters (the farthest row of a cluster that can spare it, found by one more pass). The in-memory fit takes the same
    /// fold and rule, so from the same start the two are bit-identical, whatever the chunking or thread count.
    /// </summary>
    /// <remarks>
    /// <para><b>Passes.</b> Two passes before the first iteration (rows and mean; then the mean column
    /// variance that scales <see cref="KMeansOptions.Tolerance"/>, summed in row order exactly as the in-memory fit), one
    /// per iteration (two when a cluster is empty), one last for the final inertia (summed as the in-memory fit sums it).</para>
    /// <para><b>Start.</b> <see cref="KMeansInit.First"/> and <see cref="KMeansInit.Explicit"/> start where the in-memory fit
    /// starts. k-means++ and random rows read the source in passes with the in-memory draws and sums (the in-memory start bit
    /// for bit, for any number of rows; k-means++ reads the source about 2K times).</para>
    /// <para><b>Relation to <see cref="Fit(double[,], IProgress{FitProgress}, CancellationToken)"/>.</b> The same starts,
    /// iterations, trace, centers and inertia, bit for bit — data of any finite range or position included: the first pass
    /// also finds the data's range frame (exact in any chunking), and rows far from the ordinary range or far from the origin
    /// are fitted in it as in memory (docs/reliability.md, "Range"). No labels are returned (they would take memory proportional to the rows): use
    /// <see cref="KMeansModel.Predict(double[,])"/> on chunks.</para>
    /// </remarks>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">Options that do not fit the data (e.g. more clusters than rows), or chunks of another width.</exception>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    public FitResult<KMeansModel> Fit(IRowChunkSource source, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return KMeansOutOfCore.Fit(Options, source, null, progress, cancellationToken);
    }

    /// <summary>
    /// Out-of-core K-Means of weighted rows (<see cref="Fit(IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/>):
    /// the weights are a one-column source read in lockstep with the rows, so from the same start the fit is
    /// <see cref="Fit(double[,], double[], IProgress{FitProgress}, CancellationToken)"/> bit for bit.
    /// </summary>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (one column, re-read with the rows).</param>
    /// <param name="progress">Optional per-iteration report.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">Bad weights (the message names the row), a weight count other than the rows, or options that do not fit the data.</exception>
    /// <exception cref="RowFormatException">A source is empty or malformed.</exception>
    public FitResult<KMeansModel> Fit(IRowChunkSource source, IRowChunkSource sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return KMeansOutOfCore.Fit(Options, source, sampleWeights, progress, cancellationToken);
    }

    FitResult<KMeansModel> IEstimator<KMeansModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<KMeansModel> IWeightedEstimator<KMeansModel>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    /// <summary>
    /// The fit of checked data and a copy of the weights, in the data's <see cref="Statistics.RangeFrame"/> when the data are
    /// out of the ordinary range or far from the origin (see <see cref="KMeansFraming"/>).
    /// </summary>
    private ClusteringFitResult<KMeansModel> FitCore(double[,] data, double[]? weights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        Options.Validate(data.GetLength(0), data.GetLength(1));
        return KMeansFraming.Fit(data, weights, Options.InitialCenters, (x, w, initial) =>
            FitFramed(x, w, initial is null ? Options : Options with { InitialCenters = initial }, progress, cancellationToken));
    }

    private static ClusteringFitResult<KMeansModel> FitFramed(double[,] data, double[]? weights, KMeansOptions o, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int n = data.GetLength(0), d = data.GetLength(1);

        double tolerance = Math.Max(0, o.Tolerance); // × the mean column variance of the first assignment step's statistics
        var random = new Random(o.Seed);
        int starts = o.Init is KMeansInit.First or KMeansInit.Explicit ? 1 : o.Starts;
        var engine = new LloydEngine(data, weights, o.Clusters, o.Algorithm, o.MaxDegreeOfParallelism);
        LloydEngine.Outcome? bestOutcome = null;
        var labels = new int[n];
        for (int s = 0; s < starts; s++)
        {
            double[,] initial = o.Init switch
            {
                KMeansInit.First => FirstRows(data, o.Clusters),
                KMeansInit.RandomRows => KMeansSeeding.RandomRowsCore(data, o.Clusters, random),
                KMeansInit.Explicit => o.InitialCenters!,
                _ => KMeansSeeding.PlusPlusCore(data, o.Clusters, random, weights, o.MaxDegreeOfParallelism, cancellationToken),
            };
            LloydEngine.Outcome outcome = engine.Run(initial, o.MaxIterations, tolerance, s, progress, cancellationToken);
            if (bestOutcome is null || outcome.Inertia < bestOutcome.Inertia)
            {
                bestOutcome = outcome;
                engine.Labels.CopyTo(labels, 0);
            }
        }

        var model = new KMeansModel(bestOutcome!.Centers, bestOutcome.Inertia);
        var report = new FitReport("inertia", bestOutcome.Iterations, bestOutcome.Converged, bestOutcome.Trace, clock.Elapsed);
        return new ClusteringFitResult<KMeansModel>(model, report, labels);
    }

    private static double[,] FirstRows(double[,] data, int k)
    {
        int d = data.GetLength(1);
        var centers = new double[k, d];
        data.AsSpan()[..(k * d)].CopyTo(centers.AsWritableSpan());
        return centers;
    }

    /// <summary>Mean over columns of the (weighted) population variance, two-pass (the mini-batch tolerance's scale).</summary>
    internal static double MeanVariance(double[,] data, double[]? weights)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        ReadOnlySpan<double> x = data.AsSpan();
        var mean = new double[d];
        double total = AddWeightedSums(x, n, d, weights, mean, 0);
        for (int p = 0; p < d; p++)
        {
            mean[p] /= total;
        }

        return AddScatter(x, n, d, weights, mean, 0) / total / d;
    }

    /// <summary>
    /// The first half of <see cref="MeanVariance"/> over <paramref name="n"/> rows (a chunk of a larger data set, in row
    /// order): adds w·x to <paramref name="sums"/> and returns <paramref name="total"/> + Σ w.
    /// </summary>
    internal static double AddWeightedSums(ReadOnlySpan<double> x, int n, int d, ReadOnlySpan<double> weights, Span<double> sums, double total)
    {
        bool weighted = weights.Length > 0;
        for (int i = 0; i < n; i++)
        {
            double w = weighted ? weights[i] : 1.0;
            total += w;
            ReadOnlySpan<double> row = x.Slice(i * d, d);
            for (int p = 0; p < d; p++)
            {
                sums[p] += w * row[p];
            }
        }

        return total;
    }

    /// <summary>The second half of <see cref="MeanVariance"/> over <paramref name="n"/> rows: <paramref name="sum"/> + Σ w‖x − mean‖².</summary>
    internal static double AddScatter(ReadOnlySpan<double> x, int n, int d, ReadOnlySpan<double> weights, ReadOnlySpan<double> mean, double sum)
    {
        bool weighted = weights.Length > 0;
        for (int i = 0; i < n; i++)
        {
            double w = weighted ? weights[i] : 1.0;
            ReadOnlySpan<double> row = x.Slice(i * d, d);
            for (int p = 0; p < d; p++)
            {
                double c = row[p] - mean[p];
                sum += w * c * c;
            }
        }

        return sum;
    }
}
