namespace LatentModels.Distributions;

/// <summary>
/// A distribution that can be fitted by (weighted) maximum likelihood to the rows of a data matrix. Generic estimators
/// (e.g. the M-step of a mixture) call <see cref="Fit(double[,], ReadOnlySpan{double})"/> through the type parameter.
/// </summary>
/// <typeparam name="TSelf">The implementing distribution.</typeparam>
public interface IMaximumLikelihood<TSelf> where TSelf : IMaximumLikelihood<TSelf>
{
    /// <summary>
    /// The maximum-likelihood estimate from the rows of <paramref name="data"/>, each row weighted by the matching entry of
    /// <paramref name="weights"/> (a row of weight w counts as w copies of itself). The data is never modified.
    /// </summary>
    /// <param name="data">n × d observations, one per row.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means every row has weight 1.</param>
    /// <exception cref="ArgumentException">The data or weights are invalid (message names the row and column).</exception>
    /// <exception cref="FittingException">The estimate is degenerate (e.g. a singular covariance).</exception>
    static abstract TSelf Fit(double[,] data, ReadOnlySpan<double> weights);

    /// <summary>The number of free parameters of this distribution (for BIC and AIC, e.g. of a mixture of it).</summary>
    int ParameterCount { get; }
}
