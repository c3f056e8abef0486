using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Mixtures;

/// <summary>Mergeable, serialisable E-step statistics of the Bernoulli and categorical mixtures (scale-out EM).</summary>
public class DiscreteMixtureStatisticsTests
{
    private static double[,] Rows(double[,] x, int from, int to)
    {
        int d = x.GetLength(1);
        var result = new double[to - from, d];
        for (int i = from; i < to; i++)
        {
            for (int j = 0; j < d; j++)
            {
                result[i - from, j] = x[i, j];
            }
        }

        return result;
    }

    private static double[] Flat(DiscreteMixtureStatistics s) =>
        s.ComponentWeights.Concat(s.Counts).Append(s.TotalWeight).Append(s.LogLikelihood).ToArray();

    private static void ShouldMatchRelative(double[] actual, double[] expected, double tolerance)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], tolerance * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }
    }

    private static MixtureModel<IndependentBernoulli> BernoulliStart(int k)
    {
        var random = new Random(2);
        var p = new double[k, 20];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < 20; j++)
            {
                p[c, j] = 0.2 + 0.6 * random.NextDouble();
            }
        }

        return BernoulliMixture.CreateModel(Enumerable.Range(1, k).Select(c => 2.0 * c / (k * (k + 1))).ToArray(), p);
    }

    private static MixtureModel<IndependentCategorical> CategoricalStart() =>
        new(new IndependentCategoricalFamily([3, 2, 4, 3]), [0.5, 0.5],
        [
            new IndependentCategorical([[0.4, 0.3, 0.3], [0.6, 0.4], [0.3, 0.2, 0.2, 0.3], [0.3, 0.3, 0.4]]),
            new IndependentCategorical([[0.3, 0.3, 0.4], [0.4, 0.6], [0.2, 0.3, 0.3, 0.2], [0.4, 0.3, 0.3]]),
        ]);

    [Fact]
    public void Statistics_equal_naive_weighted_counts_of_the_posterior()
    {
        MixtureModel<IndependentCategorical> model = CategoricalStart();
        double[,] x = TwoCategoricalProfiles().Sample(120, new Random(3));
        double[] w = Enumerable.Range(0, 120).Select(i => i % 5 == 0 ? 0 : 0.3 + (i % 7) / 3.0).ToArray();
        DiscreteMixtureStatistics s = DiscreteMixtureStatistics.FromCategorical(model, x, w);
        double[,] posterior = model.PredictProbabilities(x);
        var logDensity = new double[120];
        model.LogDensity(x, logDensity);
        s.Components.Should().Be(2);
        s.CategoryCounts.Should().Equal(3, 2, 4, 3);
        s.TotalWeight.Should().BeApproximately(w.Sum(), 1e-12);
        s.LogLikelihood.Should().BeApproximately(Enumerable.Range(0, 120).Sum(i => w[i] * logDensity[i]), 1e-10);
        int[] counts = [3, 2, 4, 3];
        for (int c = 0; c < 2; c++)
        {
            s.ComponentWeights[c].Should().BeApproximately(Enumerable.Range(0, 120).Sum(i => w[i] * posterior[i, c]), 1e-12);
            for (int j = 0; j < 4; j++)
            {
                for (int q = 0; q < counts[j]; q++)
                {
                    double naive = Enumerable.Range(0, 120).Where(i => x[i, j] == q).Sum(i => w[i] * posterior[i, c]);
                    s.GetCount(c, j, q).Should().BeApproximately(naive, 1e-12, $"component {c}, variable {j}, outcome {q}");
                }
            }
        }

        // Bernoulli: outcome 1 is the weighted count of ones, outcome 0 the rest of Nₖ.
        MixtureModel<IndependentBernoulli> bernoulli = BernoulliStart(3);
        double[,] b = ThreePrototypes().Sample(90, new Random(4));
        DiscreteMixtureStatistics bs = DiscreteMixtureStatistics.FromBernoulli(bernoulli, b);
        double[,] bp = bernoulli.PredictProbabilities(b);
        bs.TotalWeight.Should().Be(90);
        bs.CategoryCounts.Should().OnlyContain(v => v == 2).And.HaveCount(20);
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < 20; j++)
            {
                bs.GetCount(c, j, 1).Should().BeApproximately(Enumerable.Range(0, 90).Sum(i => bp[i, c] * b[i, j]), 1e-12);
                bs.GetCount(c, j, 0).Should().BeApproximately(Enumerable.Range(0, 90).Sum(i => bp[i, c] * (1 - b[i, j])), 1e-12);
            }
        }
    }

    [Fact]
    public void Merged_statistics_of_parts_equal_the_statistics_of_the_whole()
    {
        double[,] x = ThreePrototypes().Sample(301, new Random(5));
        var random = new Random(6);
        double[] integerWeights = Enumerable.Range(0, 301).Select(i => (double)(i % 4)).ToArray();
        double[] realWeights = Enumerable.Range(0, 301).Select(_ => random.NextDouble() * 2).ToArray();

        // One component: every responsibility is exactly 1, so integer weights give integer counts that merge exactly.
        MixtureModel<IndependentBernoulli> single = BernoulliMixture.CreateModel([1.0], new double[1, 20].Fill(0.3));
        DiscreteMixtureStatistics whole = DiscreteMixtureStatistics.FromBernoulli(single, x, integerWeights);
        DiscreteMixtureStatistics merged = DiscreteMixtureStatistics.FromBernoulli(single, Rows(x, 0, 137), integerWeights[..137])
            .Merge(DiscreteMixtureStatistics.FromBernoulli(single, Rows(x, 137, 301), integerWeights[137..]));
        merged.ComponentWeights.Should().Equal(whole.ComponentWeights);
        merged.Counts.Should().Equal(whole.Counts);
        merged.TotalWeight.Should().Be(whole.TotalWeight);
        merged.ComponentWeights[0].Should().Be(integerWeights.Sum());
        merged.LogLikelihood.Should().BeApproximately(whole.LogLikelihood, 1e-12 * Math.Abs(whole.LogLikelihood));

        // Three components, real weights: equal up to the rounding of the summation order.
        MixtureModel<IndependentBernoulli> model = BernoulliStart(3);
        DiscreteMixtureStatistics all = DiscreteMixtureStatistics.FromBernoulli(model, x, realWeights);
        DiscreteMixtureStatistics halves = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 0, 150), realWeights[..150])
            .Merge(DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 150, 301), realWeights[150..]));
        ShouldMatchRelative(Flat(halves), Flat(all), 1e-12);
        DiscreteMixtureStatistics thirds = DiscreteMixtureStatistics.Merge(
        [
            DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 0, 100), realWeights[..100]),
            DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 100, 200), realWeights[100..200]),
            DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 200, 301), realWeights[200..]),
        ]);
        ShouldMatchRelative(Flat(thirds), Flat(all), 1e-12);

        MixtureModel<IndependentCategorical> categorical = CategoricalStart();
        double[,] codes = TwoCategoricalProfiles().Sample(250, new Random(7));
        double[] cw = realWeights[..250];
        DiscreteMixtureStatistics catAll = DiscreteMixtureStatistics.FromCategorical(categorical, codes, cw);
        DiscreteMixtureStatistics catHalves = DiscreteMixtureStatistics.FromCategorical(categorical, Rows(codes, 0, 111), cw[..111])
            .Merge(DiscreteMixtureStatistics.FromCategorical(categorical, Rows(codes, 111, 250), cw[111..]));
        ShouldMatchRelative(Flat(catHalves), Flat(catAll), 1e-12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.4)]
    public void The_M_step_from_merged_statistics_equals_the_batch_M_step_and_iterates_to_batch_EM(double alpha)
    {
        double[,] x = ThreePrototypes().Sample(400, new Random(8));
        var random = new Random(9);
        double[] w = Enumerable.Range(0, 400).Select(_ => random.NextDouble() * 3).ToArray();
        MixtureModel<IndependentBernoulli> start = BernoulliStart(3);
        var options = new MixtureOptions { Components = 3, Tolerance = 0, MaxIterations = 1, PseudoCount = alpha };
        MixtureModel<IndependentBernoulli> batch = new BernoulliMixture(options).FitFrom(start, x, w).Model;

        // The whole data's statistics give the batch M-step bit for bit; merged partitions up to rounding.
        MixtureModel<IndependentBernoulli> fromWhole = DiscreteMixtureStatistics.FromBernoulli(start, x, w).ToBernoulliModel(alpha);
        fromWhole.Weights.Should().Equal(batch.Weights);
        Probabilities(fromWhole).SelectMany(v => v).Should().Equal(Probabilities(batch).SelectMany(v => v));

        // A driver iterating over three partitions reproduces five iterations of batch EM.
        (int From, int To)[] parts = [(0, 120), (120, 333), (333, 400)];
        MixtureModel<IndependentBernoulli> current = start;
        for (int t = 0; t < 5; t++)
        {
            MixtureModel<IndependentBernoulli> model = current;
            current = DiscreteMixtureStatistics.Merge(parts.Select(p => DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, p.From, p.To), w[p.From..p.To])))
                .ToBernoulliModel(alpha);
            if (t == 0)
            {
                current.Weights.Should().Equal(batch.Weights, (a, b) => Math.Abs(a - b) < 1e-12);
                Probabilities(current).SelectMany(v => v).Should().Equal(Probabilities(batch).SelectMany(v => v), (a, b) => Math.Abs(a - b) < 1e-12);
            }
        }

        MixtureModel<IndependentBernoulli> five = new BernoulliMixture(options with { MaxIterations = 5 }).FitFrom(start, x, w).Model;
        current.Weights.Should().Equal(five.Weights, (a, b) => Math.Abs(a - b) < 1e-10);
        Probabilities(current).SelectMany(v => v).Should().Equal(Probabilities(five).SelectMany(v => v), (a, b) => Math.Abs(a - b) < 1e-10);

        // Categorical.
        MixtureModel<IndependentCategorical> catStart = CategoricalStart();
        double[,] codes = TwoCategoricalProfiles().Sample(300, new Random(10));
        MixtureModel<IndependentCategorical> catBatch = new CategoricalMixture([3, 2, 4, 3], options with { Components = 2 }).FitFrom(catStart, codes, w[..300]).Model;
        MixtureModel<IndependentCategorical> catWhole = DiscreteMixtureStatistics.FromCategorical(catStart, codes, w[..300]).ToCategoricalModel(alpha);
        MixtureModel<IndependentCategorical> catMerged = DiscreteMixtureStatistics.FromCategorical(catStart, Rows(codes, 0, 140), w[..140])
            .Merge(DiscreteMixtureStatistics.FromCategorical(catStart, Rows(codes, 140, 300), w[140..300])).ToCategoricalModel(alpha);
        catWhole.Weights.Should().Equal(catBatch.Weights);
        catMerged.Weights.Should().Equal(catBatch.Weights, (a, b) => Math.Abs(a - b) < 1e-12);
        for (int c = 0; c < 2; c++)
        {
            for (int j = 0; j < 4; j++)
            {
                catWhole.Distributions[c].GetProbabilities(j).Should().Equal(catBatch.Distributions[c].GetProbabilities(j));
                catMerged.Distributions[c].GetProbabilities(j).Should().Equal(catBatch.Distributions[c].GetProbabilities(j), (a, b) => Math.Abs(a - b) < 1e-12);
            }
        }
    }

    [Fact]
    public void Statistics_round_trip_through_JSON_bit_for_bit_and_merge_after_loading()
    {
        MixtureModel<IndependentBernoulli> model = BernoulliStart(3);
        double[,] x = ThreePrototypes().Sample(200, new Random(11));
        DiscreteMixtureStatistics a = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 0, 80));
        DiscreteMixtureStatistics b = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 80, 200), Enumerable.Repeat(0.7, 120).ToArray());
        DiscreteMixtureStatistics loadedA = RoundTrip(a, "LatentModels.DiscreteMixtureStatistics");
        DiscreteMixtureStatistics loadedB = RoundTrip(b, "LatentModels.DiscreteMixtureStatistics");
        Bits(Flat(loadedA)).Should().Equal(Bits(Flat(a)));
        loadedA.CategoryCounts.Should().Equal(a.CategoryCounts);
        Bits(Flat(loadedA.Merge(loadedB))).Should().Equal(Bits(Flat(a.Merge(b))));

        // A row impossible under the model makes the log-likelihood −∞, stored as null.
        MixtureModel<IndependentBernoulli> certain = BernoulliMixture.CreateModel([1.0], new double[1, 20]);
        DiscreteMixtureStatistics impossible = DiscreteMixtureStatistics.FromBernoulli(certain, Rows(x, 0, 5));
        impossible.LogLikelihood.Should().Be(double.NegativeInfinity);
        RoundTrip(impossible, "LatentModels.DiscreteMixtureStatistics").LogLikelihood.Should().Be(double.NegativeInfinity);
        LoadFails(Tamper(a, r => r["counts"]![1]![3] = -1), "'counts[1][3]'");
        LoadFails(Tamper(a, r => r["counts"]!.AsArray().RemoveAt(2)), "'counts'");
    }

    [Fact]
    public void Mismatched_shapes_and_bad_input_are_rejected_naming_the_parameter()
    {
        double[,] x = ThreePrototypes().Sample(20, new Random(12));
        DiscreteMixtureStatistics three = DiscreteMixtureStatistics.FromBernoulli(BernoulliStart(3), x);
        DiscreteMixtureStatistics two = DiscreteMixtureStatistics.FromBernoulli(BernoulliStart(2), x);
        Action merge = () => three.Merge(two);
        merge.Should().Throw<ArgumentException>().WithParameterName("other").Where(e => e.Message.Contains("2 components"));
        Action mergeList = () => DiscreteMixtureStatistics.Merge([three, three, two]);
        mergeList.Should().Throw<ArgumentException>().WithParameterName("parts");
        Action none = () => DiscreteMixtureStatistics.Merge([]);
        none.Should().Throw<ArgumentException>().WithParameterName("parts");

        DiscreteMixtureStatistics categorical = DiscreteMixtureStatistics.FromCategorical(CategoricalStart(), TwoCategoricalProfiles().Sample(10, new Random(13)));
        Action notBinary = () => categorical.ToBernoulliModel();
        notBinary.Should().Throw<InvalidOperationException>();
        Action mixed = () => categorical.Merge(three);
        mixed.Should().Throw<ArgumentException>().WithParameterName("other");

        Action badWeight = () => DiscreteMixtureStatistics.FromBernoulli(BernoulliStart(3), x, Enumerable.Range(0, 20).Select(i => i == 7 ? -1.0 : 1).ToArray());
        badWeight.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").Where(e => e.Message.Contains("row 7"));
        x[4, 6] = 0.5;
        Action notBinaryData = () => DiscreteMixtureStatistics.FromBernoulli(BernoulliStart(3), x);
        notBinaryData.Should().Throw<ArgumentException>().WithParameterName("data").Where(e => e.Message.Contains("row 4, column 6"));
        Action negativeAlpha = () => three.ToBernoulliModel(-1);
        negativeAlpha.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("pseudoCount");

        // A component without weight has no maximum-likelihood estimate; a pseudo-count defines it.
        MixtureModel<IndependentBernoulli> dead = BernoulliMixture.CreateModel([1.0, 0.0], new double[2, 20].Fill(0.5));
        DiscreteMixtureStatistics deadStats = DiscreteMixtureStatistics.FromBernoulli(dead, ThreePrototypes().Sample(20, new Random(14)));
        Action mle = () => deadStats.ToBernoulliModel();
        mle.Should().Throw<FittingException>().Where(e => e.Component == 1);
        deadStats.ToBernoulliModel(0.5).Distributions[1].Probabilities.Should().OnlyContain(p => p == 0.5);
    }

    [Fact]
    public void Statistics_are_the_same_bits_for_one_and_two_threads()
    {
        double[,] x = ThreePrototypes().Sample(3000, new Random(15));
        double[] w = Enumerable.Range(0, 3000).Select(i => 0.5 + i % 3).ToArray();
        MixtureModel<IndependentBernoulli> model = BernoulliStart(4);
        Bits(Flat(DiscreteMixtureStatistics.FromBernoulli(model, x, w, 2))).Should().Equal(Bits(Flat(DiscreteMixtureStatistics.FromBernoulli(model, x, w, 1))));
        double[,] codes = TwoCategoricalProfiles().Sample(3000, new Random(16));
        Bits(Flat(DiscreteMixtureStatistics.FromCategorical(CategoricalStart(), codes, w, 2)))
            .Should().Equal(Bits(Flat(DiscreteMixtureStatistics.FromCategorical(CategoricalStart(), codes, w, 1))));
    }
}
