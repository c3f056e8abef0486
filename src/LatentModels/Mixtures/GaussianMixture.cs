using System.Diagnostics;
using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM (maximum likelihood, or MAP under a <see cref="GaussianMixturePrior"/>) for a Gaussian mixture with full,
/// diagonal, spherical or tied covariances. The E-step works in log space through the Cholesky factors of the
/// precisions; per-block responsibility-weighted statistics (weight, mean, centered scatter) are merged in block order,
/// so the same seed gives the same bits for any <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/>.
/// </summary>
/// <remarks>
/// The report's objective trace holds, after every iteration, the mean log-likelihood of the new parameters
/// (<c>"meanLogLikelihood"</c>), or with a prior the mean log-posterior (log-likelihood + log-prior, over the total
/// weight; <c>"meanLogPosterior"</c>). EM never decreases it (up to the tiny effect of
/// <see cref="GaussianMixtureOptions.Regularization"/> on MLE fits, and except in an iteration that re-seeds a component
/// that lost all its weight).
/// </remarks>
public sealed class GaussianMixture : IWeightedEstimator<GaussianMixtureModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public GaussianMixture(GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public GaussianMixtureOptions Options { get; }

    /// <summary>Fits the mixture to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row under the returned model
    /// (a final E-step, as scikit-learn's <c>fit_predict</c>; equal to <c>Model.Predict(data)</c>).</returns>
    public SoftClusteringFitResult<GaussianMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return FitCore(data, null, progress, cancellationToken);
    }

    /// <summary>Fits the mixture to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row (weight 0 included).</returns>
    public SoftClusteringFitResult<GaussianMixtureModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return FitCore(data, sampleWeights, progress, cancellationToken);
    }

    /// <summary>
    /// Fits the mixture to rows that need not fit in memory: the source is read again, in chunks, for every pass (memory:
    /// one chunk and the parameters).
    /// </summary>
    /// <remarks>
    /// <para><b>Passes.</b> A first pass sums the data moments (the centre of the statistics and the default MAP prior) in
    /// the in-memory order; every EM iteration is one pass: the E-step of each block of
    /// <c>GaussianMixtureEngine.BlockSizeFor(K, d)</c> rows (the in-memory blocks), merged in block order, then the same
    /// maximum-likelihood or MAP M-step, stopping rule, objective trace, progress and multiple starts as
    /// <see cref="Fit(double[,], IProgress{FitProgress}, CancellationToken)"/>. A component that loses all its weight is
    /// re-seeded at the worst-explained row as in memory (one more pass reads that row).</para>
    /// <para><b>Starts.</b> <see cref="GaussianMixtureOptions.InitialModel"/>, the initial weights, means and precisions,
    /// <see cref="MixtureInit.First"/>, <see cref="MixtureInit.KMeansPlusPlus"/>, <see cref="MixtureInit.RandomRows"/> and
    /// <see cref="MixtureInit.RandomResponsibilities"/> are the in-memory start bit for bit (the same seed draws the same
    /// rows and values; k-means++ reads the source about 2K times), so every iteration has the in-memory bits, for every
    /// covariance type, ML and MAP. <see cref="MixtureInit.KMeans"/> starts from the out-of-core
    /// <see cref="KMeans.Fit(IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/> (the same seed; the in-memory
    /// K-Means bit for bit), its labels and one M-step: the in-memory start too. Data of extreme range (beyond about 1e±150, or far from the origin) and extreme weights
    /// are fitted in the in-memory frame (one more pass finds it; the chunks are mapped as they are read), with the same
    /// bits. The training labels and responsibilities are not returned: use
    /// <see cref="GaussianMixtureModel.Predict(double[,])"/> on chunks.</para>
    /// </remarks>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every block.</param>
    /// <returns>The model and the report.</returns>
    /// <exception cref="ArgumentException">Options that do not fit the data, or chunks of another width.</exception>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    /// <exception cref="FittingException">A covariance is not positive definite.</exception>
    public FitResult<GaussianMixtureModel> Fit(IRowChunkSource source, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return GaussianMixtureOutOfCore.Fit(Options, source, null, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="Fit(IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/> of weighted rows: the weights are a
    /// second source of one column, read in lockstep with the rows (never whole); a row of weight w counts as w copies of
    /// itself. From the same start it has the bits of <see cref="Fit(double[,], double[], IProgress{FitProgress}, CancellationToken)"/>.
    /// </summary>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row (one column), not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every block.</param>
    /// <returns>The model and the report.</returns>
    /// <exception cref="ArgumentException">Options that do not fit the data, chunks of another width, bad weights or a count of weights other than the rows'.</exception>
    /// <exception cref="RowFormatException">A source is empty or malformed.</exception>
    /// <exception cref="FittingException">A covariance is not positive definite.</exception>
    public FitResult<GaussianMixtureModel> Fit(IRowChunkSource source, IRowChunkSource sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return GaussianMixtureOutOfCore.Fit(Options, source, sampleWeights, progress, cancellationToken);
    }

    /// <inheritdoc />
    FitResult<GaussianMixtureModel> IEstimator<GaussianMixtureModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<GaussianMixtureModel> IWeightedEstimator<GaussianMixtureModel>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    /// <summary>The fit of data (and weights) checked at the door: public entry points validate, the core trusts.</summary>
    private SoftClusteringFitResult<GaussianMixtureModel> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        Options.Validate(data.GetLength(0), data.GetLength(1));
        return GaussianMixtureFraming.Fit(data, sampleWeights, Options, (x, w, o) => FitFramed(x, w, o, progress, cancellationToken));
    }

    /// <summary>The fit in the units <see cref="GaussianMixtureFraming"/> chose (the data's own in the ordinary range).</summary>
    private static SoftClusteringFitResult<GaussianMixtureModel> FitFramed(double[,] data, double[]? sampleWeights, GaussianMixtureOptions o, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var engine = new GaussianMixtureEngine(data, sampleWeights, o);
        (GaussianComponents best, FitReport report) = EmDriver.Run(new GaussianBatchRun(engine, data, sampleWeights, o, cancellationToken),
            o.Starts, o.Seed, o.MaxIterations, o.Tolerance, engine.Rule.ObjectiveName, progress, cancellationToken, clock);
        var model = new GaussianMixtureModel(best);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels); // the final E-step: labels and responsibilities in one pass
        return new SoftClusteringFitResult<GaussianMixtureModel>(model, report, labels, responsibilities);
    }

    /// <summary>
    /// Sets <c>engine.Current</c> to the starting parameters the options ask for (<see cref="GaussianMixtureOptions.InitialModel"/>,
    /// or <see cref="GaussianMixtureOptions.Init"/> with any of <see cref="GaussianMixtureOptions.InitialWeights"/>,
    /// <see cref="GaussianMixtureOptions.InitialMeans"/> and <see cref="GaussianMixtureOptions.InitialPrecisions"/> replacing
    /// its parameters), drawing from <paramref name="random"/>; shared by every EM variant so the same options and seed give
    /// the same start. <paramref name="cancellationToken"/> reaches the K-Means start (its seeding, center by center, and
    /// every Lloyd iteration) and the k-means++ seeding.
    /// </summary>
    internal static void Initialize(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, GaussianMixtureOptions o, Random random, CancellationToken cancellationToken = default) =>
        Initialize(engine, o, () => InitializeByMethod(engine, data, sampleWeights, o, random, cancellationToken));

    /// <summary>
    /// <see cref="Initialize(GaussianMixtureEngine, double[,], double[], GaussianMixtureOptions, Random, CancellationToken)"/>
    /// with the start by <see cref="GaussianMixtureOptions.Init"/> given (in memory, or over a source out of core).
    /// </summary>
    internal static void Initialize(GaussianMixtureEngine engine, GaussianMixtureOptions o, Action initializeByMethod)
    {
        if (o.InitialModel is { } initial)
        {
            engine.InitializeFrom(initial.Parameters);
            return;
        }

        bool complete = o.InitialWeights is not null && o.InitialMeans is not null && o.InitialPrecisions is not null;
        if (!complete)
        {
            initializeByMethod();
        }

        if (o.InitialWeights is not null || o.InitialMeans is not null || o.InitialPrecisions is not null)
        {
            engine.InitializeFrom(o.PartialStart(engine.Current));
        }
    }

    /// <summary>Sets <c>engine.Current</c> by <see cref="GaussianMixtureOptions.Init"/>.</summary>
    private static void InitializeByMethod(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, GaussianMixtureOptions o, Random random, CancellationToken cancellationToken)
    {
        int n = data.GetLength(0), k = o.Components;
        switch (o.Init)
        {
            case MixtureInit.First:
                engine.InitializeFirst();
                break;
            case MixtureInit.RandomResponsibilities:
                {
                    double[] resp = EmStarts.RandomResponsibilities(n, k, random);
                    engine.InitializeFromResponsibilities(resp, random);
                    break;
                }

            case MixtureInit.RandomRows:
                {
                    int[] rows = EmStarts.DistinctRows(n, k, random);
                    int d = data.GetLength(1);
                    var centers = new double[k, d];
                    for (int c = 0; c < k; c++)
                    {
                        data.Row(rows[c]).CopyTo(centers.AsWritableSpan().Slice(c * d, d));
                    }

                    engine.InitializeFromLabels(NearestCenter(data, centers, o.MaxDegreeOfParallelism), random);
                    break;
                }

            case MixtureInit.KMeansPlusPlus:
                {
                    double[,] centers = KMeansSeeding.PlusPlusCore(data, k, random, sampleWeights, 0, cancellationToken); // data and weights checked at the door
                    engine.InitializeFromLabels(NearestCenter(data, centers, o.MaxDegreeOfParallelism), random);
                    break;
                }

            default:
                {
                    var kmeans = new KMeans(new KMeansOptions { Clusters = k, Seed = random.Next(), MaxDegreeOfParallelism = o.MaxDegreeOfParallelism });
                    KMeansModel fitted = kmeans.FitChecked(data, sampleWeights, cancellationToken).Model;
                    var labels = new int[n];
                    fitted.Assign(data, labels, maxDegreeOfParallelism: 0); // = Predict, without checking the data again
                    engine.InitializeFromLabels(labels, random);
                    break;
                }
        }
    }

    private static int[] NearestCenter(double[,] data, double[,] centers, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1), k = centers.GetLength(0);
        var distances = new double[n * k];
        Distances.PairwiseSquared(data.AsSpan(), n, d, centers.AsSpan(), k, distances, maxDegreeOfParallelism);
        var labels = new int[n];
        Distances.RowArgMin(distances, n, k, labels, default);
        return labels;
    }

    /// <summary>
    /// Fits one mixture per candidate number of components and picks the one with the lowest BIC.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="candidates">Candidate numbers of components (each between 1 and n).</param>
    /// <param name="options">Settings for every fit; <see cref="GaussianMixtureOptions.Components"/> is replaced by each candidate.</param>
    /// <param name="cancellationToken">Cancels between fits and iterations.</param>
    public static GaussianMixtureSelection SelectComponentsByBic(double[,] data, IEnumerable<int> candidates, GaussianMixtureOptions options, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<GaussianMixtureCandidate>();
        foreach (int k in candidates)
        {
            FitResult<GaussianMixtureModel> fit = new GaussianMixture(options with { Components = k, InitialModel = null }).FitCore(data, null, null, cancellationToken);
            double score = fit.Model.ScoreChecked(data); // the data was checked once above
            int n = data.GetLength(0), p = fit.Model.ParameterCount;
            results.Add(new GaussianMixtureCandidate(k, MixtureScoring.Bic(score, n, p), MixtureScoring.Aic(score, n, p), fit));
        }

        if (results.Count == 0)
        {
            throw new ArgumentException("There are no candidate numbers of components.", nameof(candidates));
        }

        GaussianMixtureCandidate best = results[0];
        foreach (GaussianMixtureCandidate r in results)
        {
            if (r.Bic < best.Bic)
            {
                best = r;
            }
        }

        return new GaussianMixtureSelection(best, results);
    }
}
