namespace LatentModels.LinearAlgebra;

/// <summary>Numerically stable log-sum-exp and log-weight normalisation (the maximum is always subtracted first).</summary>
public static class LogSumExp
{
    /// <summary>log Σ exp(vᵢ), stable for any finite input; −∞ when every value is −∞.</summary>
    /// <param name="values">The values (at least one).</param>
    public static double Compute(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        double s = 0;
        foreach (double v in values)
        {
            s += Math.Exp(v - max);
        }

        return max + Math.Log(s);
    }

    /// <summary>Row-wise log-sum-exp of a row-major rows × cols matrix.</summary>
    /// <param name="values">rows × cols, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="destination">rows results.</param>
    public static void Rows(ReadOnlySpan<double> values, int rows, int cols, Span<double> destination)
    {
        for (int i = 0; i < rows; i++)
        {
            destination[i] = Compute(values.Slice(i * cols, cols));
        }
    }

    /// <summary>
    /// Turns each row of log-weights into normalised probabilities in place (exp(vᵢ − LSE)), and writes each row's
    /// log-sum-exp into <paramref name="logNormalizers"/> (which may be empty).
    /// </summary>
    /// <param name="logWeights">rows × cols, row-major; overwritten with probabilities.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="logNormalizers">rows log-sum-exp values, or empty.</param>
    public static void NormalizeRowsInPlace(Span<double> logWeights, int rows, int cols, Span<double> logNormalizers)
    {
        for (int i = 0; i < rows; i++)
        {
            Span<double> row = logWeights.Slice(i * cols, cols);
            double lse = Compute(row);
            for (int j = 0; j < cols; j++)
            {
                row[j] = Math.Exp(row[j] - lse);
            }

            if (!logNormalizers.IsEmpty)
            {
                logNormalizers[i] = lse;
            }
        }
    }
}
