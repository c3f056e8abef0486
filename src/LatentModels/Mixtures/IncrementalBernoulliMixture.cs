using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>Incremental EM for a mixture of independent Bernoulli vectors (0/1 rows); see <see cref="IncrementalDiscreteMixture{TComponent}"/>.</summary>
public sealed class IncrementalBernoulliMixture : IncrementalDiscreteMixture<IndependentBernoulli>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public IncrementalBernoulliMixture(IncrementalDiscreteMixtureOptions options) : base(options)
    {
    }

    /// <inheritdoc />
    private protected override Mixture<IndependentBernoulli> CreateBatch(MixtureOptions options) => new BernoulliMixture(options);

    /// <inheritdoc />
    internal override DiscreteMixtureStatistics Statistics(MixtureModel<IndependentBernoulli> model, double[,] rows, double[]? sampleWeights, int maxDegreeOfParallelism) =>
        DiscreteMixtureStatistics.FromBernoulliUnchecked(model, rows, sampleWeights, maxDegreeOfParallelism);

    /// <inheritdoc />
    internal override MixtureModel<IndependentBernoulli> MStep(DiscreteMixtureStatistics statistics, double pseudoCount) => statistics.ToBernoulliModel(pseudoCount);
}
