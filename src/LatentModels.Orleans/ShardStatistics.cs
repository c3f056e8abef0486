using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Orleans;

/// <summary>
/// The E-step a shard runs: the core's statistics of the shard's rows for the kind of model it is sent, nothing more.
/// Each model type maps to the core's own public call, so a shard computes exactly what one machine computes on the same
/// rows: <see cref="KMeansModel"/> → <see cref="KMeansStatistics.Compute"/>; <see cref="GaussianMixtureModel"/> →
/// <see cref="GaussianMixtureStatistics.Compute"/>; <see cref="VariationalGaussianMixtureModel"/> →
/// <see cref="VariationalGaussianMixtureModel.ComputeStatistics"/> (the variational E-step); a Bernoulli or categorical <see cref="MixtureModel{T}"/> →
/// <see cref="DiscreteMixtureStatistics"/>; <see cref="DictionaryModel"/> → <see cref="DictionaryStatistics.Compute"/>.
/// </summary>
public static class ShardStatistics
{
    /// <summary>The statistics of <paramref name="data"/> under <paramref name="model"/>.</summary>
    /// <param name="model">A model of a supported type.</param>
    /// <param name="data">The shard's rows.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap (results do not depend on it).</param>
    /// <returns>The statistics object (an <see cref="IMergeableStatistics{TSelf}"/>).</returns>
    /// <exception cref="NotSupportedException">The model type has no distributed E-step.</exception>
    public static object Compute(object model, ShardData data, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return model switch
        {
            KMeansModel m => KMeansStatistics.Compute(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            GaussianMixtureModel m => GaussianMixtureStatistics.Compute(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            VariationalGaussianMixtureModel m => m.ComputeStatistics(data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            MixtureModel<IndependentBernoulli> m => DiscreteMixtureStatistics.FromBernoulli(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            MixtureModel<IndependentCategorical> m => DiscreteMixtureStatistics.FromCategorical(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            DictionaryModel m => data.SampleWeights is null
                ? DictionaryStatistics.Compute(m, data.Rows, maxDegreeOfParallelism)
                : throw new NotSupportedException("Dictionary learning takes no sample weights."),
            _ => throw new NotSupportedException($"There is no distributed E-step for {model.GetType().Name}."),
        };
    }

    /// <summary><see cref="Compute(object, ShardData, int)"/> from and to the wire form (what travels between silos).</summary>
    /// <param name="model">The model's payload.</param>
    /// <param name="data">The shard's rows.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap.</param>
    /// <returns>The statistics' payload (bit-exact).</returns>
    /// <exception cref="ModelFormatException">The payload is corrupt or not a valid model.</exception>
    public static ModelPayload Compute(ModelPayload model, ShardData data, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelPayload.Encode(Compute(model.Decode(), data, maxDegreeOfParallelism));
    }
}
