using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Statistics;
using static LatentModels.Tests.Mixtures.MixtureTestData;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Statistics;

/// <summary>Public, mergeable, serialisable E-step statistics of the Gaussian mixture (the spine of distributed EM).</summary>
public class GaussianMixtureStatisticsTests
{
    public static TheoryData<CovarianceType, bool> Cases()
    {
        var data = new TheoryData<CovarianceType, bool>();
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    private static GaussianMixtureModel Start(CovarianceType type)
    {
        double[,] means = { { 101, 1, 0.5 }, { 109, 1, 0.4 }, { 101, 9, 0.6 } };
        double[] covariances = type switch
        {
            CovarianceType.Full => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1],
            CovarianceType.Tied => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1],
            CovarianceType.Diagonal => [2, 2, 1, 1, 1, 1, 3, 2, 1],
            _ => [2, 1, 3],
        };
        return GaussianMixtureModel.Create(type, [0.4, 0.3, 0.3], means, covariances);
    }

    private static double[,] Data(int n, int seed)
    {
        double[,] blobs = ThreeBlobs().Sample(n, new Random(seed));
        var random = new Random(seed + 1);
        var x = new double[n, 3];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = blobs[i, 0] + 100; // far from the origin: the centring matters
            x[i, 1] = blobs[i, 1];
            x[i, 2] = random.NextDouble();
        }

        return x;
    }

    private static double[] Weights(int n)
    {
        var random = new Random(11);
        return Enumerable.Range(0, n).Select(_ => 0.25 + 2 * random.NextDouble()).ToArray();
    }

    private static (double[,] Rows, double[] Weights) Slice(double[,] x, double[] w, int from, int to)
    {
        int d = x.GetLength(1);
        var rows = new double[to - from, d];
        for (int i = from; i < to; i++)
        {
            for (int j = 0; j < d; j++)
            {
                rows[i - from, j] = x[i, j];
            }
        }

        return (rows, w[from..to]);
    }

    private static double[] Flat(GaussianMixtureStatistics s)
    {
        var values = new List<double> { s.TotalWeight, s.LogLikelihood };
        values.AddRange(s.ComponentWeights);
        values.AddRange(s.Means.Cast<double>());
        for (int c = 0; c < s.Components; c++)
        {
            values.AddRange(s.GetScatter(c).Cast<double>());
        }

        WeightedMoments m = s.DataMoments;
        values.Add(m.Weight);
        values.AddRange(m.Mean);
        values.AddRange(m.Scatter);
        return [.. values];
    }

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    private static void ShouldAgree(double[] actual, double[] expected, double relative)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], relative * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }
    }

    private static GaussianMixtureOptions Rule(CovarianceType type, bool map) => new()
    {
        Components = 3,
        Covariance = type,
        Prior = map ? GaussianMixturePrior.Default : null,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seven_block_aligned_partitions_merged_in_order_equal_the_single_pass_bit_for_bit_and_give_the_same_model(CovarianceType type, bool map)
    {
        GaussianMixtureModel model = Start(type);
        int block = GaussianMixtureEngine.BlockSizeFor(3, 3);
        int n = 6 * block + 123;
        double[,] x = Data(n, 5);
        double[] w = Weights(n);
        GaussianMixtureStatistics whole = GaussianMixtureStatistics.Compute(model, x, w, maxDegreeOfParallelism: 2);
        var parts = new List<GaussianMixtureStatistics>();
        for (int p = 0; p < 7; p++)
        {
            (double[,] rows, double[] weights) = Slice(x, w, p * block, Math.Min(n, (p + 1) * block));
            parts.Add(GaussianMixtureStatistics.Compute(model, rows, weights, maxDegreeOfParallelism: 1));
        }

        GaussianMixtureStatistics merged = GaussianMixtureStatistics.Merge(parts);
        merged.TotalWeight.Should().Be(whole.TotalWeight);
        Bits(Flat(merged)).Should().Equal(Bits(Flat(whole)));
        Bits(Flat(merged.ToModel(Rule(type, map)))).Should().Equal(Bits(Flat(whole.ToModel(Rule(type, map)))));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seven_uneven_partitions_agree_with_the_single_pass_to_1e_12(CovarianceType type, bool map)
    {
        GaussianMixtureModel model = Start(type);
        int n = 5000;
        double[,] x = Data(n, 6);
        double[] w = Weights(n);
        int[] cuts = [0, 1, 700, 701, 2100, 2999, 4321, n];
        GaussianMixtureStatistics whole = GaussianMixtureStatistics.Compute(model, x, w);
        GaussianMixtureStatistics merged = whole.Empty();
        for (int p = 0; p < 7; p++)
        {
            (double[,] rows, double[] weights) = Slice(x, w, cuts[p], cuts[p + 1]);
            merged = merged.Merge(GaussianMixtureStatistics.Compute(model, rows, weights));
        }

        ShouldAgree(Flat(merged), Flat(whole), 1e-12);
        ShouldAgree(Flat(merged.ToModel(Rule(type, map))), Flat(whole.ToModel(Rule(type, map))), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Statistics_and_next_model_match_a_naive_e_step_and_one_iteration_of_batch_em(CovarianceType type, bool map)
    {
        GaussianMixtureModel model = Start(type);
        double[,] x = Data(900, 7);
        double[] w = Weights(900);
        GaussianMixtureStatistics s = GaussianMixtureStatistics.Compute(model, x, w);

        // Naive: responsibilities from the model, weighted sums written out here.
        double[,] gamma = model.PredictProbabilities(x);
        int n = x.GetLength(0), d = 3;
        double total = w.Sum();
        s.TotalWeight.Should().BeApproximately(total, 1e-12 * total);
        var logDensity = new double[n];
        model.LogDensity(x, logDensity);
        s.LogLikelihood.Should().BeApproximately(w.Zip(logDensity, (a, b) => a * b).Sum(), 1e-10 * Math.Abs(s.LogLikelihood));
        for (int c = 0; c < 3; c++)
        {
            double nk = Enumerable.Range(0, n).Sum(i => w[i] * gamma[i, c]);
            s.ComponentWeights[c].Should().BeApproximately(nk, 1e-10 * nk);
            var mean = new double[d];
            for (int j = 0; j < d; j++)
            {
                mean[j] = Enumerable.Range(0, n).Sum(i => w[i] * gamma[i, c] * x[i, j]) / nk;
                s.Means[c, j].Should().BeApproximately(mean[j], 1e-10 * Math.Max(1, Math.Abs(mean[j])));
            }

            double[,] scatter = s.GetScatter(c);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    bool kept = type is CovarianceType.Full or CovarianceType.Tied || a == b;
                    double expected = kept ? Enumerable.Range(0, n).Sum(i => w[i] * gamma[i, c] * (x[i, a] - mean[a]) * (x[i, b] - mean[b])) : 0;
                    scatter[a, b].Should().BeApproximately(expected, 1e-9 * Math.Max(1, Math.Abs(expected)), $"scatter ({a}, {b}) of component {c}");
                }
            }
        }

        // The next model equals one iteration of batch EM from the same start (which centres on another point: rounding only).
        GaussianMixtureOptions rule = Rule(type, map);
        GaussianMixtureModel batch = new GaussianMixture(rule with { InitialModel = model, MaxIterations = 1 }).Fit(x, w).Model;
        ShouldAgree(Flat(s.ToModel(rule)), Flat(batch), 1e-10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ten_iterations_of_distributed_em_over_seven_partitions_follow_batch_em(CovarianceType type, bool map)
    {
        GaussianMixtureModel model = Start(type);
        int n = 4200;
        double[,] x = Data(n, 9);
        double[] w = Weights(n);
        GaussianMixtureOptions rule = Rule(type, map);
        int[] cuts = [0, 600, 1200, 1800, 2400, 3000, 3600, n];
        var parts = Enumerable.Range(0, 7).Select(p => Slice(x, w, cuts[p], cuts[p + 1])).ToArray();
        GaussianMixtureModel distributed = model;
        for (int iteration = 0; iteration < 10; iteration++)
        {
            GaussianMixtureModel current = distributed;
            distributed = GaussianMixtureStatistics.Merge(parts.Select(p => current.ComputeStatistics(p.Rows, p.Weights))).ToModel(rule);
        }

        // Batch EM from the same start (its rows centered on the data mean, the partitions' on the model's centre: rounding only).
        GaussianMixtureModel batch = new GaussianMixture(rule with { InitialModel = model, MaxIterations = 10, Tolerance = 0 }).Fit(x, w).Model;
        ShouldAgree(Flat(distributed), Flat(batch), 1e-9);
    }

    [Fact]
    public void Empty_is_the_identity_of_merge_and_merging_leaves_both_operands_unchanged()
    {
        GaussianMixtureModel model = Start(CovarianceType.Full);
        GaussianMixtureStatistics a = GaussianMixtureStatistics.Compute(model, Data(300, 1));
        GaussianMixtureStatistics b = GaussianMixtureStatistics.Compute(model, Data(200, 2));
        long[] before = Bits(Flat(a));
        Bits(Flat(a.Empty().Merge(a))).Should().Equal(before);
        Bits(Flat(a.Merge(a.Empty()))).Should().Equal(before);
        a.Empty().TotalWeight.Should().Be(0);
        a.Merge(b).TotalWeight.Should().Be(500);
        Bits(Flat(a)).Should().Equal(before);
        GaussianMixtureStatistics.Compute(model, new double[0, 3]).TotalWeight.Should().Be(0);
    }

    [Fact]
    public void Statistics_of_different_models_or_shapes_do_not_merge()
    {
        double[,] x = Data(100, 1);
        GaussianMixtureStatistics full = GaussianMixtureStatistics.Compute(Start(CovarianceType.Full), x);
        GaussianMixtureStatistics diagonal = GaussianMixtureStatistics.Compute(Start(CovarianceType.Diagonal), x);
        GaussianMixtureModel start = Start(CovarianceType.Full);
        double[,] means = start.Means;
        means[0, 0] += 1;
        GaussianMixtureModel moved = GaussianMixtureModel.Create(CovarianceType.Full, start.Weights, means, start.CovarianceParameters);
        GaussianMixtureStatistics other = GaussianMixtureStatistics.Compute(moved, x);
        FluentActions.Invoking(() => full.Merge(diagonal)).Should().Throw<ArgumentException>().WithParameterName("other");
        FluentActions.Invoking(() => full.Merge(other)).Should().Throw<ArgumentException>().WithParameterName("other");
        FluentActions.Invoking(() => GaussianMixtureStatistics.Merge([])).Should().Throw<ArgumentException>().WithParameterName("parts");
        FluentActions.Invoking(() => full.ToModel(Rule(CovarianceType.Diagonal, false))).Should().Throw<ArgumentException>().WithParameterName("options");
        FluentActions.Invoking(() => GaussianMixtureStatistics.Compute(Start(CovarianceType.Full), new double[3, 2])).Should().Throw<ArgumentException>().WithParameterName("data");
        FluentActions.Invoking(() => GaussianMixtureStatistics.Compute(Start(CovarianceType.Full), x, new double[99])).Should().Throw<ArgumentException>().WithParameterName("sampleWeights");
    }

    [Fact]
    public void A_component_without_weight_cannot_be_re_estimated_by_maximum_likelihood()
    {
        GaussianMixtureModel model = Start(CovarianceType.Diagonal);
        double[,] x = { { 130, 1, 0.5 }, { 131, 0.5, 0.2 } };
        GaussianMixtureStatistics s = GaussianMixtureStatistics.Compute(model, x);
        FluentActions.Invoking(() => s.ToModel(Rule(CovarianceType.Diagonal, false))).Should().Throw<FittingException>();
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Statistics_round_trip_through_json_bit_for_bit(CovarianceType type)
    {
        GaussianMixtureStatistics s = GaussianMixtureStatistics.Compute(Start(type), Data(400, 3), Weights(400));
        GaussianMixtureStatistics loaded = RoundTrip(s, "LatentModels.GaussianMixtureStatistics");
        Bits(Flat(loaded)).Should().Equal(Bits(Flat(s)));
        loaded.CovarianceType.Should().Be(type);
        Bits(loaded.Reference).Should().Equal(Bits(s.Reference));
        Bits(Flat(loaded.ToModel(Rule(type, true)))).Should().Equal(Bits(Flat(s.ToModel(Rule(type, true)))));
    }

    [Fact]
    public void Tampered_statistics_files_are_format_errors()
    {
        GaussianMixtureStatistics s = GaussianMixtureStatistics.Compute(Start(CovarianceType.Full), Data(100, 3));
        LoadFails(Tamper(s, r => r["componentWeights"]![1] = -1), "componentWeights[1]");
        LoadFails(Tamper(s, r => r["means"] = new System.Text.Json.Nodes.JsonArray()), "means");
        LoadFails(Tamper(s, r => r["scatters"]![0]![1]![1] = -2), "scatters[0]");
        LoadFails(Tamper(s, r => r["dataScatter"]![0]![1] = 1e6), "dataScatter");
        LoadFails(Tamper(s, r => r["totalWeight"] = "x"), "totalWeight");
    }
}
