using CsCheck;
using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.NeuralNetworks;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Statistics;
using LatentModels.Variational;
using static LatentModels.Tests.Reliability.ThreadCountDeterminismTests;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Every model and state type saves and loads to the same bits, on generated data: for each generated case (a data seed
/// and a cluster separation, drawn through <see cref="SeededSample"/>) an object of every persistable format is fitted or
/// computed, saved, loaded and saved again — the two documents are equal to the character (the shortest round-trip form
/// of every double, so equal text is equal bits) — and the loaded copy answers as the original to the bit: densities,
/// scores, labels, probabilities, transforms, samples from the same seed, merges, and an online state's next update.
/// (<c>RobustnessTests.Unknown_extra_fields_anywhere_are_ignored</c> round-trips one fixed object per kind; this covers
/// generated parameters and the behaviour of the loaded copy.)
/// </summary>
public class RoundTripTests
{
    private static readonly Gen<(int Seed, double Separation)> _cases = Gen.Select(Gen.Int[0, 1_000_000], Gen.Double[2, 8]);

    private static readonly int[] _counts = [3, 2, 4];

    /// <summary>An object of every persistable format, with the rows it models.</summary>
    private static IEnumerable<(string Name, object Value, double[,] Rows)> Objects(int seed, double separation)
    {
        double[,] data = Blobs(seed, 240, 3, 3, separation);
        double[,] column = Column(data);
        double[,] binary = Binary(seed, 240, 6, 3);
        double[,] categorical = Categorical(seed, 240, _counts, 3);
        double[] weights = Enumerable.Range(0, 240).Select(i => 0.5 + (i * 7 % 5)).ToArray();

        yield return ("univariate gaussian", UnivariateGaussian.Fit(column), column);
        yield return ("multivariate gaussian", MultivariateGaussian.Fit(data, weights), data);
        yield return ("bernoulli", Bernoulli.Fit(Column(binary)), Column(binary));
        yield return ("independent bernoulli", IndependentBernoulli.Fit(binary), binary);
        yield return ("categorical", LatentModels.Distributions.Categorical.Fit(Column(categorical), 3), Column(categorical));
        yield return ("independent categorical", IndependentCategorical.Fit(categorical, weights, _counts), categorical);

        KMeansModel kmeans = new KMeans(new KMeansOptions { Clusters = 3, Seed = seed }).Fit(data).Model;
        yield return ("k-means", kmeans, data);
        yield return ("k-means statistics", kmeans.ComputeStatistics(data, weights), data);
        yield return ("k-means far rows", KMeansFarRows.Compute(kmeans, data, weights, 0, 7), data);
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, InitializationSize = 50, Seed = seed });
        online.UpdateAll(data, 40);
        yield return ("online k-means", online, data);

        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            GaussianMixtureModel gmm = new GaussianMixture(new GaussianMixtureOptions
            {
                Components = 3,
                Covariance = type,
                Prior = type == CovarianceType.Full ? GaussianMixturePrior.Default : null,
                MaxIterations = 5,
                Seed = seed,
            }).Fit(data).Model;
            yield return ($"gmm {type}", gmm, data);
            yield return ($"gmm statistics {type}", gmm.ComputeStatistics(data, weights), data);
            yield return ($"vb-gmm {type}", new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 3, Covariance = type, MaxIterations = 5, Seed = seed }).Fit(data).Model, data);
        }

        var streaming = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = seed } });
        streaming.UpdateAll(data, 60);
        yield return ("streaming gmm", streaming, data);
        StreamingVariationalGaussianMixture svi = new StochasticVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = seed },
            BatchSize = 60,
        }).CreateStream(data);
        svi.UpdateEpoch(data);
        yield return ("svi stream", svi, data);
        yield return ("weighted moments", WeightedMoments.FromRows(data, weights), data);
        yield return ("weighted moments diagonal", WeightedMoments.FromRows(data, fullScatter: false), data);

        var mixture = new MixtureOptions { Components = 3, MaxIterations = 5, Seed = seed };
        MixtureModel<IndependentBernoulli> bernoulliMixture = new BernoulliMixture(mixture).Fit(binary).Model;
        MixtureModel<IndependentCategorical> categoricalMixture = new CategoricalMixture(_counts, mixture).Fit(categorical).Model;
        yield return ("bernoulli mixture", bernoulliMixture, binary);
        yield return ("categorical mixture", categoricalMixture, categorical);
        yield return ("bernoulli statistics", DiscreteMixtureStatistics.FromBernoulli(bernoulliMixture, binary, weights), binary);
        yield return ("categorical statistics", DiscreteMixtureStatistics.FromCategorical(categoricalMixture, categorical), categorical);
        var mixtureMl = new MixtureOptions { Components = 2, MaxIterations = 5, PseudoCount = 0, Seed = seed };
        yield return ("mixture<univariate>", new Mixture<UnivariateGaussian>(new MaximumLikelihoodFamily<UnivariateGaussian>(), mixtureMl).Fit(column).Model, column);
        yield return ("mixture<mvn>", new Mixture<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(), mixtureMl).Fit(data).Model, data);
        yield return ("mixture<bernoulli>", new Mixture<Bernoulli>(new MaximumLikelihoodFamily<Bernoulli>(), mixtureMl).Fit(Column(binary)).Model, Column(binary));
        yield return ("mixture<categorical>", new Mixture<LatentModels.Distributions.Categorical>(new MaximumLikelihoodFamily<LatentModels.Distributions.Categorical>(), mixtureMl).Fit(Column(categorical)).Model, Column(categorical));
        var variational = new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 5, Seed = seed };
        yield return ("vb bernoulli mixture", new VariationalBernoulliMixture(variational).Fit(binary).Model, binary);
        yield return ("vb categorical mixture", new VariationalCategoricalMixture(_counts, variational).Fit(categorical).Model, categorical);

        DictionaryModel dictionary = new DictionaryLearning(new DictionaryLearningOptions { Atoms = 4, Alpha = 0.3, MaxIterations = 3, Seed = seed }).Fit(data).Model;
        yield return ("dictionary", dictionary, data);
        yield return ("dictionary statistics", dictionary.ComputeStatistics(data), data);
        BinarySparseCodingModel bsc = new BinarySparseCoding(new BinarySparseCodingOptions { Components = 3, MaxIterations = 3, Starts = 1, AnnealingIterations = 2, Seed = seed }).Fit(data).Model;
        yield return ("binary sparse coding", bsc, data);
        yield return ("binary sparse coding statistics", bsc.ComputeStatistics(data), data);
        yield return ("vae", new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [5], LatentDimension = 2, Epochs = 2, BatchSize = 40, Seed = seed }).Fit(binary).Model, binary);
        yield return ("vae gaussian", new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [4],
            LatentDimension = 1,
            Likelihood = DecoderLikelihood.Gaussian,
            Epochs = 2,
            BatchSize = 40,
            Seed = seed,
        }).Fit(data).Model, data);
    }

    private static double[,] Column(double[,] data)
    {
        var column = new double[data.GetLength(0), 1];
        for (int i = 0; i < column.GetLength(0); i++)
        {
            column[i, 0] = data[i, 0];
        }

        return column;
    }

    private static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static long[] Bits(double[,] values) => Bits(values.Cast<double>());

    [Fact]
    public void Every_persistable_format_is_generated()
    {
        var formats = Objects(1, 4).Select(o => ModelJson.FormatName(o.Value)).ToHashSet(StringComparer.Ordinal);
        formats.Should().BeEquivalentTo(ModelCodecs.All.Select(c => c.FormatName), "a new codec needs a generated object here");
    }

    [Fact]
    public void Every_model_and_state_saves_and_loads_to_the_same_bits_and_answers_the_same()
    {
        _cases.SampleSeeded((seed, separation) =>
        {
            foreach (var (name, original, rows) in Objects(seed, separation))
            {
                string json = ModelJson.Serialize(original);
                object loaded = ModelJson.Deserialize(json);
                loaded.GetType().Should().Be(original.GetType(), name);
                ModelJson.Serialize(loaded).Should().Be(json, $"{name}: the reloaded copy saves the same document");
                SameAnswers(name, original, loaded, rows);
            }
        }, iterations: 2);
    }

    /// <summary>The loaded copy answers every common question with the original's bits.</summary>
    private static void SameAnswers(string name, object original, object loaded, double[,] rows)
    {
        if (original is IDensityModel density)
        {
            var loadedDensity = (IDensityModel)loaded;
            Bits([loadedDensity.Score(rows)]).Should().Equal(Bits([density.Score(rows)]), $"{name}: score");
        }

        if (original is IClusteringModel clustering)
        {
            ((IClusteringModel)loaded).Predict(rows).Should().Equal(clustering.Predict(rows), $"{name}: labels");
        }

        if (original is ISoftClusteringModel soft)
        {
            Bits(((ISoftClusteringModel)loaded).PredictProbabilities(rows)).Should().Equal(Bits(soft.PredictProbabilities(rows)), $"{name}: probabilities");
        }

        if (original is ILatentTransform transform)
        {
            Bits(((ILatentTransform)loaded).Transform(rows)).Should().Equal(Bits(transform.Transform(rows)), $"{name}: transform");
        }

        if (original is ISampler sampler)
        {
            Bits(((ISampler)loaded).Sample(7, new Random(5))).Should().Equal(Bits(sampler.Sample(7, new Random(5))), $"{name}: samples");
        }

        switch (original)
        {
            case OnlineKMeans o:
                o.Update(rows);
                ((OnlineKMeans)loaded).Update(rows);
                ModelJson.Serialize(loaded).Should().Be(ModelJson.Serialize(o), $"{name}: the next update");
                break;
            case StreamingGaussianMixture o:
                o.Update(rows);
                ((StreamingGaussianMixture)loaded).Update(rows);
                ModelJson.Serialize(loaded).Should().Be(ModelJson.Serialize(o), $"{name}: the next update");
                break;
            case StreamingVariationalGaussianMixture o:
                o.UpdateEpoch(rows);
                ((StreamingVariationalGaussianMixture)loaded).UpdateEpoch(rows);
                ModelJson.Serialize(loaded).Should().Be(ModelJson.Serialize(o), $"{name}: the next epoch");
                break;
        }
    }
}
