using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Statistics;

namespace LatentModels.Variational;

/// <summary>
/// Stochastic variational inference (Hoffman, Blei, Wang &amp; Paisley 2013) of the variational Bayesian Gaussian mixture on a
/// data set: <see cref="StochasticVariationalGaussianMixtureOptions.Epochs"/> passes, each over the rows in a fresh shuffled
/// order in mini-batches of <see cref="StochasticVariationalGaussianMixtureOptions.BatchSize"/>, one natural-gradient step per
/// mini-batch (see <see cref="StreamingVariationalGaussianMixture"/>, which does the work). The prior's unset
/// hyper-parameters are resolved from the whole data set's moments, exactly as <see cref="VariationalGaussianMixture"/>
/// resolves them, so the two fits' ELBOs compare.
/// </summary>
/// <remarks>
/// The report's trace (<c>"elbo"</c>) holds after every epoch the full ELBO of (the optimal responsibilities of the rows,
/// the current global factors) — one extra E-step over the data per epoch; <see cref="FitReport.Converged"/> is false (SVI
/// runs its epochs). The same seed gives the same bits for any <see cref="VariationalGaussianMixtureOptions.MaxDegreeOfParallelism"/>.
/// </remarks>
public sealed class StochasticVariationalGaussianMixture : IWeightedEstimator<VariationalGaussianMixtureModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">Invalid settings (the message names the option).</exception>
    public StochasticVariationalGaussianMixture(StochasticVariationalGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public StochasticVariationalGaussianMixtureOptions Options { get; }

    /// <summary>
    /// A stream set up for passes over <paramref name="data"/>: N = <see cref="StochasticVariationalGaussianMixtureOptions.DataSize"/>
    /// or the number of rows, and the prior's unset mean and covariance resolved from the rows' moments (the batch fit's
    /// defaults). Feed it with <see cref="StreamingVariationalGaussianMixture.UpdateEpoch(double[,], CancellationToken)"/>; save it to continue later.
    /// </summary>
    /// <param name="data">n × d finite rows (not modified).</param>
    /// <exception cref="ArgumentException">Bad data, or options that do not fit them (named in the message).</exception>
    public StreamingVariationalGaussianMixture CreateStream(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return CreateStreamChecked(Options, data, null);
    }

    /// <summary><see cref="CreateStream(double[,])"/> for weighted rows: the default prior from their weighted moments (as the batch fit's).</summary>
    /// <param name="data">n × d finite rows (not modified).</param>
    /// <param name="sampleWeights">n finite non-negative weights, not all zero (not modified).</param>
    /// <exception cref="ArgumentException">Bad data or weights, or options that do not fit them.</exception>
    public StreamingVariationalGaussianMixture CreateStream(double[,] data, double[] sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return CreateStreamChecked(Options, data, sampleWeights);
    }

    /// <summary>Fits the posterior to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-epoch progress sink (the objective is the full ELBO on the data).</param>
    /// <param name="cancellationToken">Cancels the fit between mini-batches.</param>
    /// <returns>The model (with its ELBO on the data), the report, and the labels and variational responsibilities of every row.</returns>
    /// <exception cref="ArgumentException">Bad data, or options that do not fit them.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (only possible with Regularization = 0).</exception>
    public SoftClusteringFitResult<VariationalGaussianMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        DataValidation.CheckMatrix(data, nameof(data));
        return FitFramed(data, null, progress, cancellationToken, clock);
    }

    /// <summary>Fits to weighted rows: a row of weight w counts as w copies of itself (in the steps, the default prior and the bound).</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero; they go with their rows through the shuffles.</param>
    /// <param name="progress">Optional per-epoch progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between mini-batches.</param>
    /// <returns>The model (with its ELBO on the weighted rows), the report, and the labels and responsibilities of every row.</returns>
    /// <exception cref="ArgumentException">Bad data or weights, or options that do not fit them.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (only possible with Regularization = 0).</exception>
    public SoftClusteringFitResult<VariationalGaussianMixtureModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return FitFramed(data, sampleWeights, progress, cancellationToken, clock);
    }

    /// <inheritdoc />
    FitResult<VariationalGaussianMixtureModel> IWeightedEstimator<VariationalGaussianMixtureModel>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    /// <summary>
    /// The fit in the data's range frame, as the batch variational fit (<see cref="VariationalGaussianMixtureFraming"/>): data
    /// beyond 2^±200 or far from the origin are fitted scaled and centred, with the priors, the regularisation and an initial
    /// model mapped in and the posterior, the ELBO and its trace mapped back; ordinary data take the core unchanged (same bits).
    /// </summary>
    private SoftClusteringFitResult<VariationalGaussianMixtureModel> FitFramed(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken, Stopwatch clock)
    {
        Options.Mixture.Validate(data.GetLength(0), data.GetLength(1));
        return VariationalGaussianMixtureFraming.Fit(data, sampleWeights, Options.Mixture,
            (x, w, m) => FitCore(Options with { Mixture = m }, x, w, progress, cancellationToken, clock));
    }

    private static SoftClusteringFitResult<VariationalGaussianMixtureModel> FitCore(StochasticVariationalGaussianMixtureOptions options, double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken, Stopwatch clock)
    {
        StreamingVariationalGaussianMixture stream = CreateStreamChecked(options, data, sampleWeights);
        int epochs = options.Epochs;
        var trace = new List<double>(epochs);
        double elbo = double.NaN, lowerBound = double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            stream.UpdateEpochChecked(data, sampleWeights, cancellationToken);
            (elbo, lowerBound) = stream.Bounds(data, sampleWeights);
            trace.Add(elbo);
            progress?.Report(new FitProgress(0, epoch, epochs, elbo));
        }

        VariationalGaussianMixtureModel model = stream.SnapshotWithBounds(elbo, lowerBound);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        var report = new FitReport("elbo", epochs, false, trace, clock.Elapsed);
        return new SoftClusteringFitResult<VariationalGaussianMixtureModel>(model, report, labels, responsibilities);
    }

    /// <inheritdoc />
    FitResult<VariationalGaussianMixtureModel> IEstimator<VariationalGaussianMixtureModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <summary>
    /// <see cref="CreateStream(double[,])"/> for rows read from a source in chunks (bounded memory): one pass counts the
    /// rows and sums their moments in the order of the array's (so the resolved prior has the same bits); feed the stream
    /// with <see cref="StreamingVariationalGaussianMixture.UpdateEpoch(IRowChunkSource, long?, CancellationToken)"/>, which
    /// takes the same steps as the array epochs.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">The source changes width, or options that do not fit the rows (named in the message).</exception>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    public StreamingVariationalGaussianMixture CreateStream(IRowChunkSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        bool fullScatter = VariationalShape.For(Options.Mixture.Covariance).NeedsFullScatter;
        WeightedMoments? moments = null, scratch = null;
        long n = 0;
        int d = 0;
        foreach (double[,] chunk in source.ReadChunks(RowChunks.DefaultChunkRows, cancellationToken))
        {
            int rows = chunk.GetLength(0);
            if (moments is null)
            {
                d = chunk.GetLength(1);
                moments = new WeightedMoments(d, fullScatter);
                scratch = new WeightedMoments(d, fullScatter);
            }
            else if (chunk.GetLength(1) != d)
            {
                throw new ArgumentException($"{source.Name} has {chunk.GetLength(1)} columns at row {n}; its first rows have {d}.", nameof(source));
            }

            // Chunks of a multiple of WeightedMoments.ChunkSize rows: the summation of FromRowsChecked on the whole array.
            moments.AccumulateRowsChecked(chunk.AsSpan(), rows, null, scratch!);
            n += rows;
        }

        if (moments is null)
        {
            throw new RowFormatException(source.Name, 0, 0, "has no rows.");
        }

        if (n > int.MaxValue)
        {
            throw new ArgumentException($"{source.Name} has {n} rows; a stream over a source counts at most {int.MaxValue}.", nameof(source));
        }

        WeightedMoments resolved = moments;
        return CreateStreamFromMoments(Options, (int)n, d, () => resolved);
    }

    private static StreamingVariationalGaussianMixture CreateStreamChecked(StochasticVariationalGaussianMixtureOptions o, double[,] data, double[]? sampleWeights) =>
        CreateStreamFromMoments(o, data.GetLength(0), data.GetLength(1),
            () => WeightedMoments.FromRowsChecked(data, sampleWeights, fullScatter: VariationalShape.For(o.Mixture.Covariance).NeedsFullScatter));

    /// <summary>The stream over n rows of width d, the prior's unset hyper-parameters resolved from the rows' moments (computed only when needed).</summary>
    private static StreamingVariationalGaussianMixture CreateStreamFromMoments(StochasticVariationalGaussianMixtureOptions o, int n, int d, Func<WeightedMoments> rowMoments)
    {
        VariationalGaussianMixtureOptions m = o.Mixture;
        m.Validate(n, d);
        if (m.MeanPrior is null || m.CovariancePrior is null)
        {
            WeightedMoments moments = rowMoments();
            double[]? covariancePrior = m.CovariancePrior;
            if (covariancePrior is null)
            {
                if (!(moments.Weight > 1))
                {
                    throw new ArgumentException("The default covariance prior (the data covariance) needs a total sample weight above 1; give CovariancePrior.", "sampleWeights");
                }

                VariationalShape shape = VariationalShape.For(m.Covariance);
                covariancePrior = new double[shape.PriorLength(d)];
                shape.DefaultPrior(moments, d, covariancePrior);
                if (double.IsNaN(shape.LogDetW0(covariancePrior, d)))
                {
                    throw new ArgumentException("The data covariance (the default covariance prior) is singular (e.g. a constant column); give CovariancePrior.", "data");
                }
            }

            m = m with { MeanPrior = m.MeanPrior ?? moments.MeanSpan.ToArray(), CovariancePrior = covariancePrior };
        }

        return new StreamingVariationalGaussianMixture(o with { Mixture = m, DataSize = o.DataSize ?? n });
    }
}
