namespace LatentModels.Mixtures;

/// <summary>
/// The scoring shared by the mixture models (<see cref="GaussianMixtureModel"/>, <see cref="MixtureModel{TComponent}"/>):
/// the destination check of a batch log-density, the mean log-density, the information criteria and the hard assignment.
/// </summary>
internal static class MixtureScoring
{
    /// <summary>Throws unless <paramref name="destination"/> holds at least <paramref name="rows"/> values.</summary>
    public static void CheckDestination(Span<double> destination, int rows)
    {
        if (destination.Length < rows)
        {
            throw new ArgumentException($"The destination has {destination.Length} values for {rows} rows.", nameof(destination));
        }
    }

    /// <summary>
    /// The sum, in row order, of the per-row log-densities of rows read in chunks of
    /// <see cref="Data.RowChunks.DefaultChunkRows"/> (the chunked <c>Score</c> of the mixture models), and the number of rows.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="checkChunk">Validates one chunk (throws on a bad one).</param>
    /// <param name="logDensity">Writes the (checked) chunk's per-row log-densities into the buffer of its length.</param>
    /// <param name="rows">The number of rows read.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    public static double SumLogDensities(
        Data.IRowChunkSource source, Action<double[,]> checkChunk, Action<double[,], double[]> logDensity, out long rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        double s = 0;
        long n = 0;
        double[] values = [];
        foreach (double[,] chunk in source.ReadChunks(Data.RowChunks.DefaultChunkRows, cancellationToken))
        {
            checkChunk(chunk);
            int m = chunk.GetLength(0);
            if (values.Length != m)
            {
                values = new double[m];
            }

            logDensity(chunk, values);
            foreach (double v in values)
            {
                s += v;
            }

            n += m;
        }

        rows = n;
        return s;
    }

    /// <summary>The mean of <paramref name="model"/>'s log-densities of the (checked) rows, summed in row order.</summary>
    public static double MeanLogDensity(IDensityModel model, double[,] data)
    {
        var values = new double[data.GetLength(0)];
        model.LogDensity(data, values);
        double s = 0;
        foreach (double v in values)
        {
            s += v;
        }

        return s / values.Length;
    }

    /// <summary>Bayesian information criterion −2 log L + p ln n from the mean log-likelihood over n rows.</summary>
    public static double Bic(double meanLogLikelihood, int rows, int parameterCount) =>
        -2 * meanLogLikelihood * rows + parameterCount * Math.Log(rows);

    /// <summary>Akaike information criterion −2 log L + 2p from the mean log-likelihood over n rows.</summary>
    public static double Aic(double meanLogLikelihood, int rows, int parameterCount) =>
        -2 * meanLogLikelihood * rows + 2 * parameterCount;

    /// <summary>
    /// The component with the largest log-joint (the first on ties) among <paramref name="count"/> values
    /// <paramref name="values"/>[<paramref name="first"/> + c·<paramref name="stride"/>], c = 0 … count − 1: one row of a
    /// row-major (stride 1) or column-major (stride = block size) log-joint block.
    /// </summary>
    public static int ArgMax(ReadOnlySpan<double> values, int first, int count, int stride)
    {
        int best = 0;
        for (int c = 1; c < count; c++)
        {
            if (values[first + c * stride] > values[first + best * stride])
            {
                best = c;
            }
        }

        return best;
    }
}
