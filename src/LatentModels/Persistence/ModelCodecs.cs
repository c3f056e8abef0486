namespace LatentModels.Persistence;

/// <summary>The codecs of every persistable type, one class per model family in this folder.</summary>
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
        new StreamingGaussianMixtureCodec(),
        new BernoulliMixtureCodec(),
        new CategoricalMixtureCodec(),
        new DiscreteMixtureStatisticsCodec(),
        new GaussianMixtureStatisticsCodec(),
    ];
}
