namespace LatentModels.Mixtures;

/// <summary>Settings of <see cref="StreamingBernoulliMixture"/> and <see cref="StreamingCategoricalMixture"/>. Validated when the estimator is constructed.</summary>
public sealed record StreamingDiscreteMixtureOptions
{
    /// <summary>
    /// The mixture and its start, read as batch EM reads them: <see cref="MixtureOptions.Components"/>,
    /// <see cref="MixtureOptions.PseudoCount"/> (the M-step is the statistics' MAP update with it),
    /// <see cref="MixtureOptions.Init"/>, <see cref="MixtureOptions.Starts"/> and <see cref="MixtureOptions.Seed"/> (the
    /// batch initialiser, run on the first <see cref="InitializationSize"/> points, unless an initial model is given) and
    /// <see cref="MixtureOptions.MaxDegreeOfParallelism"/>. <see cref="MixtureOptions.MaxIterations"/> and
    /// <see cref="MixtureOptions.Tolerance"/> are not used.
    /// </summary>
    public MixtureOptions Mixture { get; init; } = new();

    /// <summary>α in the step size ηₜ = (t + t₀)^(−α) of the t-th point, in (0.5, 1]; default 0.6 (as <see cref="StreamingGaussianMixtureOptions.StepExponent"/>).</summary>
    public double StepExponent { get; init; } = 0.6;

    /// <summary>t₀ ≥ 0 in ηₜ = (t + t₀)^(−α); default 0 (as <see cref="StreamingGaussianMixtureOptions.StepOffset"/>).</summary>
    public double StepOffset { get; init; }

    /// <summary>
    /// Points consumed before the first M-step; without an initial model they are buffered, the batch initialiser runs
    /// on them and they are consumed as the first mini-batch (as <see cref="StreamingGaussianMixtureOptions.InitializationSize"/>).
    /// Default 20·K; at least K.
    /// </summary>
    public int? InitializationSize { get; init; }

    internal int ResolvedInitializationSize => InitializationSize ?? 20 * Mixture.Components;

    internal void Validate(string paramName)
    {
        MixtureOptions m = Mixture ?? throw new ArgumentNullException(paramName, "Mixture is null.");
        m.Validate(int.MaxValue, true, "discrete");
        if (!(StepExponent > 0.5 && StepExponent <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, StepExponent, $"StepExponent is {StepExponent}; it must lie in (0.5, 1].");
        }

        if (!(StepOffset >= 0) || double.IsPositiveInfinity(StepOffset))
        {
            throw new ArgumentOutOfRangeException(paramName, StepOffset, $"StepOffset is {StepOffset}; it must be finite and non-negative.");
        }

        if (InitializationSize is null && 20L * m.Components > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, m.Components,
                $"Components ({m.Components}) makes the default InitializationSize, 20·Components = {20L * m.Components}, larger than {int.MaxValue}; give InitializationSize.");
        }

        if (ResolvedInitializationSize < m.Components)
        {
            throw new ArgumentOutOfRangeException(paramName, ResolvedInitializationSize, $"InitializationSize ({ResolvedInitializationSize}) must be at least Components ({m.Components}).");
        }
    }
}
