using System.Text;
using System.Text.Json.Nodes;
using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.NeuralNetworks;
using LatentModels.Persistence;
using LatentModels.Statistics;
using LatentModels.Tests.Mixtures;
using LatentModels.Variational;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

/// <summary>
/// Loading is all-or-nothing for every persistable kind: each damaged document (wrong format, newer version, truncated,
/// a field removed, any number replaced by NaN) raises <see cref="ModelFormatException"/> naming the field, never another
/// exception and never a model; unknown extra fields anywhere are ignored.
/// </summary>
public class RobustnessTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    internal static object Create(string kind) => kind switch
    {
        "gaussian" => new UnivariateGaussian(1.5, 0.25),
        "mvn" => MultivariateGaussian.Fit(_data),
        "bernoulli" => new Bernoulli(0.3),
        "independent-bernoulli" => new IndependentBernoulli([0.1, 0.5, 0.9]),
        "categorical" => new Categorical([0.2, 0.3, 0.5]),
        "independent-categorical" => new IndependentCategorical([[0.2, 0.8], [0.1, 0.2, 0.7]]),
        "bernoulli-mixture" => new BernoulliMixture(new MixtureOptions { Components = 2, Seed = 4 }).Fit(DiscreteMixtureTestData.ThreePrototypes().Sample(60, new Random(1))).Model,
        "categorical-mixture" => DiscreteMixtureTestData.TwoCategoricalProfiles(),
        "discrete-statistics" => DiscreteMixtureStatistics.FromCategorical(
            DiscreteMixtureTestData.TwoCategoricalProfiles(), DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(30, new Random(2)), Enumerable.Range(0, 30).Select(i => 0.5 + i % 3).ToArray()),
        "mixture-mvn" => MixtureCodecTests.GaussianAdapterModel(),
        "mixture-univariate" => MixtureCodecTests.UnivariateAdapterModel(),
        "mixture-bernoulli" => MixtureCodecTests.BernoulliAdapterModel(),
        "mixture-categorical" => MixtureCodecTests.CategoricalAdapterModel(),
        "bernoulli-mixture-ml" => new MixtureModel<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(), [0.4, 0.6], [new IndependentBernoulli([0.1, 0.7]), new IndependentBernoulli([0.9, 0.2])]),
        "categorical-mixture-ml" => new MixtureModel<IndependentCategorical>(new MaximumLikelihoodFamily<IndependentCategorical>(), [1.0], [new IndependentCategorical([[0.2, 0.8], [0.1, 0.2, 0.7]])]),
        "weighted-moments" => WeightedMoments.FromRows(_data, Enumerable.Range(0, _data.GetLength(0)).Select(i => 0.5 + i % 3).ToArray()),
        "weighted-moments-diagonal" => WeightedMoments.FromRows(_data, fullScatter: false),
        "gmm-statistics" => GaussianMixtureStatistics.Compute(
            new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 3 }).Fit(_data).Model, _data, Enumerable.Range(0, _data.GetLength(0)).Select(i => 0.5 + i % 3).ToArray()),
        "gmm-statistics-diagonal" => GaussianMixtureStatistics.Compute(
            new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Diagonal, Seed = 5 }).Fit(_data).Model, _data),
        "kmeans-statistics" => new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }).Fit(_data).Model.ComputeStatistics(_data, Enumerable.Range(0, _data.GetLength(0)).Select(i => 0.5 + i % 3).ToArray()),
        "kmeans-far-rows" => KMeansFarRows.Compute(new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }).Fit(_data).Model, _data, null, 100, 5),
        "vb-bernoulli-mixture" => new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2, Seed = 4 }).Fit(DiscreteMixtureTestData.ThreePrototypes().Sample(60, new Random(1))).Model,
        "vb-categorical-mixture" => new VariationalCategoricalMixture([3, 2, 4, 3], new VariationalDiscreteMixtureOptions { Components = 2, Seed = 4 }).Fit(DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(40, new Random(2))).Model,
        "vae" => new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [4], LatentDimension = 2, Epochs = 1, BatchSize = 10, MaxDegreeOfParallelism = 1 })
            .Fit(DiscreteMixtureTestData.ThreePrototypes().Sample(30, new Random(1))).Model,
        "vae-gaussian" => new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [3, 2],
            LatentDimension = 1,
            Likelihood = DecoderLikelihood.Gaussian,
            Epochs = 1,
            BatchSize = 10,
            MaxDegreeOfParallelism = 1,
        }).Fit(_data).Model,
        "kmeans" => new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }).Fit(_data).Model,
        "dictionary-model" => DictionaryCodecTests.Model(),
        "dictionary-statistics" => DictionaryCodecTests.Model().ComputeStatistics(DictionaryCodecTests.Rows()),
        "binary-sparse-coding-statistics" => LatentModels.Tests.SparseCoding.BinarySparseCodingStatisticsTests.Model().ComputeStatistics(LatentModels.Tests.SparseCoding.BinarySparseCodingStatisticsTests.Rows(70)),
        "binary-sparse-coding" => new LatentModels.SparseCoding.BinarySparseCoding(new LatentModels.SparseCoding.BinarySparseCodingOptions { Components = 3, MaxIterations = 5, Seed = 1 }).Fit(_data).Model,
        "online-kmeans" => Online(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, Seed = 2 }, _data),
        "online-kmeans-buffering" => Online(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.RandomRows, InitializationSize = 20 }, new double[,] { { 1, 2 }, { 3, 4 } }),
        "streaming-gmm" => Streaming(new GaussianMixtureOptions { Components = 2, Seed = 4 }, _data),
        "streaming-gmm-buffering" => Streaming(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Diagonal }, new double[,] { { 1, 2 }, { 3, 4 } }),
        "streaming-gmm-initial" => Streaming(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = CovarianceType.Tied,
            InitialModel = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Tied }).Fit(_data).Model,
        }, _data),
        "vb-gmm-process" => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 3, WeightPrior = WeightPrior.DirichletProcess, Seed = 2 }).Fit(_data).Model,
        "vb-gmm-diagonal" => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Diagonal, MaxIterations = 0 }).Fit(_data).Model,
        "svi-gmm-stream" => Svi(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions { Components = 2, WeightPrior = WeightPrior.DirichletProcess, Seed = 2 },
            BatchSize = 100,
        }),
        "svi-gmm-stream-initial" => Svi(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions
            {
                Components = 2,
                Covariance = CovarianceType.Diagonal,
                WeightConcentration = 0.5,
                DegreesOfFreedom = 3,
                InitialModel = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Diagonal }).Fit(_data).Model,
            },
        }),
        "svi-gmm-stream-new" => new StreamingVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Tied },
            DataSize = 1000,
        }),
        _ => new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = Enum.Parse<CovarianceType>(kind.Split('-')[1]),
            Seed = 3,
            Prior = kind.EndsWith("-map", StringComparison.Ordinal) ? GaussianMixturePrior.Default : null,
        }).Fit(_data).Model,
    };

    private static StreamingGaussianMixture Streaming(GaussianMixtureOptions options, double[,] stream)
    {
        var online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = options });
        online.UpdateAll(stream, 32);
        return online;
    }

    private static StreamingVariationalGaussianMixture Svi(StochasticVariationalGaussianMixtureOptions options)
    {
        StreamingVariationalGaussianMixture stream = new StochasticVariationalGaussianMixture(options).CreateStream(_data);
        stream.UpdateEpoch(_data);
        return stream;
    }

    private static OnlineKMeans Online(OnlineKMeansOptions options, double[,] stream)
    {
        var online = new OnlineKMeans(options);
        online.UpdateAll(stream, 32);
        return online;
    }

    private static readonly string[] _kinds =
    [
        "gaussian", "mvn", "bernoulli", "independent-bernoulli", "categorical", "independent-categorical", "bernoulli-mixture", "categorical-mixture", "discrete-statistics",
        "mixture-mvn", "mixture-univariate", "mixture-bernoulli", "mixture-categorical", "bernoulli-mixture-ml", "categorical-mixture-ml",
        "weighted-moments", "weighted-moments-diagonal", "kmeans-statistics", "kmeans-far-rows", "gmm-statistics", "gmm-statistics-diagonal",
        "kmeans", "online-kmeans", "online-kmeans-buffering", "streaming-gmm", "streaming-gmm-buffering", "streaming-gmm-initial",
        "gmm-Full", "gmm-Diagonal", "gmm-Spherical", "gmm-Tied", "gmm-Full-map", "vb-gmm-process", "vb-gmm-diagonal",
        "vb-bernoulli-mixture", "vb-categorical-mixture", "svi-gmm-stream", "svi-gmm-stream-initial", "svi-gmm-stream-new",
        "binary-sparse-coding", "binary-sparse-coding-statistics",
        "vae", "vae-gaussian", "dictionary-model", "dictionary-statistics",
    ];

    public static TheoryData<string> Kinds => new(_kinds);

    /// <summary>One row per persistable kind (every codec has at least one).</summary>
    internal static IReadOnlyList<string> AllKinds => _kinds;

    [Fact]
    public void Every_persistable_type_is_covered()
    {
        string[] formats = _kinds.Select(kind => ModelJson.FormatName(Create(kind))).Distinct().ToArray();
        formats.Should().BeEquivalentTo(ModelCodecs.All.Select(c => c.FormatName), "a new codec needs a row here");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Unknown_extra_fields_anywhere_are_ignored(string kind)
    {
        object model = Create(kind);
        string json = ModelJson.Serialize(model);
        string extended = Tamper(model, root =>
        {
            root["comment"] = "written by a newer tool";
            root["extra"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null) };
            foreach (JsonObject child in root.Select(p => p.Value).OfType<JsonObject>().ToList())
            {
                child["unknownNested"] = 42;
            }
        });
        ModelJson.Serialize(ModelJson.Deserialize(extended)).Should().Be(json);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Wrong_format_newer_version_and_truncation_are_rejected(string kind)
    {
        object model = Create(kind);
        string format = ModelJson.FormatName(model);
        LoadFails(Tamper(model, r => r["format"] = format + "2"), $"'{format}2'");
        LoadFails(Tamper(model, r => r["format"] = format.ToLowerInvariant()), "format");
        int future = ModelJson.FormatVersion(model) + 1;
        LoadFails(Tamper(model, r => r["version"] = future), $"version {future}", format);
        LoadFails(Tamper(model, r => r["version"] = 0), "version 0");

        string json = ModelJson.Serialize(model);
        byte[] bytes = Encoding.UTF8.GetBytes(json.TrimEnd());
        for (int length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 97))
        {
            Action load = () => ModelJson.Load(new MemoryStream(bytes, 0, length));
            load.Should().Throw<ModelFormatException>($"{kind} cut at byte {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Removing_any_field_is_rejected_naming_it(string kind)
    {
        object model = Create(kind);
        JsonObject original = JsonNode.Parse(ModelJson.Serialize(model))!.AsObject();
        foreach (string name in original.Select(p => p.Key).Where(key => key != "version").ToList())
        {
            LoadFails(Tamper(model, r => r.Remove(name)), $"'{name}'");
            if (original[name] is JsonObject nested)
            {
                foreach (string inner in nested.Select(p => p.Key).ToList())
                {
                    LoadFails(Tamper(model, r => r[name]!.AsObject().Remove(inner)), $"'{inner}'", $"(in '{name}')");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_file_without_a_version_is_read_as_version_1(string kind)
    {
        object model = Create(kind);
        ModelJson.FormatVersion(model).Should().BeGreaterThanOrEqualTo(ModelJson.Version);
        string json = ModelJson.Serialize(model);
        ((int?)JsonNode.Parse(json)!["version"]).Should().Be(ModelJson.FormatVersion(model), "the current version is written on save");
        if (ModelJson.FormatVersion(model) == ModelJson.Version)
        {
            ModelJson.Serialize(ModelJson.Deserialize(Tamper(model, r => r.Remove("version")))).Should().Be(json);
        }
    }

    /// <summary>Every number in the document with its path, e.g. ("means[1][0]", field "means").</summary>
    private static IEnumerable<(string Path, string Field, Action<JsonObject> Replace)> Numbers(JsonNode node, string path, string field, Action<JsonNode> set)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is not null)
                    {
                        foreach (var n in Numbers(value, key, key, v => obj[key] = v))
                        {
                            yield return n;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    int index = i;
                    if (array[i] is JsonNode item)
                    {
                        foreach (var n in Numbers(item, $"{path}[{i}]", field, v => array[index] = v))
                        {
                            yield return n;
                        }
                    }
                }

                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                yield return (path, field, _ => set(JsonValue.Create("NaN")));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Any_number_replaced_by_NaN_is_rejected_naming_the_entry(string kind)
    {
        object model = Create(kind);
        string json = ModelJson.Serialize(model);
        int count = JsonNode.Parse(json)!.AsObject() is var probe ? Numbers(probe, "", "", _ => { }).Count() : 0;
        count.Should().BeGreaterThan(0);
        for (int q = 0; q < count; q++)
        {
            JsonObject root = JsonNode.Parse(json)!.AsObject();
            var (path, field, replace) = Numbers(root, "", "", _ => { }).ElementAt(q);
            replace(root);
            ModelFormatException e = LoadFails(root.ToJsonString(), $"'{(path.StartsWith(field, StringComparison.Ordinal) ? path : field)}'");
            e.Should().NotBeNull(path);
        }
    }
}
