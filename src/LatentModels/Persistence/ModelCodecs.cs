using LatentModels.Distributions;
using LatentModels.Persistence.Clustering;
using LatentModels.Persistence.Distributions;
using LatentModels.Persistence.Mixtures;
using LatentModels.Persistence.NeuralNetworks;
using LatentModels.Persistence.SparseCoding;
using LatentModels.Persistence.Statistics;
using LatentModels.Persistence.Variational;

namespace LatentModels.Persistence;

/// <summary>The codecs of every persistable type, one class per model type in the subfolder mirroring its source folder.</summary>
internal static class ModelCodecs
{
    public static ModelCodec[] All =>
    [
        new UnivariateGaussianCodec(),
        new MultivariateGaussianCodec(),
        new BernoulliCodec(),
        new IndependentBernoulliCodec(),
        new CategoricalCodec(),
        new IndependentCategoricalCodec(),
        new KMeansCodec(),
        new OnlineKMeansCodec(),
        new GaussianMixtureCodec(),
        new VariationalGaussianMixtureCodec(),
        new StreamingGaussianMixtureCodec(),
        new BernoulliMixtureCodec(),
        new CategoricalMixtureCodec(),
        new MixtureCodec<UnivariateGaussian>(new UnivariateGaussianCodec()),
        new MixtureCodec<MultivariateGaussian>(new MultivariateGaussianCodec()),
        new MixtureCodec<Bernoulli>(new BernoulliCodec()),
        new MixtureCodec<Categorical>(new CategoricalCodec()),
        new DiscreteMixtureStatisticsCodec(),
        new GaussianMixtureStatisticsCodec(),
        new WeightedMomentsCodec(),
        new KMeansStatisticsCodec(),
        new KMeansFarRowsCodec(),
        new DictionaryStatisticsCodec(),
        new DictionaryModelCodec(),
        new VariationalBernoulliMixtureCodec(),
        new VariationalCategoricalMixtureCodec(),
        new StreamingVariationalGaussianMixtureCodec(),
        new VariationalAutoencoderCodec(),
        new BinarySparseCodingCodec(),
        new BinarySparseCodingStatisticsCodec(),
    ];
}
