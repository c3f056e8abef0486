using LatentModels.LinearAlgebra;

namespace LatentModels.Distributions;

/// <summary>Argument checks shared by the distributions.</summary>
internal static class DistributionChecks
{
    /// <summary>Validates data and weights for a weighted fit; returns the total weight W.</summary>
    public static double CheckFitInput(double[,] data, ReadOnlySpan<double> weights, string dataName, string weightsName)
    {
        DataValidation.CheckMatrix(data, dataName);
        return weights.IsEmpty ? data.GetLength(0) : DataValidation.CheckWeights(weights, data.GetLength(0), weightsName);
    }

    /// <summary>Checks the model dimension of a batch and the length of its destination.</summary>
    public static void CheckBatch(double[,] data, int dimension, Span<double> destination, string dataName, string destinationName)
    {
        DataValidation.CheckDimension(data, dimension, dataName);
        if (destination.Length < data.GetLength(0))
        {
            throw new ArgumentException($"The destination has {destination.Length} values but the data has {data.GetLength(0)} rows.", destinationName);
        }

        DataValidation.CheckFinite(data.AsSpan(), dimension, dataName);
    }

    /// <summary>The mean log-density of the rows (summed in row order): the <c>Score</c> of the discrete distributions.</summary>
    public static double MeanLogDensity(IDensityModel model, double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        var values = new double[data.GetLength(0)];
        model.LogDensity(data, values);
        return values.Sum() / values.Length;
    }

    /// <summary>Checks that a probability is finite and in [0, 1].</summary>
    public static void CheckProbability(double p, string paramName, string what)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, p, $"{what} is {p}; a probability must be in [0, 1].");
        }
    }

    /// <summary>Checks that a value is exactly 0 or 1.</summary>
    public static void CheckBinary(double value, int row, int column, string paramName)
    {
        if (value != 0 && value != 1)
        {
            throw new ArgumentException($"The value at row {row}, column {column} is {value}; binary data must be 0 or 1.", paramName);
        }
    }

    /// <summary>p·log(p/q) with 0·log(0/q) = 0 and +∞ when p &gt; 0 = q.</summary>
    public static double RelativeEntropyTerm(double p, double q) =>
        p == 0 ? 0 : (q == 0 ? double.PositiveInfinity : p * Math.Log(p / q));

    /// <summary>−p·log p with 0·log 0 = 0.</summary>
    public static double EntropyTerm(double p) => p == 0 ? 0 : -p * Math.Log(p);

    /// <summary>A copy of a 1-D array as an immutable list.</summary>
    public static IReadOnlyList<double> ReadOnly(double[] values) => Array.AsReadOnly(values);
}
