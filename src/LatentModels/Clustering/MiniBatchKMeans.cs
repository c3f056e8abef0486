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
        var online = new OnlineKMeans(new OnlineKMeansOptions
        {
            Clusters = k,
            Init = KMeansInit.Explicit,
            InitialCenters = initial,
            ReassignmentRatio = o.ReassignmentRatio,
            Seed = random.Next(),
            MaxDegreeOfParallelism = o.MaxDegreeOfParallelism,
        });

        double tolerance = o.Tolerance > 0 ? o.Tolerance * KMeans.MeanVariance(data, weights) : 0;
        int batch = Math.Min(o.BatchSize, n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        int maxSteps = (int)Math.Min(int.MaxValue, (long)o.MaxEpochs * stepsPerEpoch);
        double alpha = Math.Min(1.0, batch * 2.0 / (n + 1));
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var rows = new double[batch * d];
        var rowWeights = weights is null ? [] : new double[batch];
        var before = tolerance > 0 ? new double[k * d] : [];
        var trace = new List<double>();
        double ewa = double.NaN, ewaMin = double.NaN;
        int noImprovement = 0, step = 0;
        bool converged = false;
        ReadOnlySpan<double> x = data.AsSpan();
        for (int epoch = 0; epoch < o.MaxEpochs && !converged; epoch++)
        {
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            for (int start = 0; start < n && !converged; start += batch)
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

                if (tolerance > 0)
                {
                    online.CopyCentersTo(before);
                }

                double inertia = online.StepChecked(rows.AsSpan(0, count * d), rowWeights.AsSpan(0, weights is null ? 0 : count), count) / count;
                step++;
                double shift = tolerance > 0 ? online.SquaredShiftFrom(before) : 0;
                if (step == 1)
                {
                    // scikit-learn ignores the first step: its inertia is that of the initialisation.
                    trace.Add(inertia);
                }
                else
                {
                    ewa = double.IsNaN(ewa) ? inertia : ewa * (1 - alpha) + inertia * alpha;
                    trace.Add(ewa);
                    if (tolerance > 0 && shift <= tolerance)
                    {
                        converged = true;
                    }
                    else if (double.IsNaN(ewaMin) || ewa < ewaMin)
                    {
                        noImprovement = 0;
                        ewaMin = ewa;
                    }
                    else if (o.MaxNoImprovement is int patience && ++noImprovement >= patience)
                    {
                        converged = true;
                    }
                }

                progress?.Report(new FitProgress(0, step, maxSteps, trace[^1]));
            }
        }

        KMeansModel centers = online.Snapshot();
        var labels = new int[n];
        centers.Assign(data, labels, o.MaxDegreeOfParallelism);
        double total = centers.WeightedInertiaOf(data, labels, weights); // KMeansModel.InertiaOf's blocks: the same bits as 'latent score'
        var model = new KMeansModel(centers.Centers, total);
        var report = new FitReport("ewaMeanBatchInertia", step, converged, trace.ToArray(), clock.Elapsed);
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
