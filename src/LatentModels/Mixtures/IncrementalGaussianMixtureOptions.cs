namespace LatentModels.Mixtures;

/// <summary>Settings of <see cref="IncrementalGaussianMixture"/>. Immutable; validated when fitting.</summary>
public sealed record IncrementalGaussianMixtureOptions
{
    /// <summary>
    /// The mixture and its start, exactly as batch EM reads them: <see cref="GaussianMixtureOptions.Components"/>,
    /// <see cref="GaussianMixtureOptions.Covariance"/>, <see cref="GaussianMixtureOptions.Regularization"/>,
    /// <see cref="GaussianMixtureOptions.Init"/> or <see cref="GaussianMixtureOptions.InitialModel"/>,
    /// <see cref="GaussianMixtureOptions.Starts"/>, <see cref="GaussianMixtureOptions.Prior"/>,
    /// <see cref="GaussianMixtureOptions.Seed"/> and <see cref="GaussianMixtureOptions.MaxDegreeOfParallelism"/>; the same
    /// options and seed give the same starting parameters as <see cref="GaussianMixture"/>.
    /// <see cref="GaussianMixtureOptions.MaxIterations"/> and <see cref="GaussianMixtureOptions.Tolerance"/> are not used
    /// (see <see cref="Passes"/> and <see cref="Tolerance"/>).
    /// </summary>
    public GaussianMixtureOptions Mixture { get; init; } = new();

    /// <summary>Number of passes over the data (at least 1). Default 10.</summary>
    public int Passes { get; init; } = 10;

    /// <summary>
    /// Stop early when the mean log-likelihood (log-posterior with a prior) changes by less than this between passes; as
    /// in batch EM (scikit-learn's rule), the change is tested after the next pass, so one more pass runs once it has
    /// settled. Zero (the default) runs exactly <see cref="Passes"/> passes.
    /// </summary>
    public double Tolerance { get; init; }

    internal void Validate(int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(Mixture, nameof(Mixture));
        Mixture.Validate(rows, columns);
        if (Passes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Passes), Passes, "At least one pass is needed.");
        }

        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
    }
}
