using LatentModels.Statistics;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>The update rule a <see cref="GaussianMixtureOptions"/> asks for.</summary>
internal static class GaussianUpdateRules
{
    /// <summary>
    /// Maximum likelihood with <see cref="GaussianMixtureOptions.Regularization"/>, or MAP under
    /// <see cref="GaussianMixtureOptions.Prior"/> resolved from the data moments, in coordinates centered on <paramref name="shift"/>.
    /// Maximum likelihood without a regularisation checks every component against the data's collapse floors.
    /// The parameter a total weight too small for the default prior scale is blamed on is <paramref name="weightsParameter"/>
    /// (the caller's: <c>sampleWeights</c> for a fit, <c>options</c> where the weights are already summarised).
    /// </summary>
    public static IGaussianUpdateRule For(GaussianMixtureOptions options, WeightedMoments dataMoments, ReadOnlySpan<double> shift, string weightsParameter = "sampleWeights") =>
        options.Prior is { } prior
            ? new MapUpdate(prior.Resolve(options.Covariance, options.Components, dataMoments, shift, weightsParameter))
            : new MaximumLikelihoodUpdate(options.Regularization,
                options.Regularization == 0 ? Gaussian.CollapseCheck.Floors(dataMoments) : null);
}
