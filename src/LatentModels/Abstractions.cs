namespace LatentModels;

/// <summary>Progress of a long-running fit, reported through <see cref="IProgress{T}"/> once per iteration.</summary>
/// <param name="Start">Zero-based index of the current start (restart) when several starts are tried.</param>
/// <param name="Iteration">One-based iteration number within the current start.</param>
/// <param name="MaxIterations">The iteration cap of the fit.</param>
/// <param name="Objective">The objective after this iteration (inertia, mean log-likelihood, ELBO…).</param>
public readonly record struct FitProgress(int Start, int Iteration, int MaxIterations, double Objective);

/// <summary>What happened during a fit: iterations, convergence and the objective trace.</summary>
public sealed class FitReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="objectiveName">Name of the traced objective, e.g. <c>"inertia"</c> or <c>"meanLogLikelihood"</c>.</param>
    /// <param name="iterations">Iterations performed by the best start.</param>
    /// <param name="converged">Whether the best start met its convergence criterion before the iteration cap.</param>
    /// <param name="objectiveTrace">The objective after each iteration of the best start.</param>
    /// <param name="elapsed">Wall-clock time of the whole fit (all starts).</param>
    public FitReport(string objectiveName, int iterations, bool converged, IReadOnlyList<double> objectiveTrace, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(objectiveName);
        ArgumentNullException.ThrowIfNull(objectiveTrace);
        ObjectiveName = objectiveName;
        Iterations = iterations;
        Converged = converged;
        ObjectiveTrace = objectiveTrace;
        Elapsed = elapsed;
    }

    /// <summary>Name of the traced objective.</summary>
    public string ObjectiveName { get; }

    /// <summary>Iterations performed by the best start.</summary>
    public int Iterations { get; }

    /// <summary>Whether the best start converged before reaching the iteration cap.</summary>
    public bool Converged { get; }

    /// <summary>The objective after each iteration of the best start.</summary>
    public IReadOnlyList<double> ObjectiveTrace { get; }

    /// <summary>Wall-clock time of the whole fit.</summary>
    public TimeSpan Elapsed { get; }
}

/// <summary>A fitted model together with the report of the fit that produced it.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
/// <param name="Model">The immutable fitted model.</param>
/// <param name="Report">What happened during the fit.</param>
/// <remarks>Clustering estimators return the derived <see cref="ClusteringFitResult{TModel}"/>, which adds the labels of the training rows.</remarks>
public record FitResult<TModel>(TModel Model, FitReport Report);

/// <summary>An estimator: holds options and fits a model to the rows of a data matrix.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
public interface IEstimator<TModel>
{
    /// <summary>Fits a model to the rows of <paramref name="data"/> (n × d). The array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    FitResult<TModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>An estimator that also accepts non-negative per-row sample weights.</summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
public interface IWeightedEstimator<TModel> : IEstimator<TModel>
{
    /// <summary>Fits a model to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    FitResult<TModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>An online estimator: consumes points or mini-batches one at a time and exposes a snapshot of its model.</summary>
/// <typeparam name="TModel">The model type of a snapshot.</typeparam>
public interface IOnlineEstimator<TModel>
{
    /// <summary>Number of points consumed so far.</summary>
    long Count { get; }

    /// <summary>Consumes one point.</summary>
    /// <param name="point">The point; its length must equal the model dimension.</param>
    void Update(ReadOnlySpan<double> point);

    /// <summary>Consumes a mini-batch (its rows).</summary>
    /// <param name="batch">The mini-batch, one point per row.</param>
    void Update(double[,] batch);

    /// <summary>An immutable copy of the current model.</summary>
    TModel Snapshot();
}

/// <summary>A model with a (log-)density over d-dimensional rows.</summary>
public interface IDensityModel
{
    /// <summary>Dimension d of one observation.</summary>
    int Dimension { get; }

    /// <summary>Writes the log-density of each row of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="destination">n values.</param>
    void LogDensity(double[,] data, Span<double> destination);

    /// <summary>The log-density of a single observation.</summary>
    /// <param name="point">d values.</param>
    double LogDensity(ReadOnlySpan<double> point);

    /// <summary>Mean log-density (average log-likelihood per row) of <paramref name="data"/>.</summary>
    /// <param name="data">n × d observations.</param>
    double Score(double[,] data);
}

/// <summary>A model that assigns each row to one of a fixed number of clusters or components.</summary>
public interface IClusteringModel
{
    /// <summary>Number of clusters or components.</summary>
    int Clusters { get; }

    /// <summary>Hard assignment of each row.</summary>
    /// <param name="data">n × d observations.</param>
    int[] Predict(double[,] data);

    /// <summary>Hard assignment of one point: the label <see cref="Predict(double[,])"/> gives the same values as a row.</summary>
    /// <param name="point">d values.</param>
    int Predict(ReadOnlySpan<double> point) => Predict(OneRow(point))[0];

    /// <summary>The point as a 1 × d matrix (for the default single-point members).</summary>
    /// <param name="point">d values.</param>
    protected static double[,] OneRow(ReadOnlySpan<double> point)
    {
        var row = new double[1, point.Length];
        point.CopyTo(row.AsWritableSpan());
        return row;
    }
}

/// <summary>A clustering model that also gives soft (probabilistic) assignments.</summary>
public interface ISoftClusteringModel : IClusteringModel
{
    /// <summary>The posterior probability of each component for each row (n × K, rows sum to one).</summary>
    /// <param name="data">n × d observations.</param>
    double[,] PredictProbabilities(double[,] data);

    /// <summary>The posterior probability of each component for one point (K values summing to one), as a row of
    /// <see cref="PredictProbabilities(double[,])"/>.</summary>
    /// <param name="point">d values.</param>
    double[] PredictProbabilities(ReadOnlySpan<double> point)
    {
        double[,] p = PredictProbabilities(OneRow(point));
        var row = new double[p.GetLength(1)];
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = p[0, c];
        }

        return row;
    }
}

/// <summary>A generative model that draws samples with a caller-supplied random source.</summary>
public interface ISampler
{
    /// <summary>Draws <paramref name="count"/> observations (rows of the result).</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source; the model never uses global state.</param>
    double[,] Sample(int count, Random random);
}

/// <summary>Raised when a fit cannot continue, e.g. a covariance that is no longer positive definite.</summary>
public class FittingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FittingException(string message) : base(message) { }

    /// <summary>Creates the exception naming the offending component.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="component">Zero-based index of the offending component.</param>
    public FittingException(string message, int component) : base(message) => Component = component;

    /// <summary>Creates the exception with an inner exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FittingException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Zero-based index of the offending component, when one is to blame.</summary>
    public int? Component { get; }
}
