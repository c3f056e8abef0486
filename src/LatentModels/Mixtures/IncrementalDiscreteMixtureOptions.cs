namespace LatentModels.Mixtures;

/// <summary>Settings of <see cref="IncrementalBernoulliMixture"/> and <see cref="IncrementalCategoricalMixture"/>. Immutable; validated when fitting.</summary>
public sealed record IncrementalDiscreteMixtureOptions
{
    /// <summary>
    /// The mixture and its start, exactly as batch EM reads them: <see cref="MixtureOptions.Components"/>,
    /// <see cref="MixtureOptions.Init"/>, <see cref="MixtureOptions.Starts"/>, <see cref="MixtureOptions.PseudoCount"/>,
    /// <see cref="MixtureOptions.Seed"/> and <see cref="MixtureOptions.MaxDegreeOfParallelism"/>; the same options and
    /// seed give the same starting parameters as the batch estimator. <see cref="MixtureOptions.MaxIterations"/> and
    /// <see cref="MixtureOptions.Tolerance"/> are not used (see <see cref="Passes"/> and <see cref="Tolerance"/>).
    /// </summary>
    public MixtureOptions Mixture { get; init; } = new();

    /// <summary>Number of passes over the data (at least 1). Default 10.</summary>
    public int Passes { get; init; } = 10;

    /// <summary>
    /// Stop early when the objective changes by less than this between passes (the batch estimators' rule: the change is
    /// tested after the next pass). Zero (the default) runs exactly <see cref="Passes"/> passes.
    /// </summary>
    public double Tolerance { get; init; }

    /// <summary>
    /// Rows per block (at least 1; default 256): a pass visits the fixed blocks of consecutive rows in order and takes one
    /// M-step after each block. A block size of at least n makes one pass one batch EM iteration.
    /// </summary>
    public int BlockSize { get; init; } = 256;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Mixture, nameof(Mixture));
        if (Passes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Passes), Passes, "At least one pass is needed.");
        }

        if (BlockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "A block needs at least one row.");
        }

        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
    }
}
