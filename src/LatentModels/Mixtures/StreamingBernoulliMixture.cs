using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>Streaming EM for a mixture of independent-Bernoulli vectors (0/1 data): see <see cref="StreamingDiscreteMixture{TComponent}"/>.</summary>
public sealed class StreamingBernoulliMixture : StreamingDiscreteMixture<IndependentBernoulli>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="initialModel">Optional start (then no points are buffered for an initialisation).</param>
    /// <exception cref="ArgumentException">Invalid settings or a start of the wrong shape (named in the message).</exception>
    public StreamingBernoulliMixture(StreamingDiscreteMixtureOptions options, MixtureModel<IndependentBernoulli>? initialModel = null)
        : base(IndependentBernoulliFamily.Instance, options, initialModel)
    {
    }

    private protected override DiscreteMixtureStatistics Statistics(MixtureModel<IndependentBernoulli> model, double[,] data, double[] weights, int maxDegreeOfParallelism) =>
        DiscreteMixtureStatistics.FromBernoulli(model, data, weights, maxDegreeOfParallelism);

    private protected override DiscreteMixtureStatistics Expected(MixtureModel<IndependentBernoulli> model)
    {
        int k = model.Components, d = model.Dimension;
        var weights = model.Weights.ToArray();
        var counts = new double[k * 2 * d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                double p = model.Distributions[c].Probabilities[j];
                counts[c * 2 * d + 2 * j] = weights[c] * (1 - p);
                counts[c * 2 * d + 2 * j + 1] = weights[c] * p;
            }
        }

        return new DiscreteMixtureStatistics(Enumerable.Repeat(2, d).ToArray(), weights, counts, 1, 0);
    }

    private protected override MixtureModel<IndependentBernoulli> ToModel(DiscreteMixtureStatistics statistics, double pseudoCount) =>
        statistics.ToBernoulliModel(pseudoCount);
}
