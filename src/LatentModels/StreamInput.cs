namespace LatentModels;

/// <summary>
/// The input side shared by the online estimators (<see cref="Clustering.OnlineKMeans"/>,
/// <see cref="Mixtures.StreamingGaussianMixture"/>): the first non-empty point or batch fixes the dimension, every later
/// one is checked against it, and whole data sets are fed in fixed-size chunks.
/// </summary>
internal static class StreamInput
{
    /// <summary>Fixes <paramref name="dimension"/> (negative while unknown) on the first point and checks the point.</summary>
    /// <exception cref="ArgumentException">The first point is empty, or the point has the wrong length or a non-finite value.</exception>
    /// <remarks>The dimension is fixed only once the point has passed every check, so a rejected first point leaves it unknown.</remarks>
    public static void CheckPoint(ReadOnlySpan<double> point, ref int dimension)
    {
        if (dimension < 0 && point.IsEmpty)
        {
            throw new ArgumentException("The point has no values.", nameof(point));
        }

        int d = dimension < 0 ? point.Length : dimension;
        DataValidation.CheckPoint(point, d, nameof(point));
        dimension = d;
    }

    /// <summary>
    /// Fixes <paramref name="dimension"/> (negative while unknown) on the first non-empty batch and checks the batch;
    /// returns <see langword="false"/> for a batch without rows (nothing to do).
    /// </summary>
    /// <exception cref="ArgumentException">The first batch has no columns, or the batch has the wrong number of columns or a non-finite value.</exception>
    public static bool CheckBatch(double[,] batch, ref int dimension)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.GetLength(0), d = batch.GetLength(1);
        if (rows == 0)
        {
            return false;
        }

        if (dimension < 0 && d == 0)
        {
            throw new ArgumentException("The batch has no columns.", nameof(batch));
        }

        // The dimension is fixed only once the batch has passed every check (a rejected first batch leaves it unknown).
        DataValidation.CheckDimension(batch, dimension < 0 ? d : dimension, nameof(batch));
        DataValidation.CheckFinite(batch.AsSpan(), d, nameof(batch));
        dimension = d;
        return true;
    }

    /// <summary>
    /// Checks a whole data set against <paramref name="dimension"/> (when known), then hands its rows to
    /// <paramref name="update"/> in order, <paramref name="batchSize"/> at a time, in one reused chunk array (a fresh
    /// one only for a shorter last chunk). The chunk is only valid during the call. <paramref name="cancellationToken"/> is
    /// checked before every chunk. The whole data set is checked before the first chunk; the caller captures its state
    /// before the call and restores it when any chunk fails or the token is cancelled (all-or-nothing).
    /// </summary>
    public static void UpdateAll(double[,] data, int batchSize, int dimension, Action<double[,]> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int n = data.GetLength(0), d = data.GetLength(1);
        if (dimension >= 0)
        {
            DataValidation.CheckDimension(data, dimension, nameof(data));
        }
        else if (n > 0 && d == 0)
        {
            throw new ArgumentException("The data have no columns.", nameof(data));
        }

        DataValidation.CheckFinite(data.AsSpan(), Math.Max(d, 1), nameof(data));
        var chunk = new double[Math.Min(batchSize, Math.Max(n, 1)), d];
        for (int start = 0; start < n; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(batchSize, n - start);
            if (rows != chunk.GetLength(0))
            {
                chunk = new double[rows, d];
            }

            data.AsSpan().Slice(start * d, rows * d).CopyTo(chunk.AsWritableSpan());
            update(chunk);
        }
    }

    /// <summary>
    /// Rejects values beyond 2^<paramref name="exponent"/> with an <see cref="ArgumentException"/> on
    /// <paramref name="paramName"/> naming the row and column: a stream has no whole-data range frame and keeps its
    /// statistics in the data's units, where the squares of such values would overflow. NaN and ∞ are left to the input
    /// checks, which name them.
    /// </summary>
    /// <param name="values">Row-major values.</param>
    /// <param name="columns">Values per row.</param>
    /// <param name="paramName">The parameter the values came in.</param>
    /// <param name="exponent">The largest power of two the stream's statistics can hold squared (with their counts).</param>
    /// <param name="batchFit">The whole-data fit to recommend, which rescales internally.</param>
    /// <param name="firstRow">The row number of the first value's row (a chunk of a larger table names its rows in the table).</param>
    public static void CheckRange(ReadOnlySpan<double> values, int columns, string paramName, int exponent, string batchFit, long firstRow = 0)
    {
        double limit = Math.ScaleB(1.0, exponent), largest = values.IsEmpty ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values));
        if (!(largest > limit) || !double.IsFinite(largest))
        {
            return; // in range, or NaN/∞ somewhere: the input check names those
        }

        int at = 0;
        while (!(Math.Abs(values[at]) > limit))
        {
            at++;
        }

        throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The value at row {firstRow + (at / columns)}, column {at % columns} is {values[at]:G4}, beyond 2^{exponent} (about {limit:G1}): a streaming or distributed mixture keeps its statistics in the data's units, where their squares " +
            $"would overflow double. Rescale the data (e.g. divide by a power of two), or fit the whole data set with {batchFit}, which rescales internally."),
            paramName);
    }
}
