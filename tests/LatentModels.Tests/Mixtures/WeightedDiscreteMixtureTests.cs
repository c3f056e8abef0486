using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Tests.Distributions;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>Per-row sample weights of generic mixture EM (Bernoulli, categorical and the weighted-MLE adapter).</summary>
public class WeightedDiscreteMixtureTests
{
    private static double[] Flat(MixtureModel<IndependentBernoulli> model) =>
        model.Weights.Concat(model.Distributions.SelectMany(c => c.Probabilities)).ToArray();

    private static double[] Flat(MixtureModel<IndependentCategorical> model) =>
        model.Weights.Concat(model.Distributions.SelectMany(c => c.ToArrays().SelectMany(v => v))).ToArray();

    private static void ShouldMatch(double[] actual, double[] expected, double tolerance, string because = "")
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], tolerance, $"parameter {i} {because}");
        }
    }

    private static MixtureModel<IndependentBernoulli> BernoulliStart(int k, int d, int seed)
    {
        var random = new Random(seed);
        var p = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                p[c, j] = 0.2 + 0.6 * random.NextDouble();
            }
        }

        return BernoulliMixture.CreateModel(Enumerable.Repeat(1.0 / k, k).ToArray(), p);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Integer_weights_equal_rows_repeated_by_their_weights_from_the_same_start(double alpha)
    {
        double[,] x = ThreePrototypes().Sample(300, new Random(5));
        int[] counts = Enumerable.Range(0, 300).Select(i => i % 4).ToArray(); // 0…3 copies, a quarter of the rows dropped
        double[] weights = counts.Select(c => (double)c).ToArray();
        double[,] repeated = TestData.Repeat(x, counts);
        MixtureModel<IndependentBernoulli> start = BernoulliStart(3, 20, 6);
        var options = new MixtureOptions { Components = 3, Tolerance = 0, MaxIterations = 15, PseudoCount = alpha };

        FitResult<MixtureModel<IndependentBernoulli>> weighted = new BernoulliMixture(options).FitFrom(start, x, weights);
        FitResult<MixtureModel<IndependentBernoulli>> copies = new BernoulliMixture(options).FitFrom(start, repeated);
        ShouldMatch(Flat(weighted.Model), Flat(copies.Model), 1e-10);
        weighted.Report.ObjectiveTrace.Should().HaveCount(15);
        ShouldMatch(weighted.Report.ObjectiveTrace.ToArray(), copies.Report.ObjectiveTrace.ToArray(), 1e-10, "(objective)");
        weighted.Report.ObjectiveTrace.Should().BeInAscendingOrder("weighted EM never decreases its objective");

        // Categorical components.
        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] codes = truth.Sample(250, new Random(7));
        int[] catCounts = Enumerable.Range(0, 250).Select(i => (i * 7) % 5).ToArray();
        var catStart = new MixtureModel<IndependentCategorical>(truth.Family, [0.5, 0.5],
        [
            new IndependentCategorical([[0.4, 0.3, 0.3], [0.6, 0.4], [0.3, 0.2, 0.2, 0.3], [0.3, 0.3, 0.4]]),
            new IndependentCategorical([[0.3, 0.3, 0.4], [0.4, 0.6], [0.2, 0.3, 0.3, 0.2], [0.4, 0.3, 0.3]]),
        ]);
        var catOptions = options with { Components = 2 };
        MixtureModel<IndependentCategorical> catWeighted = new CategoricalMixture([3, 2, 4, 3], catOptions)
            .FitFrom(catStart, codes, catCounts.Select(c => (double)c).ToArray()).Model;
        MixtureModel<IndependentCategorical> catCopies = new CategoricalMixture([3, 2, 4, 3], catOptions).FitFrom(catStart, TestData.Repeat(codes, catCounts)).Model;
        ShouldMatch(Flat(catWeighted), Flat(catCopies), 1e-10, "(categorical)");

        if (alpha == 0)
        {
            // The weighted-MLE adapter (T.Fit with the combined weights) agrees as well.
            var adapter = new Mixture<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(b => b.Dimension), options);
            var adapterStart = new MixtureModel<IndependentBernoulli>(adapter.Family, start.Weights, start.Distributions);
            MixtureModel<IndependentBernoulli> viaFit = adapter.FitFrom(adapterStart, x, weights).Model;
            ShouldMatch(Flat(viaFit), Flat(copies.Model), 1e-10, "(adapter)");
        }
    }

    [Theory]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    [InlineData(MixtureInit.RandomRows)]
    public void Rows_of_weight_zero_change_nothing_even_where_they_are_impossible(MixtureInit init)
    {
        // Kept rows have column 0 always 0, so the maximum-likelihood fit gives them probability 0 of a one there; the
        // dropped rows are all ones, impossible under every fitted component (log-density −∞), and must not matter.
        double[,] kept = ThreePrototypes().Sample(200, new Random(11));
        var random = new Random(12);
        double[] keptWeights = Enumerable.Range(0, 200).Select(_ => 0.25 + 2 * random.NextDouble()).ToArray();
        for (int i = 0; i < 200; i++)
        {
            kept[i, 0] = 0;
        }

        var x = new double[260, 20];
        var weights = new double[260];
        for (int i = 0, r = 0; i < 260; i++)
        {
            if (i % 13 < 3)
            {
                for (int j = 0; j < 20; j++)
                {
                    x[i, j] = 1;
                }

                continue;
            }

            for (int j = 0; j < 20; j++)
            {
                x[i, j] = kept[r, j];
            }

            weights[i] = keptWeights[r++];
        }

        var options = new MixtureOptions { Components = 3, Init = init, Seed = 21, Starts = 2, Tolerance = 0, MaxIterations = 10, PseudoCount = 0 };
        FitResult<MixtureModel<IndependentBernoulli>> withZeros = new BernoulliMixture(options).Fit(x, weights);
        FitResult<MixtureModel<IndependentBernoulli>> without = new BernoulliMixture(options).Fit(kept, keptWeights);
        ShouldMatch(Flat(withZeros.Model), Flat(without.Model), 1e-12);
        withZeros.Model.Distributions.Should().OnlyContain(c => c.Probabilities[0] == 0, "only the kept rows count");
        withZeros.Report.ObjectiveTrace.Should().OnlyContain(v => double.IsFinite(v));
        ShouldMatch(withZeros.Report.ObjectiveTrace.ToArray(), without.Report.ObjectiveTrace.ToArray(), 1e-12, "(objective)");
    }

    [Theory]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    [InlineData(MixtureInit.RandomRows)]
    [InlineData(MixtureInit.RandomResponsibilities)]
    public void Weights_all_equal_to_c_give_the_unweighted_fit_with_the_pseudo_count_divided_by_c(MixtureInit init)
    {
        double[,] x = ThreePrototypes().Sample(400, new Random(31));
        var options = new MixtureOptions { Components = 3, Init = init, Seed = 4, Starts = 2, Tolerance = 0, MaxIterations = 12, PseudoCount = 0.01 };

        // Weights of 1 are the unweighted fit bit for bit.
        FitResult<MixtureModel<IndependentBernoulli>> plain = new BernoulliMixture(options).Fit(x);
        FitResult<MixtureModel<IndependentBernoulli>> ones = new BernoulliMixture(options).Fit(x, Enumerable.Repeat(1.0, 400).ToArray());
        Flat(ones.Model).Should().Equal(Flat(plain.Model));
        ones.Report.ObjectiveTrace.Should().Equal(plain.Report.ObjectiveTrace);

        // A weight c is c copies: with pseudo-count α that is the unweighted fit with α / c, (c Σ r x + α) / (c Nₖ + 2α).
        // One start: two starts reaching the same optimum in another label order would make the pick a rounding tie.
        options = options with { Starts = 1 };
        const double c = 2.5;
        double[] scaled = Enumerable.Repeat(c, 400).ToArray();
        FitResult<MixtureModel<IndependentBernoulli>> weighted = new BernoulliMixture(options with { PseudoCount = 0.5 }).Fit(x, scaled);
        FitResult<MixtureModel<IndependentBernoulli>> reference = new BernoulliMixture(options with { PseudoCount = 0.5 / c }).Fit(x);
        ShouldMatch(Flat(weighted.Model), Flat(reference.Model), 1e-10);
        ShouldMatch(weighted.Report.ObjectiveTrace.ToArray(), reference.Report.ObjectiveTrace.ToArray(), 1e-10, "(objective)");
        FitResult<MixtureModel<IndependentBernoulli>> mle = new BernoulliMixture(options with { PseudoCount = 0 }).Fit(x, scaled);
        FitResult<MixtureModel<IndependentBernoulli>> plainMle = new BernoulliMixture(options with { PseudoCount = 0 }).Fit(x);
        ShouldMatch(Flat(mle.Model), Flat(plainMle.Model), 1e-10, "(maximum likelihood)");
    }

    [Fact]
    public void Bad_sample_weights_are_rejected_naming_the_parameter_and_row_and_inputs_are_not_modified()
    {
        double[,] x = ThreePrototypes().Sample(6, new Random(41));
        var mixture = new BernoulliMixture(new MixtureOptions { Components = 2 });
        MixtureModel<IndependentBernoulli> start = BernoulliStart(2, 20, 42);
        void Rejects(double[] w, string fragment)
        {
            Action fit = () => mixture.Fit(x, w);
            fit.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").Where(e => e.Message.Contains(fragment));
            Action fitFrom = () => mixture.FitFrom(start, x, w);
            fitFrom.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").Where(e => e.Message.Contains(fragment));
        }

        Rejects([1, 1, -0.5, 1, 1, 1], "row 2");
        Rejects([1, 1, 1, double.NaN, 1, 1], "row 3");
        Rejects([1, 1, 1, 1, double.PositiveInfinity, 1], "row 4");
        Rejects([1, 1, 1], "3 weights for 6 rows");
        Rejects([0, 0, 0, 0, 0, 0], "sum to zero");
        Action missing = () => mixture.Fit(x, (double[])null!);
        missing.Should().Throw<ArgumentNullException>().WithParameterName("sampleWeights");
        Action onePositiveRow = () => mixture.Fit(x, [0, 0, 3, 0, 0, 0]);
        onePositiveRow.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Components", "only rows of positive weight count");

        double[] weights = [0.5, 2, 0, 1, 3, 1.5];
        double[] weightsCopy = (double[])weights.Clone();
        var xCopy = (double[,])x.Clone();
        FitResult<MixtureModel<IndependentBernoulli>> fit = mixture.Fit(x, weights);
        weights.Should().Equal(weightsCopy);
        x.Cast<double>().Should().Equal(xCopy.Cast<double>());
        fit.Model.Weights.Sum().Should().BeApproximately(1, 1e-14);
    }

    [Fact]
    public void Weighted_fits_give_the_same_bits_for_one_and_two_threads()
    {
        double[,] x = ThreePrototypes().Sample(6000, new Random(51));
        var random = new Random(52);
        double[] weights = Enumerable.Range(0, 6000).Select(i => i % 7 == 0 ? 0 : random.NextDouble() * 3).ToArray();
        FitResult<MixtureModel<IndependentBernoulli>> Run(int threads) => new BernoulliMixture(new MixtureOptions
        {
            Components = 4,
            Starts = 2,
            MaxIterations = 6,
            Tolerance = 0,
            Seed = 7,
            MaxDegreeOfParallelism = threads,
        }).Fit(x, weights);
        FitResult<MixtureModel<IndependentBernoulli>> one = Run(1), two = Run(2);
        two.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        Flat(two.Model).Should().Equal(Flat(one.Model));

        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] codes = truth.Sample(3000, new Random(53));
        double[] catWeights = Enumerable.Range(0, 3000).Select(i => 1.0 + i % 5).ToArray();
        MixtureModel<IndependentCategorical> Cat(int threads) => new CategoricalMixture([3, 2, 4, 3], new MixtureOptions
        {
            Components = 3,
            MaxIterations = 5,
            Tolerance = 0,
            Seed = 3,
            Init = MixtureInit.RandomRows,
            MaxDegreeOfParallelism = threads,
        }).Fit(codes, catWeights).Model;
        Flat(Cat(2)).Should().Equal(Flat(Cat(1)));
    }

    [Fact]
    public void Weighted_seeding_draws_rows_in_proportion_to_weight_and_never_rows_of_weight_zero()
    {
        // Six distinct rows; weights 0, 1, 2, 3, 0, 4 (total 10).
        var x = new double[,] { { 0, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 0 }, { 1, 1, 1 } };
        double[] weights = [0, 1, 2, 3, 0, 4];
        const int draws = 4000;
        var first = new int[6];
        var random = new Random(61);
        for (int t = 0; t < draws; t++)
        {
            first[Mixture<IndependentBernoulli>.HammingPlusPlus(x, 1, random, 1, weights)[0]]++;
            int[] three = Mixture<IndependentBernoulli>.HammingPlusPlus(x, 3, random, 1, weights);
            three.Distinct().Should().HaveCount(3);
            three.Should().NotContain([0, 4]);
            int[] rows = EmStarts.WeightedDistinctRows(weights, 4, random);
            rows.Should().BeEquivalentTo([1, 2, 3, 5], "the only rows of positive weight");
        }

        first[0].Should().Be(0);
        first[4].Should().Be(0);
        for (int i = 0; i < 6; i++)
        {
            double p = weights[i] / 10;
            ((double)first[i] / draws).Should().BeApproximately(p, 5 * Math.Sqrt(p * (1 - p) / draws) + 1e-12, $"row {i}");
        }

        // The second k-means++ row is drawn ∝ weight × distance: after row 5 (1, 1, 1) the masses are 1·2, 2·2, 3·2, 0 → 1/6, 2/6, 3/6.
        var second = new int[6];
        int afterFive = 0;
        for (int t = 0; t < draws; t++)
        {
            int[] two = Mixture<IndependentBernoulli>.HammingPlusPlus(x, 2, random, 1, weights);
            if (two[0] == 5)
            {
                second[two[1]]++;
                afterFive++;
            }
        }

        for (int i = 1; i <= 3; i++)
        {
            double p = i / 6.0;
            ((double)second[i] / afterFive).Should().BeApproximately(p, 5 * Math.Sqrt(p * (1 - p) / afterFive), $"row {i}");
        }
    }
}
