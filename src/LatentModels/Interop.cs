using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace LatentModels;

/// <summary>
/// Conversions between the library's row-major <c>double[,]</c> matrices and other representations, and overloads that
/// let every estimator and model take <c>double[][]</c> rows or a MathNet <see cref="Matrix{T}"/> directly.
/// </summary>
/// <remarks>
/// <para>
/// The library computes on one contiguous row-major block (one observation per row), which is exactly what a
/// <c>double[,]</c> is, so <c>double[,]</c> data is never copied on the way in. Every other layout needs exactly one
/// copy, and the overloads here make exactly one:
/// </para>
/// <list type="bullet">
/// <item><description><c>double[][]</c>: each row is a separate array, so the rows are copied once into a
/// <c>double[,]</c> (ragged or null rows are rejected, naming the row).</description></item>
/// <item><description>MathNet dense matrices store their values column by column (column-major), so rows are not
/// contiguous: one cache-blocked transposing copy produces the row-major block. Sparse and diagonal matrices are
/// expanded once. (If your observations are the <em>columns</em> of a d × n dense matrix, its storage is already the
/// n × d row-major layout, but a <c>double[,]</c> cannot wrap an existing <c>double[]</c>, so one plain copy remains.)</description></item>
/// </list>
/// <para>The caller's arrays and matrices are never modified.</para>
/// </remarks>
public static class Interop
{
    private const int Tile = 32;

    /// <summary>Copies a jagged array (rows of equal length) into a rectangular matrix.</summary>
    /// <param name="rows">The rows; none may be null and all must have the same length.</param>
    /// <exception cref="ArgumentException">There are no rows, or a row is null or has a different length from row 0.</exception>
    public static double[,] ToMatrix(this double[][] rows) => DataValidation.ToRectangular(rows, nameof(rows));

    /// <summary>
    /// Copies a MathNet matrix into a rectangular row-major array: one cache-blocked transposing pass over the column-major
    /// storage of a dense matrix, one expansion for other storages.
    /// </summary>
    /// <param name="matrix">The MathNet matrix.</param>
    public static double[,] ToMatrix(this Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return RowMajor(matrix, nameof(matrix));
    }

    /// <summary>Copies a rectangular array into a MathNet dense matrix (one transposing copy into its column-major storage).</summary>
    /// <param name="array">The array.</param>
    public static Matrix<double> ToMathNet(this double[,] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        int n = array.GetLength(0), d = array.GetLength(1);
        var columnMajor = new double[n * d];
        ReadOnlySpan<double> src = array.AsSpan();
        for (int i0 = 0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(n, i0 + Tile);
            for (int j0 = 0; j0 < d; j0 += Tile)
            {
                int j1 = Math.Min(d, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        columnMajor[j * n + i] = src[i * d + j];
                    }
                }
            }
        }

        return Matrix<double>.Build.Dense(n, d, columnMajor); // takes the array without copying it
    }

    /// <summary>Fits the estimator to rows given as a jagged array (copied once into a row-major block).</summary>
    /// <typeparam name="TModel">The fitted model type.</typeparam>
    /// <param name="estimator">The estimator.</param>
    /// <param name="data">n rows of equal length d.</param>
    /// <param name="progress">Optional progress reports.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <exception cref="ArgumentException">Ragged or null rows, or whatever the estimator rejects.</exception>
    public static FitResult<TModel> Fit<TModel>(this IEstimator<TModel> estimator, double[][] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return estimator.Fit(DataValidation.ToRectangular(data, nameof(data)), progress, cancellationToken);
    }

    /// <summary>Fits the estimator to the rows of a MathNet matrix (one transposing copy of dense storage).</summary>
    /// <typeparam name="TModel">The fitted model type.</typeparam>
    /// <param name="estimator">The estimator.</param>
    /// <param name="data">n × d observations, one per row.</param>
    /// <param name="progress">Optional progress reports.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    public static FitResult<TModel> Fit<TModel>(this IEstimator<TModel> estimator, Matrix<double> data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return estimator.Fit(RowMajor(data, nameof(data)), progress, cancellationToken);
    }

    /// <summary>Fits the estimator to weighted rows given as a jagged array (copied once; the weights are not copied).</summary>
    /// <typeparam name="TModel">The fitted model type.</typeparam>
    /// <param name="estimator">The estimator.</param>
    /// <param name="data">n rows of equal length d.</param>
    /// <param name="sampleWeights">n non-negative weights.</param>
    /// <param name="progress">Optional progress reports.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    public static FitResult<TModel> Fit<TModel>(this IWeightedEstimator<TModel> estimator, double[][] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return estimator.Fit(DataValidation.ToRectangular(data, nameof(data)), sampleWeights, progress, cancellationToken);
    }

    /// <summary>Fits the estimator to the weighted rows of a MathNet matrix (one transposing copy of dense storage).</summary>
    /// <typeparam name="TModel">The fitted model type.</typeparam>
    /// <param name="estimator">The estimator.</param>
    /// <param name="data">n × d observations, one per row.</param>
    /// <param name="sampleWeights">n non-negative weights.</param>
    /// <param name="progress">Optional progress reports.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    public static FitResult<TModel> Fit<TModel>(this IWeightedEstimator<TModel> estimator, Matrix<double> data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return estimator.Fit(RowMajor(data, nameof(data)), sampleWeights, progress, cancellationToken);
    }

    /// <summary>Feeds a mini-batch given as a jagged array (copied once).</summary>
    /// <typeparam name="TModel">The model type of the online estimator.</typeparam>
    /// <param name="estimator">The online estimator.</param>
    /// <param name="batch">The rows.</param>
    public static void Update<TModel>(this IOnlineEstimator<TModel> estimator, double[][] batch)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        estimator.Update(DataValidation.ToRectangular(batch, nameof(batch)));
    }

    /// <summary>Feeds the rows of a MathNet matrix as one mini-batch (one transposing copy of dense storage).</summary>
    /// <typeparam name="TModel">The model type of the online estimator.</typeparam>
    /// <param name="estimator">The online estimator.</param>
    /// <param name="batch">The rows.</param>
    public static void Update<TModel>(this IOnlineEstimator<TModel> estimator, Matrix<double> batch)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        estimator.Update(RowMajor(batch, nameof(batch)));
    }

    /// <summary>Feeds one point given as a MathNet vector (a dense vector's storage is used without copying).</summary>
    /// <typeparam name="TModel">The model type of the online estimator.</typeparam>
    /// <param name="estimator">The online estimator.</param>
    /// <param name="point">The point.</param>
    public static void Update<TModel>(this IOnlineEstimator<TModel> estimator, Vector<double> point)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        estimator.Update(Values(point, nameof(point)));
    }

    /// <summary>The log-density of each row of a jagged array.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">n rows of length <see cref="IDensityModel.Dimension"/>.</param>
    /// <returns>n log-densities.</returns>
    public static double[] LogDensity(this IDensityModel model, double[][] data) => LogDensities(model, DataValidation.ToRectangular(data, nameof(data)));

    /// <summary>The log-density of each row of a MathNet matrix.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">n × <see cref="IDensityModel.Dimension"/> observations.</param>
    /// <returns>n log-densities.</returns>
    public static double[] LogDensity(this IDensityModel model, Matrix<double> data) => LogDensities(model, RowMajor(data, nameof(data)));

    /// <summary>The log-density of one point given as a MathNet vector (a dense vector is not copied).</summary>
    /// <param name="model">The model.</param>
    /// <param name="point">The point.</param>
    public static double LogDensity(this IDensityModel model, Vector<double> point)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.LogDensity(Values(point, nameof(point)));
    }

    /// <summary>The mean log-density of the rows of a jagged array.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The rows.</param>
    public static double Score(this IDensityModel model, double[][] data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Score(DataValidation.ToRectangular(data, nameof(data)));
    }

    /// <summary>The mean log-density of the rows of a MathNet matrix.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The observations, one per row.</param>
    public static double Score(this IDensityModel model, Matrix<double> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Score(RowMajor(data, nameof(data)));
    }

    /// <summary>The cluster of each row of a jagged array.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The rows.</param>
    public static int[] Predict(this IClusteringModel model, double[][] data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Predict(DataValidation.ToRectangular(data, nameof(data)));
    }

    /// <summary>The cluster of each row of a MathNet matrix.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The observations, one per row.</param>
    public static int[] Predict(this IClusteringModel model, Matrix<double> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Predict(RowMajor(data, nameof(data)));
    }

    /// <summary>The component probabilities of each row of a jagged array (n × K).</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The rows.</param>
    public static double[,] PredictProbabilities(this ISoftClusteringModel model, double[][] data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.PredictProbabilities(DataValidation.ToRectangular(data, nameof(data)));
    }

    /// <summary>The component probabilities of each row of a MathNet matrix (n × K).</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The observations, one per row.</param>
    public static double[,] PredictProbabilities(this ISoftClusteringModel model, Matrix<double> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.PredictProbabilities(RowMajor(data, nameof(data)));
    }

    private static double[] LogDensities(IDensityModel model, double[,] data)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new double[data.GetLength(0)];
        model.LogDensity(data, result);
        return result;
    }

    private static ReadOnlySpan<double> Values(Vector<double> point, string paramName)
    {
        ArgumentNullException.ThrowIfNull(point, paramName);
        return point.Storage is DenseVectorStorage<double> dense ? dense.Data.AsSpan(0, dense.Length) : point.ToArray();
    }

    /// <summary>The matrix as a row-major block: a blocked transpose of dense column-major storage, else one expansion.</summary>
    private static double[,] RowMajor(Matrix<double> matrix, string paramName)
    {
        ArgumentNullException.ThrowIfNull(matrix, paramName);
        int n = matrix.RowCount, d = matrix.ColumnCount;
        if (matrix.Storage is not DenseColumnMajorMatrixStorage<double> dense)
        {
            return matrix.ToArray();
        }

        var result = new double[n, d];
        Span<double> dst = result.AsWritableSpan();
        double[] src = dense.Data;
        for (int j0 = 0; j0 < d; j0 += Tile)
        {
            int j1 = Math.Min(d, j0 + Tile);
            for (int i0 = 0; i0 < n; i0 += Tile)
            {
                int i1 = Math.Min(n, i0 + Tile);
                for (int j = j0; j < j1; j++)
                {
                    ReadOnlySpan<double> column = src.AsSpan(j * n + i0, i1 - i0);
                    for (int i = i0; i < i1; i++)
                    {
                        dst[i * d + j] = column[i - i0];
                    }
                }
            }
        }

        return result;
    }
}
