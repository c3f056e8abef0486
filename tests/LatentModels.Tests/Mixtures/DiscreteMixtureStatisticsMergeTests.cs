using LatentModels.Distributions;
using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Mixtures;

/// <summary>The merge contract of <see cref="DiscreteMixtureStatistics"/> (<see cref="IMergeableStatistics{TSelf}"/>) on more than one chunk of rows.</summary>
public class DiscreteMixtureStatisticsMergeTests
{
    private static double[,] Rows(double[,] x, int from, int to)
    {
        int d = x.GetLength(1);
        var result = new double[to - from, d];
        x.AsSpan().Slice(from * d, (to - from) * d).CopyTo(result.AsWritableSpan());
        return result;
    }

    private static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i % 17 == 3 ? 0 : 0.1 + 2 * random.NextDouble()).ToArray();
    }

    private static double[] Flat(DiscreteMixtureStatistics s) =>
        s.ComponentWeights.Concat(s.Counts).Append(s.TotalWeight).Append(s.LogLikelihood).ToArray();

    private static void ShouldAgree(double[] actual, double[] expected, double relative)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], relative * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }
    }

    private static MixtureModel<IndependentBernoulli> BernoulliStart()
    {
        var random = new Random(21);
        var p = new double[3, 20];
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < 20; j++)
            {
                p[c, j] = 0.2 + 0.6 * random.NextDouble();
            }
        }

        return BernoulliMixture.CreateModel([0.2, 0.3, 0.5], p);
    }

    private static double[] ModelValues(MixtureModel<IndependentBernoulli> m) =>
        m.Weights.Concat(m.Distributions.SelectMany(c => c.Probabilities)).ToArray();

    private static double[] ModelValues(MixtureModel<IndependentCategorical> m) =>
        m.Weights.Concat(m.Distributions.SelectMany(c => c.ToArrays().SelectMany(v => v))).ToArray();

    [Fact]
    public void Seven_chunk_partitions_merged_in_order_equal_the_single_pass_bit_for_bit_and_give_the_same_next_model()
    {
        int chunk = DiscreteMixtureStatistics.ChunkSize, n = 6 * chunk + 99;
        MixtureModel<IndependentBernoulli> bernoulli = BernoulliStart();
        double[,] x = ThreePrototypes().Sample(n, new Random(22));
        double[] w = Weights(n, 23);
        DiscreteMixtureStatistics whole = DiscreteMixtureStatistics.FromBernoulli(bernoulli, x, w);
        var parts = Enumerable.Range(0, 7)
            .Select(p => (Start: p * chunk, End: Math.Min(n, (p + 1) * chunk)))
            .Select(r => DiscreteMixtureStatistics.FromBernoulli(bernoulli, Rows(x, r.Start, r.End), w[r.Start..r.End], maxDegreeOfParallelism: 1))
            .ToList();
        DiscreteMixtureStatistics merged = DiscreteMixtureStatistics.Merge(parts);
        Bits(Flat(merged)).Should().Equal(Bits(Flat(whole)));
        Bits(ModelValues(merged.ToBernoulliModel(0.5))).Should().Equal(Bits(ModelValues(whole.ToBernoulliModel(0.5))));
        DiscreteMixtureStatistics folded = whole.Empty();
        foreach (DiscreteMixtureStatistics part in parts)
        {
            folded = folded.Merge(part);
        }

        Bits(Flat(folded)).Should().Equal(Bits(Flat(whole)), "merging pairwise from the empty value gives the same bits");

        // Against batch EM's own M-step on all the rows (one GEMM over all rows: another summation order).
        MixtureModel<IndependentBernoulli> batch = new BernoulliMixture(new MixtureOptions { Components = 3, Tolerance = 0, MaxIterations = 1, PseudoCount = 0.5 })
            .FitFrom(bernoulli, x, w).Model;
        ShouldAgree(ModelValues(whole.ToBernoulliModel(0.5)), ModelValues(batch), 1e-12);

        MixtureModel<IndependentCategorical> categorical = TwoCategoricalProfiles();
        double[,] codes = categorical.Sample(n, new Random(24));
        DiscreteMixtureStatistics catWhole = DiscreteMixtureStatistics.FromCategorical(categorical, codes, w, maxDegreeOfParallelism: 2);
        DiscreteMixtureStatistics catMerged = DiscreteMixtureStatistics.Merge(Enumerable.Range(0, 7)
            .Select(p => (Start: p * chunk, End: Math.Min(n, (p + 1) * chunk)))
            .Select(r => DiscreteMixtureStatistics.FromCategorical(categorical, Rows(codes, r.Start, r.End), w[r.Start..r.End])));
        Bits(Flat(catMerged)).Should().Equal(Bits(Flat(catWhole)));
        Bits(ModelValues(catMerged.ToCategoricalModel(0.1))).Should().Equal(Bits(ModelValues(catWhole.ToCategoricalModel(0.1))));
    }

    [Fact]
    public void The_empty_value_is_the_identity_and_merging_is_associative_to_1e_12()
    {
        MixtureModel<IndependentBernoulli> model = BernoulliStart();
        double[,] x = ThreePrototypes().Sample(900, new Random(25));
        double[] w = Weights(900, 26);
        DiscreteMixtureStatistics a = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 0, 250), w[..250]);
        DiscreteMixtureStatistics b = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 250, 600), w[250..600]);
        DiscreteMixtureStatistics c = DiscreteMixtureStatistics.FromBernoulli(model, Rows(x, 600, 900), w[600..]);
        DiscreteMixtureStatistics empty = b.Empty();
        empty.TotalWeight.Should().Be(0);
        empty.Components.Should().Be(3);
        empty.CategoryCounts.Should().Equal(b.CategoryCounts);
        Bits(Flat(a.Merge(empty))).Should().Equal(Bits(Flat(a)));
        Bits(Flat(empty.Merge(a))).Should().Equal(Bits(Flat(a)));
        ShouldAgree(Flat(a.Merge(b.Merge(c))), Flat(a.Merge(b).Merge(c)), 1e-12);
        ShouldAgree(Flat(c.Merge(a).Merge(b)), Flat(a.Merge(b).Merge(c)), 1e-12);
    }

    [Fact]
    public void A_partition_without_rows_or_weight_gives_the_empty_statistics()
    {
        MixtureModel<IndependentBernoulli> model = BernoulliStart();
        double[,] x = ThreePrototypes().Sample(50, new Random(27));
        DiscreteMixtureStatistics some = DiscreteMixtureStatistics.FromBernoulli(model, x);
        Bits(Flat(DiscreteMixtureStatistics.FromBernoulli(model, new double[0, 20]))).Should().Equal(Bits(Flat(some.Empty())));
        Bits(Flat(DiscreteMixtureStatistics.FromBernoulli(model, x, new double[50]))).Should().Equal(Bits(Flat(some.Empty())));
        Bits(Flat(some.Merge(DiscreteMixtureStatistics.FromBernoulli(model, new double[0, 20], [])))).Should().Equal(Bits(Flat(some)));
        Action empty = () => some.Empty().ToBernoulliModel(0.5);
        empty.Should().Throw<FittingException>().WithMessage("*no weight*");
        Action wrongWidth = () => DiscreteMixtureStatistics.FromBernoulli(model, new double[0, 3]);
        wrongWidth.Should().Throw<ArgumentException>().WithParameterName("data");

        MixtureModel<IndependentCategorical> categorical = TwoCategoricalProfiles();
        double[,] codes = categorical.Sample(40, new Random(28));
        DiscreteMixtureStatistics catSome = DiscreteMixtureStatistics.FromCategorical(categorical, codes);
        Bits(Flat(DiscreteMixtureStatistics.FromCategorical(categorical, new double[0, codes.GetLength(1)]))).Should().Equal(Bits(Flat(catSome.Empty())));
        Bits(Flat(DiscreteMixtureStatistics.FromCategorical(categorical, codes, new double[40]))).Should().Equal(Bits(Flat(catSome.Empty())));
    }
}
