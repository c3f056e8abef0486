using System.Diagnostics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>
/// Mini-batch K-Means over epochs (Sculley 2010, with scikit-learn's <c>MiniBatchKMeans</c> stopping rules): every epoch
/// visits the rows once in a fresh seeded random order, <see cref="MiniBatchKMeansOptions.BatchSize"/> at a time; each
/// mini-batch is assigned to the current centers and moves each center to the weighted mean of everything it has won
/// (the <see cref="OnlineKMeans"/> update with per-row weights; centers start with zero weight, as in scikit-learn).
/// </summary>
/// <remarks>
/// <para>Stopping follows scikit-learn's <c>_mini_batch_convergence</c>: the first mini-batch is ignored; then the mean
/// batch inertia (Σ wᵢ‖xᵢ − μ(xᵢ)‖² of the batch against the centers before its update, over its number of rows) is
/// smoothed by an exponentially weighted average with α = min(1, 2B / (n + 1)); the fit stops when a batch moved the
/// centers by at most <see cref="MiniBatchKMeansOptions.Tolerance"/> × mean column variance (if that is positive), or when
/// the average has not reached a new minimum for <see cref="MiniBatchKMeansOptions.MaxNoImprovement"/> consecutive
/// batches. Unlike scikit-learn, which draws each mini-batch with replacement, every row is used once per epoch.</para>
/// <para>The report counts mini-batch steps as iterations (scikit-learn's <c>n_steps_</c>); its trace holds the smoothed
/// mean batch inertia after every step (the first step's own mean batch inertia first); it is converged when a stopping
/// rule ended the fit before the epoch cap. The model's inertia and the labels are those of the final centers on all
/// rows, as scikit-learn computes them.</para>
/// </remarks>
public sealed class MiniBatchKMeans : IWeightedEstimator<KMeansModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public MiniBatchKMeans(MiniBatchKMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public MiniBatchKMeansOptions Options { get; }

    /// <summary>Fits to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-mini-batch progress sink (the objective is the smoothed mean batch inertia).</param>
    /// <param name="cancellationToken">Cancels the fit between mini-batches.</param>
    /// <returns>The model, the report and the label of every row under the final centers.</returns>
    /// <exception cref="ArgumentException">Bad data or options inconsistent with it.</exception>
    public ClusteringFitResult<KMeansModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return FitCore(data, null, progress, cancellationToken);
    }

    /// <summary>Fits to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-mini-batch progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between mini-batches.</param>
    /// <returns>The model (its inertia weighted), the report and the label of every row (weight 0 included).</returns>
    /// <exception cref="ArgumentException">Bad data, bad weights (the message names the row) or options inconsistent with the data.</exception>
    public ClusteringFitResult<KMeansModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return FitCore(data, (double[])sampleWeights.Clone(), progress, cancellationToken);
    }

    /// <summary>
    /// Fits to rows read from a source in bounded memory, with the bits of <see cref="Fit(double[,], IProgress{FitProgress}, CancellationToken)"/>
    /// on the same rows: the same start (the in-memory seeding over the source), the same shuffled order of every epoch, the
    /// same mini-batches and the same final inertia. Memory: one int per row (the epoch's order), a window of at most
    /// 64 MiB of rows (an epoch reads the source once per window: once for a data set of at most 64 MiB of rows) and one
    /// chunk; the seeding and the tolerance's scale read the source in passes as the out-of-core <see cref="KMeans"/> does.
    /// </summary>
    /// <param name="source">The rows (every pass must give the same rows).</param>
    /// <param name="progress">Optional per-mini-batch progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every mini-batch.</param>
    /// <returns>The model and the report; no labels (they would take memory per row: use <see cref="KMeansModel.Predict(double[,])"/> chunk by chunk).</returns>
    /// <exception cref="ArgumentException">Bad data (a chunk of another width, no rows) or options inconsistent with it.</exception>
    /// <exception cref="Data.RowFormatException">The source is malformed.</exception>
    public FitResult<KMeansModel> Fit(Data.IRowChunkSource source, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return MiniBatchKMeansOutOfCore.Fit(Options, source, null, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="Fit(Data.IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/> with sample weights: a one-column
    /// source read in lockstep with the rows (one chunk of each in memory, plus one double per row of the window), with the
    /// bits of <see cref="Fit(double[,], double[], IProgress{FitProgress}, CancellationToken)"/>.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, one column, not all zero.</param>
    /// <param name="progress">Optional per-mini-batch progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every mini-batch.</param>
    /// <returns>The model (its inertia weighted) and the report.</returns>
    /// <exception cref="ArgumentException">Bad data, bad weights (named <c>sampleWeights</c>, with the row) or options inconsistent with the data.</exception>
    /// <exception cref="Data.RowFormatException">A source is malformed.</exception>
    public FitResult<KMeansModel> Fit(Data.IRowChunkSource source, Data.IRowChunkSource sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return MiniBatchKMeansOutOfCore.Fit(Options, source, sampleWeights, progress, cancellationToken);
    }

    /// <inheritdoc />
    FitResult<KMeansModel> IEstimator<KMeansModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<KMeansModel> IWeightedEstimator<KMeansModel>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    private ClusteringFitResult<KMeansModel> FitCore(double[,] data, double[]? weights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        Options.Validate(data.GetLength(0), data.GetLength(1));
        return KMeansFraming.Fit(data, weights, Options.InitialCenters, (x, w, initial) =>
            FitFramed(x, w, initial is null ? Options : Options with { InitialCenters = initial }, progress, cancellationToken));
    }

    /// <summary>The fit in the units <see cref="KMeansFraming"/> chose (the data's own in the ordinary range).</summary>
    private static ClusteringFitResult<KMeansModel> FitFramed(double[,] data, double[]? weights, MiniBatchKMeansOptions o, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int n = data.GetLength(0), d = data.GetLength(1), k = o.Clusters;
        var random = new Random(o.Seed);
        double[,] initial = o.Init switch
        {
            KMeansInit.First => FirstRows(data, k),
            KMeansInit.RandomRows => KMeansSeeding.RandomRowsCore(data, k, random),
            KMeansInit.Explicit => o.InitialCenters!,
            _ => KMeansSeeding.PlusPlusCore(data, k, random, weights, o.MaxDegreeOfParallelism, cancellationToken),
        };
        double tolerance = o.Tolerance > 0 ? o.Tolerance * KMeans.MeanVariance(data, weights) : 0;
        int batch = Math.Min(o.BatchSize, n);
        var steps = new MiniBatchKMeansSteps(o, initial, random, tolerance, n, batch);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var rows = new double[batch * d];
        var rowWeights = weights is null ? [] : new double[batch];
        ReadOnlySpan<double> x = data.AsSpan();
        for (int epoch = 0; epoch < o.MaxEpochs && !steps.Converged; epoch++)
        {
            MiniBatchKMeansSteps.Shuffle(order, random);
            for (int start = 0; start < n && !steps.Converged; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batch, n - start);
                for (int r = 0; r < count; r++)
                {
                    int row = order[start + r];
                    x.Slice(row * d, d).CopyTo(rows.AsSpan(r * d, d));
                    if (weights is not null)
                    {
                        rowWeights[r] = weights[row];
                    }
                }

                steps.Step(rows.AsSpan(0, count * d), rowWeights.AsSpan(0, weights is null ? 0 : count), count, progress);
            }
        }

        KMeansModel centers = steps.Snapshot();
        var labels = new int[n];
        centers.Assign(data, labels, o.MaxDegreeOfParallelism);
        double total = centers.WeightedInertiaOf(data, labels, weights); // KMeansModel.InertiaOf's blocks: the same bits as 'latent score'
        var model = new KMeansModel(centers.Centers, total);
        var report = new FitReport("ewaMeanBatchInertia", steps.Steps, steps.Converged, steps.Trace, clock.Elapsed);
        return new ClusteringFitResult<KMeansModel>(model, report, labels);
    }

    private static double[,] FirstRows(double[,] data, int k)
    {
        int d = data.GetLength(1);
        var centers = new double[k, d];
        data.AsSpan()[..(k * d)].CopyTo(centers.AsWritableSpan());
        return centers;
    }
}
