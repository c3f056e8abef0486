using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>Incremental EM for a mixture of independent categorical vectors (category codes); see <see cref="IncrementalDiscreteMixture{TComponent}"/>.</summary>
public sealed class IncrementalCategoricalMixture : IncrementalDiscreteMixture<IndependentCategorical>
{
    private readonly int[] _categoryCounts;

    /// <summary>Creates the estimator.</summary>
    /// <param name="categoryCounts">The number of categories Cⱼ ≥ 1 of each column (copied).</param>
    /// <param name="options">The settings (validated when fitting).</param>
    public IncrementalCategoricalMixture(int[] categoryCounts, IncrementalDiscreteMixtureOptions options) : base(options)
    {
        ArgumentNullException.ThrowIfNull(categoryCounts);
        _ = new IndependentCategoricalFamily(categoryCounts); // validates the counts now
        _categoryCounts = (int[])categoryCounts.Clone();
    }

    /// <inheritdoc />
    private protected override Mixture<IndependentCategorical> CreateBatch(MixtureOptions options) => new CategoricalMixture(_categoryCounts, options);

    /// <inheritdoc />
    internal override DiscreteMixtureStatistics Statistics(MixtureModel<IndependentCategorical> model, double[,] rows, double[]? sampleWeights, int maxDegreeOfParallelism) =>
        DiscreteMixtureStatistics.FromCategoricalUnchecked(model, rows, sampleWeights, maxDegreeOfParallelism);

    /// <inheritdoc />
    internal override MixtureModel<IndependentCategorical> MStep(DiscreteMixtureStatistics statistics, double pseudoCount) => statistics.ToCategoricalModel(pseudoCount);
}
