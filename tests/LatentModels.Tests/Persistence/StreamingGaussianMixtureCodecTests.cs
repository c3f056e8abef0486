using System.Text.Json.Nodes;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class StreamingGaussianMixtureCodecTests
{
    private static readonly double[,] _stream = MixtureTestData.ThreeBlobs().Sample(1500, new Random(31));

    private static double[,] Rows(double[,] x, int start, int count)
    {
        var result = new double[count, x.GetLength(1)];
        x.AsSpan().Slice(start * x.GetLength(1), result.Length).CopyTo(result.AsWritableSpan());
        return result;
    }

    /// <summary>Feeds rows [start, end) in a fixed mix of mini-batches of awkward sizes and single points.</summary>
    private static void Feed(StreamingGaussianMixture estimator, int start, int end)
    {
        int[] sizes = [37, 1, 1, 64, 5, 1, 120];
        for (int i = start, s = 0; i < end; s++)
        {
            int m = Math.Min(sizes[s % sizes.Length], end - i);
            if (m == 1)
            {
                estimator.Update(_stream.Row(i));
            }
            else
            {
                estimator.Update(Rows(_stream, i, m));
            }

            i += m;
        }
    }

    private static StreamingGaussianMixtureOptions Options(CovarianceType type, bool initialModel) => new()
    {
        Mixture = new GaussianMixtureOptions
        {
            Components = 3,
            Covariance = type,
            Init = MixtureInit.KMeansPlusPlus,
            Seed = 12,
            Regularization = 1e-4,
            InitialModel = initialModel ? Start(type) : null,
        },
        StepExponent = 0.7,
        StepOffset = 2.5,
        InitializationSize = 60,
    };

    private static GaussianMixtureModel Start(CovarianceType type) => type == CovarianceType.Full
        ? GaussianMixtureModel.Create(CovarianceType.Full, [0.3, 0.3, 0.4], new double[,] { { 1, 1 }, { 8, 1 }, { 1, 8 } }, [2, 0, 0, 2, 2, 0, 0, 2, 2, 0, 0, 2])
        : new GaussianMixture(new GaussianMixtureOptions { Components = 3, Covariance = type, Seed = 1 }).Fit(Rows(_stream, 0, 200)).Model;

    public static TheoryData<CovarianceType, bool, int> SavePoints => new()
    {
        { CovarianceType.Full, false, 0 },
        { CovarianceType.Full, false, 39 },
        { CovarianceType.Full, false, 60 },
        { CovarianceType.Full, false, 700 },
        { CovarianceType.Full, true, 0 },
        { CovarianceType.Full, true, 30 },
        { CovarianceType.Full, true, 700 },
        { CovarianceType.Diagonal, false, 500 },
        { CovarianceType.Spherical, false, 500 },
        { CovarianceType.Tied, true, 500 },
    };

    [Theory]
    [MemberData(nameof(SavePoints))]
    public void State_saved_mid_stream_continues_bit_identically(CovarianceType type, bool initialModel, int savedAfter)
    {
        var uninterrupted = new StreamingGaussianMixture(Options(type, initialModel));
        Feed(uninterrupted, 0, savedAfter);
        StreamingGaussianMixture loaded = RoundTrip(uninterrupted, "LatentModels.StreamingGaussianMixture");
        loaded.Count.Should().Be(savedAfter);
        loaded.IsInitialized.Should().Be(uninterrupted.IsInitialized);
        loaded.Options.StepExponent.Should().Be(0.7);
        loaded.Options.StepOffset.Should().Be(2.5);
        loaded.InitializationSize.Should().Be(60);

        Feed(uninterrupted, savedAfter, 1500);
        Feed(loaded, savedAfter, 1500);

        ModelJson.Serialize(loaded).Should().Be(ModelJson.Serialize(uninterrupted), "the whole state is the same");
        GaussianMixtureModel a = loaded.Snapshot(), b = uninterrupted.Snapshot();
        Bits(a.Weights).Should().Equal(Bits(b.Weights));
        Bits(a.Means).Should().Equal(Bits(b.Means));
        Bits(a.CovarianceParameters).Should().Equal(Bits(b.CovarianceParameters));
        Bits(a.Score(_stream)).Should().Be(Bits(b.Score(_stream)));
        loaded.Count.Should().Be(1500);
    }

    [Fact]
    public void Continuation_depends_on_the_saved_statistics()
    {
        // Control for the test above: perturbing one statistic by one part in a million changes where the stream ends.
        var uninterrupted = new StreamingGaussianMixture(Options(CovarianceType.Full, false));
        Feed(uninterrupted, 0, 700);
        var loaded = ModelJson.Deserialize<StreamingGaussianMixture>(Tamper(uninterrupted, r =>
        {
            JsonNode w = r["statistics"]!["weights"]!;
            w[0] = (double)w[0]! * (1 + 1e-6);
        }));
        Feed(uninterrupted, 700, 1500);
        Feed(loaded, 700, 1500);
        Bits(loaded.Snapshot().Means).Should().NotEqual(Bits(uninterrupted.Snapshot().Means));
    }

    [Fact]
    public void Document_holds_options_step_counter_parameters_and_statistics()
    {
        var estimator = new StreamingGaussianMixture(Options(CovarianceType.Full, false));
        Feed(estimator, 0, 100);
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(estimator))!;
        ((int)root["options"]!["components"]!).Should().Be(3);
        ((string?)root["options"]!["covarianceType"]).Should().Be("Full");
        ((string?)root["options"]!["init"]).Should().Be("KMeansPlusPlus");
        ((double)root["options"]!["stepExponent"]!).Should().Be(0.7);
        ((double)root["options"]!["regularization"]!).Should().Be(1e-4);
        root["options"]!["initialModel"].Should().BeNull();
        ((long)root["count"]!).Should().Be(100);
        ((int)root["dimension"]!).Should().Be(2);
        root["buffered"]!.AsArray().Should().BeEmpty();
        root["parameters"]!["weights"]!.AsArray().Select(v => (double)v!).Should().Equal(estimator.Snapshot().Weights);
        root["parameters"]!["shift"]!.AsArray().Should().HaveCount(2);
        root["statistics"]!["weights"]!.AsArray().Select(v => (double)v!).Sum().Should().BeApproximately(1, 1e-12, "the statistics are normalised to total weight one");
        root["statistics"]!["scatters"]!.AsArray().Should().HaveCount(3);
        root["statistics"]!["scatters"]![0]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public void Tampered_states_are_rejected_naming_the_field()
    {
        var estimator = new StreamingGaussianMixture(Options(CovarianceType.Full, false));
        Feed(estimator, 0, 700);
        var buffering = new StreamingGaussianMixture(Options(CovarianceType.Full, false));
        Feed(buffering, 0, 20);
        var diagonal = new StreamingGaussianMixture(Options(CovarianceType.Diagonal, false));
        Feed(diagonal, 0, 300);

        LoadFails(Tamper(estimator, r => r["options"]!["stepExponent"] = 0.4), "LatentModels.StreamingGaussianMixture", "StepExponent is 0.4");
        LoadFails(Tamper(estimator, r => r["options"]!["components"] = 0), "Components is 0");
        LoadFails(Tamper(estimator, r => r["options"]!["covarianceType"] = "full"), "'covarianceType' must be one of");
        LoadFails(Tamper(estimator, r => r["options"]!["initializationSize"] = 2), "InitializationSize (2)");
        LoadFails(Tamper(estimator, r => r["count"] = -1), "'count' is -1");
        LoadFails(Tamper(estimator, r => r["dimension"] = 3), "'weights' and 'means' describe 3 Full components of dimension 2", "of dimension 3");
        LoadFails(Tamper(estimator, r => r["parameters"]!["covariances"]![1]![0]![0] = -4.0), "'covariances[1]'");
        LoadFails(Tamper(estimator, r => r["parameters"]!["covariances"]![1]![0]![1] = 99.0), "'covariances[1]' is not symmetric");
        LoadFails(Tamper(estimator, r => r["parameters"]!["weights"]![0] = 0.9), "'weights' sums to");
        LoadFails(Tamper(estimator, r => r["parameters"]!["shift"]!.AsArray().RemoveAt(0)), "'shift' has 1 values; 2 were expected", "(in 'parameters')");
        LoadFails(Tamper(estimator, r => r["statistics"]!["weights"]![2] = -0.1), "'weights[2]' is -0.1", "(in 'statistics')");
        LoadFails(Tamper(estimator, r => r["statistics"]!["means"]!.AsArray().RemoveAt(0)), "'means' has 2 rows; 3 were expected");
        LoadFails(Tamper(estimator, r => r["statistics"]!["scatters"]![0]![1]![1] = -1.0), "'scatters[0]' has the negative diagonal entry");
        LoadFails(Tamper(estimator, r =>
        {
            r["options"]!["regularization"] = 0;
            r["statistics"]!["scatters"]![1]![0]![1] = 1e6;
            r["statistics"]!["scatters"]![1]![1]![0] = 1e6;
        }), "'scatters[1]' is not positive semi-definite", "(in 'statistics')");
        LoadFails(Tamper(diagonal, r => r["statistics"]!["scatters"]![0]![1] = -1.0), "'scatters[0]' has the negative diagonal entry");
        LoadFails(Tamper(estimator, r => r["statistics"] = null), "'statistics' must be an object");
        LoadFails(Tamper(estimator, r => r["buffered"] = new JsonArray(1.0, 2.0)), "'buffered' must be empty");
        LoadFails(Tamper(buffering, r => r["count"] = 21), "'buffered' holds 40 values but 21 points");
        LoadFails(Tamper(buffering, r => r["statistics"] = new JsonObject()), "'statistics' must be null");
        LoadFails(Tamper(buffering, r =>
        {
            r["count"] = 60;
            r["buffered"] = new JsonArray(Enumerable.Range(0, 120).Select(_ => (JsonNode)1.0).ToArray());
        }), "initialisation needs only 60");
        LoadFails(Tamper(new StreamingGaussianMixture(Options(CovarianceType.Full, true)), r => r["parameters"] = null), "initial model always has parameters");
    }
}
