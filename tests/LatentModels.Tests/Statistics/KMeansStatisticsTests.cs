using System.Text.Json.Nodes;
using LatentModels.Clustering;
using LatentModels.Statistics;
using LatentModels.Tests.Clustering;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Statistics;

/// <summary>
/// K-Means statistics of an assignment step: checked against a naive assignment and sums written out here, against one
/// Lloyd iteration of <see cref="KMeans"/>, and for the merge contract (7 partitions, identity, associativity, JSON).
/// </summary>
public class KMeansStatisticsTests
{
    private const int K = 4;

    private static (double[,] Data, KMeansModel Model) Problem(int n, int seed, double offset = 0)
    {
        (double[,] x, double[,] centers, _) = ClusteringTestData.Blobs(n, 3, K, 6, seed);
        var start = (double[,])centers.Clone();
        for (int j = 0; j < K; j++)
        {
            for (int p = 0; p < 3; p++)
            {
                start[j, p] += 0.7 * (p - 1) + 0.3 * j + offset;
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int p = 0; p < 3; p++)
            {
                x[i, p] += offset;
            }
        }

        return (x, new KMeansModel(start));
    }

    private static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i % 13 == 0 ? 0 : 0.25 + 2 * random.NextDouble()).ToArray();
    }

    private static (double[,] Rows, double[] Weights) Slice(double[,] x, double[] w, int start, int end)
    {
        int d = x.GetLength(1);
        var rows = new double[end - start, d];
        x.AsSpan().Slice(start * d, (end - start) * d).CopyTo(rows.AsWritableSpan());
        return (rows, w[start..end]);
    }

    private static double[] Flat(KMeansStatistics s) =>
        [s.TotalWeight, .. s.ClusterWeights, .. s.Means.Cast<double>(), .. s.Scatters, .. s.Centers.Cast<double>()];

    private static void ShouldAgree(double[] actual, double[] expected, double relative)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], relative * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }
    }

    [Fact]
    public void Statistics_match_a_naive_assignment_and_weighted_sums()
    {
        (double[,] x, KMeansModel model) = Problem(900, 1);
        double[] w = Weights(900, 2);
        KMeansStatistics s = model.ComputeStatistics(x, w);

        int n = x.GetLength(0), d = 3;
        var weight = new double[K];
        var sum = new double[K, d];
        var label = new int[n];
        double inertia = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int j = 0; j < K; j++)
            {
                double dist = 0;
                for (int p = 0; p < d; p++)
                {
                    dist += (x[i, p] - model[j, p]) * (x[i, p] - model[j, p]);
                }

                if (dist < bestDistance)
                {
                    bestDistance = dist;
                    best = j;
                }
            }

            label[i] = best;
            weight[best] += w[i];
            inertia += w[i] * bestDistance;
            for (int p = 0; p < d; p++)
            {
                sum[best, p] += w[i] * x[i, p];
            }
        }

        s.Clusters.Should().Be(K);
        s.Dimension.Should().Be(d);
        s.TotalWeight.Should().BeApproximately(w.Sum(), 1e-12 * w.Sum());
        s.Inertia.Should().BeApproximately(inertia, 1e-12 * inertia);
        double[,] means = s.Means;
        for (int j = 0; j < K; j++)
        {
            weight[j].Should().BeGreaterThan(0);
            s.ClusterWeights[j].Should().BeApproximately(weight[j], 1e-12 * weight[j]);
            double scatter = 0;
            for (int i = 0; i < n; i++)
            {
                if (label[i] == j)
                {
                    for (int p = 0; p < d; p++)
                    {
                        double c = x[i, p] - sum[j, p] / weight[j];
                        scatter += w[i] * c * c;
                    }
                }
            }

            s.Scatters[j].Should().BeApproximately(scatter, 1e-12 * scatter);
            for (int p = 0; p < d; p++)
            {
                means[j, p].Should().BeApproximately(sum[j, p] / weight[j], 1e-12 * Math.Max(1, Math.Abs(means[j, p])));
            }
        }

        Bits(s.NextCenters()).Should().Equal(Bits(means), "every cluster has weight, so the Lloyd update is the means");
        KMeansStatistics unweighted = KMeansStatistics.Compute(model, x);
        unweighted.TotalWeight.Should().Be(900);
        unweighted.Inertia.Should().BeApproximately(model.InertiaOf(x), 1e-12 * model.InertiaOf(x));
    }

    [Fact]
    public void The_next_model_is_one_Lloyd_iteration_of_KMeans()
    {
        (double[,] x, KMeansModel model) = Problem(3000, 3, offset: 1e5);
        double[] w = Weights(3000, 4);
        KMeansModel next = model.ComputeStatistics(x, w).ToModel();
        KMeansModel lloyd = new KMeans(new KMeansOptions
        {
            Clusters = K,
            Init = KMeansInit.Explicit,
            InitialCenters = model.Centers,
            MaxIterations = 1,
        }).Fit(x, w).Model;
        ShouldAgree(next.Centers.Cast<double>().ToArray(), lloyd.Centers.Cast<double>().ToArray(), 1e-12);
        double.IsNaN(next.Inertia).Should().BeTrue("the inertia of the next model needs another assignment step");
        KMeansStatistics after = next.ComputeStatistics(x, w);
        after.Inertia.Should().BeApproximately(lloyd.Inertia, 1e-12 * lloyd.Inertia);
        after.Inertia.Should().BeLessThanOrEqualTo(model.ComputeStatistics(x, w).Inertia, "a Lloyd step never increases the inertia");
    }

    [Fact]
    public void Seven_chunk_partitions_merged_in_order_equal_the_single_pass_bit_for_bit_and_give_the_same_next_model()
    {
        int chunk = KMeansStatistics.ChunkSize, n = 6 * chunk + 321;
        (double[,] x, KMeansModel model) = Problem(n, 5, offset: -2e3);
        double[] w = Weights(n, 6);
        KMeansStatistics whole = KMeansStatistics.Compute(model, x, w, maxDegreeOfParallelism: 2);
        Bits(Flat(KMeansStatistics.Compute(model, x, w, maxDegreeOfParallelism: 1))).Should().Equal(Bits(Flat(whole)), "the thread count does not change the bits");
        var parts = new List<KMeansStatistics>();
        for (int p = 0; p < 7; p++)
        {
            (double[,] rows, double[] weights) = Slice(x, w, p * chunk, Math.Min(n, (p + 1) * chunk));
            parts.Add(model.ComputeStatistics(rows, weights, maxDegreeOfParallelism: 1));
        }

        KMeansStatistics merged = KMeansStatistics.Merge(parts);
        Bits(Flat(merged)).Should().Equal(Bits(Flat(whole)));
        Bits(merged.Inertia).Should().Be(Bits(whole.Inertia));
        Bits(merged.ToModel().Centers).Should().Equal(Bits(whole.ToModel().Centers));

        KMeansStatistics folded = whole.Empty();
        foreach (KMeansStatistics part in parts)
        {
            folded = folded.Merge(part);
        }

        Bits(Flat(folded)).Should().Equal(Bits(Flat(whole)), "merging pairwise from the empty value gives the same bits");
    }

    [Fact]
    public void Partitions_cut_at_superblocks_give_their_parts_and_merge_to_the_single_pass_bit_for_bit()
    {
        int s = KMeansStatistics.SuperblockRows, n = 2 * s + 5000;
        (double[,] x, KMeansModel model) = Problem(n, 21, offset: 7);
        double[] w = Weights(n, 22);
        KMeansStatistics whole = KMeansStatistics.Compute(model, x, w);

        // Aligned cuts: every shard starts at a superblock boundary (a shard over 2s is cut into parts there), or is one
        // 1024-row block ([s - 1024, s)).
        foreach (int[] cuts in new[] { new[] { 0, s, n }, new[] { 0, 2 * s, n }, new[] { 0, s - 1024, s, 2 * s, n } })
        {
            var parts = new List<KMeansStatistics>();
            var rows = new List<long>();
            for (int p = 0; p + 1 < cuts.Length; p++)
            {
                (double[,] r, double[] rw) = Slice(x, w, cuts[p], cuts[p + 1]);
                IReadOnlyList<KMeansStatistics> shard = KMeansStatistics.ComputeParts(model, r, rw, cuts[p], maxDegreeOfParallelism: 1);
                shard.Count.Should().Be(KMeansStatistics.PartRows(cuts[p], cuts[p + 1] - cuts[p]).Count());
                parts.AddRange(shard);
                rows.AddRange(KMeansStatistics.PartRows(cuts[p], cuts[p + 1] - cuts[p]).Select(q => (long)q.Count));
            }

            KMeansStatistics merged = KMeansStatistics.MergeParts(parts, rows);
            Bits(Flat(merged)).Should().Equal(Bits(Flat(whole)), string.Join(",", cuts));
        }

        // A shard of two superblocks merged locally is not the fold (the reason for parts): it agrees to rounding only.
        KMeansStatistics local = KMeansStatistics.Merge(new[] { KMeansStatistics.Compute(model, Slice(x, w, 0, s).Rows, Slice(x, w, 0, s).Weights), KMeansStatistics.Compute(model, Slice(x, w, s, n).Rows, Slice(x, w, s, n).Weights) });
        local.Inertia.Should().BeApproximately(whole.Inertia, 1e-12 * whole.Inertia);
    }

    [Fact]
    public void Far_rows_merge_in_any_order_to_the_same_candidates_and_reseed_an_empty_cluster_as_KMeans_does()
    {
        (double[,] x, KMeansModel model) = Problem(3000, 23);
        double[] w = Weights(3000, 24);
        var centers = model.Centers;
        for (int p = 0; p < 3; p++)
        {
            centers[K - 1, p] = 1e6; // wins no row
        }

        var start = new KMeansModel(centers);
        KMeansStatistics s = start.ComputeStatistics(x, w);
        s.EmptyClusters.Should().Be(1);
        KMeansFarRows all = KMeansFarRows.Compute(start, x, w, 0, s.FarRowCapacity);
        KMeansFarRows a = KMeansFarRows.Compute(start, Slice(x, w, 0, 1234).Rows, Slice(x, w, 0, 1234).Weights, 0, s.FarRowCapacity);
        KMeansFarRows b = KMeansFarRows.Compute(start, Slice(x, w, 1234, 3000).Rows, Slice(x, w, 1234, 3000).Weights, 1234, s.FarRowCapacity);
        double[,] next = s.NextCenters(all)!;
        Bits(s.NextCenters(a.Merge(b))!).Should().Equal(Bits(next));
        Bits(s.NextCenters(b.Merge(a))!).Should().Equal(Bits(next));
        Bits(s.NextCenters(RoundTrip(b, "LatentModels.KMeansFarRows").Merge(a))!).Should().Equal(Bits(next), "the candidates travel as JSON bit for bit");

        // The farthest positive-weight row from its center (naive) is the new center of the empty cluster.
        int[] labels = start.Predict(x);
        int far = Enumerable.Range(0, 3000).Where(i => w[i] > 0)
            .OrderByDescending(i => Enumerable.Range(0, 3).Sum(p => (x[i, p] - centers[labels[i], p]) * (x[i, p] - centers[labels[i], p]))).ThenBy(i => i).First();
        Enumerable.Range(0, 3).Select(p => next[K - 1, p]).Should().Equal(Enumerable.Range(0, 3).Select(p => x[far, p]));

        // One Lloyd iteration of KMeans from this start re-seeds the same way.
        KMeansModel lloyd = new KMeans(new KMeansOptions { Clusters = K, Init = KMeansInit.Explicit, InitialCenters = centers, MaxIterations = 1 }).Fit(x, w).Model;
        Bits(lloyd.Centers).Should().Equal(Bits(next));

        // Too small a capacity cannot decide when the rows are exhausted by an earlier pick: null, not a guess.
        KMeansFarRows one = KMeansFarRows.Compute(start, x, w, 0, 1);
        one.IsComplete.Should().BeFalse();
        s.NextCenters(one).Should().NotBeNull("the farthest row is the first candidate");
    }

    [Fact]
    public void Seven_uneven_partitions_agree_with_the_single_pass_to_1e_12()
    {
        int n = 5000;
        (double[,] x, KMeansModel model) = Problem(n, 7, offset: 50);
        double[] w = Weights(n, 8);
        int[] cuts = [0, 1, 700, 701, 2100, 2999, 4321, n];
        KMeansStatistics whole = model.ComputeStatistics(x, w);
        KMeansStatistics merged = KMeansStatistics.Merge(Enumerable.Range(0, 7)
            .Select(p => Slice(x, w, cuts[p], cuts[p + 1]))
            .Select(s => model.ComputeStatistics(s.Rows, s.Weights)));
        ShouldAgree(Flat(merged), Flat(whole), 1e-12);
        ShouldAgree(merged.ToModel().Centers.Cast<double>().ToArray(), whole.ToModel().Centers.Cast<double>().ToArray(), 1e-12);
        merged.Inertia.Should().BeApproximately(whole.Inertia, 1e-12 * whole.Inertia);
    }

    [Fact]
    public void Merge_is_pure_the_empty_value_is_its_identity_and_it_is_associative()
    {
        (double[,] x, KMeansModel model) = Problem(1200, 9);
        double[] w = Weights(1200, 10);
        KMeansStatistics a = model.ComputeStatistics(Slice(x, w, 0, 200).Rows, w[..200]);
        KMeansStatistics b = model.ComputeStatistics(Slice(x, w, 200, 650).Rows, w[200..650]);
        KMeansStatistics c = model.ComputeStatistics(Slice(x, w, 650, 1200).Rows, w[650..]);
        double[] aBefore = Flat(a), bBefore = Flat(b);
        KMeansStatistics ab = a.Merge(b);
        Bits(Flat(a)).Should().Equal(Bits(aBefore), "Merge leaves its operands unchanged");
        Bits(Flat(b)).Should().Equal(Bits(bBefore));

        KMeansStatistics empty = a.Empty();
        empty.TotalWeight.Should().Be(0);
        empty.Inertia.Should().Be(0);
        Bits(empty.Centers).Should().Equal(Bits(model.Centers));
        Bits(Flat(a.Merge(empty))).Should().Equal(Bits(aBefore));
        Bits(Flat(empty.Merge(a))).Should().Equal(Bits(aBefore));
        Bits(empty.NextCenters()).Should().Equal(Bits(model.Centers), "clusters without weight keep their centers");

        ShouldAgree(Flat(a.Merge(b.Merge(c))), Flat(ab.Merge(c)), 1e-12);
        ShouldAgree(Flat(c.Merge(a).Merge(b)), Flat(ab.Merge(c)), 1e-12);
    }

    [Fact]
    public void A_cluster_without_rows_keeps_its_center_and_zero_rows_give_empty_statistics()
    {
        var model = new KMeansModel(new double[,] { { 0, 0 }, { 10, 10 }, { 100, -100 } });
        double[,] x = { { 1, 0 }, { -1, 0 }, { 9, 10 }, { 11, 10 }, { 10, 13 } };
        KMeansStatistics s = model.ComputeStatistics(x);
        s.ClusterWeights.Should().Equal(2, 3, 0);
        s.Scatters[0].Should().Be(2);
        s.Scatters[1].Should().BeApproximately(8, 1e-12);
        s.Inertia.Should().BeApproximately(13, 1e-12);
        s.Inertia.Should().BeApproximately(model.InertiaOf(x), 1e-12);
        double[,] next = s.NextCenters();
        next[0, 0].Should().Be(0);
        next[1, 1].Should().BeApproximately(11.0, 1e-15);
        next[2, 0].Should().Be(100);
        next[2, 1].Should().Be(-100);

        KMeansStatistics none = model.ComputeStatistics(new double[0, 2]);
        Bits(Flat(none)).Should().Equal(Bits(Flat(s.Empty())));
        KMeansStatistics zeroWeights = model.ComputeStatistics(x, new double[5]);
        Bits(Flat(zeroWeights)).Should().Equal(Bits(Flat(s.Empty())), "rows of weight 0 count for nothing");
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter()
    {
        (double[,] x, KMeansModel model) = Problem(50, 11);
        KMeansStatistics s = model.ComputeStatistics(x);
        var wrongWidth = () => model.ComputeStatistics(new double[3, 2]);
        wrongWidth.Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
        var nan = () => model.ComputeStatistics(new double[,] { { 1, 2, double.NaN } });
        nan.Should().Throw<ArgumentException>().WithMessage("*row 0, column 2*");
        var weights = () => model.ComputeStatistics(x, Enumerable.Repeat(1.0, 49).ToArray());
        weights.Should().Throw<ArgumentException>().And.ParamName.Should().Be("sampleWeights");
        var negative = () => model.ComputeStatistics(x, Enumerable.Range(0, 50).Select(i => i == 7 ? -1.0 : 1.0).ToArray());
        negative.Should().Throw<ArgumentException>().WithMessage("*row 7*");
        double[,] shifted = model.Centers;
        shifted[0, 0] += 1;
        var other = new KMeansModel(shifted);
        var mixed = () => s.Merge(other.ComputeStatistics(x));
        mixed.Should().Throw<ArgumentException>().WithMessage("*different centers*").And.ParamName.Should().Be("other");
        var none = () => KMeansStatistics.Merge([]);
        none.Should().Throw<ArgumentException>().And.ParamName.Should().Be("parts");
    }

    [Fact]
    public void Statistics_round_trip_through_json_bit_for_bit_and_merge_after_loading()
    {
        (double[,] x, KMeansModel model) = Problem(700, 12, offset: 3e7);
        double[] w = Weights(700, 13);
        KMeansStatistics s = model.ComputeStatistics(x, w);
        KMeansStatistics back = RoundTrip(s, "LatentModels.KMeansStatistics");
        Bits(Flat(back)).Should().Equal(Bits(Flat(s)));
        Bits(Flat(back.Merge(s))).Should().Equal(Bits(Flat(s.Merge(s))));
        Bits(back.ToModel().Centers).Should().Equal(Bits(s.ToModel().Centers));
    }

    [Fact]
    public void Malformed_json_is_rejected_with_a_ModelFormatException_naming_the_field()
    {
        (double[,] x, KMeansModel model) = Problem(100, 14);
        KMeansStatistics s = model.ComputeStatistics(x);
        LoadFails(Tamper(s, r => r["clusterWeights"]![2] = -1.0), "'clusterWeights[2]'");
        LoadFails(Tamper(s, r => r["scatters"] = new JsonArray(1.0, 2.0)), "'scatters'", "2 values");
        LoadFails(Tamper(s, r => r["means"] = new JsonArray(new JsonArray(1.0, 2.0, 3.0))), "'means'", "1 rows");
        LoadFails(Tamper(s, r => r["means"]![0]![1] = "x"), "'means[0][1]'");
        LoadFails(Tamper(s, r => r["centers"] = new JsonArray()), "'centers'");
        LoadFails(Tamper(s, r => r["totalWeight"] = -2.0), "'totalWeight'");
        LoadFails(Tamper(s, r => r.Remove("scatters")), "'scatters'");
    }
}
