using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>Streaming EM for a mixture of independent categorical vectors (category codes): see <see cref="StreamingDiscreteMixture{TComponent}"/>.</summary>
public sealed class StreamingCategoricalMixture : StreamingDiscreteMixture<IndependentCategorical>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="categoryCounts">The number of categories Cⱼ ≥ 1 of each column.</param>
    /// <param name="options">The settings.</param>
    /// <param name="initialModel">Optional start (then no points are buffered for an initialisation).</param>
    /// <exception cref="ArgumentException">Invalid settings or a start of the wrong shape (named in the message).</exception>
    public StreamingCategoricalMixture(int[] categoryCounts, StreamingDiscreteMixtureOptions options, MixtureModel<IndependentCategorical>? initialModel = null)
        : base(new IndependentCategoricalFamily(categoryCounts), options, initialModel)
    {
    }

    private protected override DiscreteMixtureStatistics Statistics(MixtureModel<IndependentCategorical> model, double[,] data, double[] weights, int maxDegreeOfParallelism) =>
        DiscreteMixtureStatistics.FromCategorical(model, data, weights, maxDegreeOfParallelism);

    private protected override DiscreteMixtureStatistics Expected(MixtureModel<IndependentCategorical> model)
    {
        int k = model.Components;
        int[] categoryCounts = model.Distributions[0].CategoryCounts.ToArray();
        int size = categoryCounts.Sum();
        var weights = model.Weights.ToArray();
        var counts = new double[k * size];
        for (int c = 0; c < k; c++)
        {
            int at = c * size;
            for (int j = 0; j < categoryCounts.Length; j++)
            {
                foreach (double p in model.Distributions[c].GetProbabilities(j))
                {
                    counts[at++] = weights[c] * p;
                }
            }
        }

        return new DiscreteMixtureStatistics(categoryCounts, weights, counts, 1, 0);
    }

    private protected override MixtureModel<IndependentCategorical> ToModel(DiscreteMixtureStatistics statistics, double pseudoCount) =>
        statistics.ToCategoricalModel(pseudoCount);
}
