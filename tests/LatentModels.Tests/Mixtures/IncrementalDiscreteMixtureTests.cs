using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Distributions;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>Incremental (Neal–Hinton) EM of the Bernoulli and categorical mixtures, checked against batch EM.</summary>
public class IncrementalDiscreteMixtureTests
{
    private static int[] CategoricalShape => [3, 2, 4, 3];

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

    private static void ShouldNotDecrease(IReadOnlyList<double> trace)
    {
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-12, $"pass {t} of incremental EM may not lower the objective");
        }
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.0, 16)]
    [InlineData(0.5, 7)]
    public void Bernoulli_objective_never_decreases_across_passes(double alpha, int blockSize)
    {
        double[,] x = ThreePrototypes().Sample(400, new Random(1));
        var options = new IncrementalDiscreteMixtureOptions
        {
            Mixture = new MixtureOptions { Components = 3, PseudoCount = alpha, Init = MixtureInit.RandomResponsibilities, Seed = 3 },
            Passes = 25,
            BlockSize = blockSize,
        };

        FitResult<MixtureModel<IndependentBernoulli>> fit = new IncrementalBernoulliMixture(options).Fit(x);
        fit.Report.ObjectiveTrace.Should().HaveCount(25);
        fit.Report.ObjectiveName.Should().Be(alpha > 0 ? "meanLogPosterior" : "meanLogLikelihood");
        ShouldNotDecrease(fit.Report.ObjectiveTrace);
    }

    [Fact]
    public void Categorical_objective_never_decreases_across_passes()
    {
        double[,] x = TwoCategoricalProfiles().Sample(500, new Random(2));
        var options = new IncrementalDiscreteMixtureOptions
        {
            Mixture = new MixtureOptions { Components = 2, Init = MixtureInit.RandomResponsibilities, Seed = 4 },
            Passes = 20,
            BlockSize = 9,
        };

        FitResult<MixtureModel<IndependentCategorical>> fit = new IncrementalCategoricalMixture(CategoricalShape, options).Fit(x);
        fit.Report.ObjectiveTrace.Should().HaveCount(20);
        ShouldNotDecrease(fit.Report.ObjectiveTrace);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void One_pass_with_one_block_is_one_batch_iteration(double alpha)
    {
        double[,] x = ThreePrototypes().Sample(300, new Random(5));
        var mixture = new MixtureOptions { Components = 3, PseudoCount = alpha, Seed = 8, MaxIterations = 1, Tolerance = 0 };
        var batch = new BernoulliMixture(mixture).Fit(x);
        var incremental = new IncrementalBernoulliMixture(new IncrementalDiscreteMixtureOptions { Mixture = mixture, Passes = 1, BlockSize = 300 }).Fit(x);
        ShouldMatch(Flat(incremental.Model), Flat(batch.Model), 1e-12);
        incremental.Report.ObjectiveTrace[0].Should().BeApproximately(batch.Report.ObjectiveTrace[0], 1e-12);

        double[,] c = TwoCategoricalProfiles().Sample(200, new Random(6));
        var catMixture = mixture with { Components = 2 };
        var catBatch = new CategoricalMixture(CategoricalShape, catMixture).Fit(c);
        var catIncremental = new IncrementalCategoricalMixture(CategoricalShape, new IncrementalDiscreteMixtureOptions { Mixture = catMixture, Passes = 1, BlockSize = 1000 }).Fit(c);
        ShouldMatch(Flat(catIncremental.Model), Flat(catBatch.Model), 1e-12);
        catIncremental.Report.ObjectiveTrace[0].Should().BeApproximately(catBatch.Report.ObjectiveTrace[0], 1e-12);
    }

    [Fact]
    public void Converges_to_the_batch_fixed_point_from_the_same_start()
    {
        double[,] x = ThreePrototypes().Sample(500, new Random(7));
        var mixture = new MixtureOptions { Components = 3, PseudoCount = 0.1, Seed = 9, MaxIterations = 500, Tolerance = 0 };
        var batch = new BernoulliMixture(mixture).Fit(x);
        var incremental = new IncrementalBernoulliMixture(new IncrementalDiscreteMixtureOptions { Mixture = mixture, Passes = 200, BlockSize = 25 }).Fit(x);
        incremental.Report.ObjectiveTrace[^1].Should().BeApproximately(batch.Report.ObjectiveTrace[^1], 1e-6);
        ShouldMatch(Flat(incremental.Model), Flat(batch.Model), 1e-4);

        double[,] c = TwoCategoricalProfiles().Sample(400, new Random(8));
        var catMixture = mixture with { Components = 2 };
        var catBatch = new CategoricalMixture(CategoricalShape, catMixture).Fit(c);
        var catIncremental = new IncrementalCategoricalMixture(CategoricalShape, new IncrementalDiscreteMixtureOptions { Mixture = catMixture, Passes = 200, BlockSize = 10 }).Fit(c);
        catIncremental.Report.ObjectiveTrace[^1].Should().BeApproximately(catBatch.Report.ObjectiveTrace[^1], 1e-6);
        ShouldMatch(Flat(catIncremental.Model), Flat(catBatch.Model), 1e-4);
    }

    [Fact]
    public void Bits_do_not_depend_on_the_thread_count()
    {
        double[,] x = ThreePrototypes().Sample(700, new Random(10));
        IncrementalDiscreteMixtureOptions Options(int dop) => new()
        {
            Mixture = new MixtureOptions { Components = 3, Seed = 11, Starts = 2, MaxDegreeOfParallelism = dop },
            Passes = 6,
            BlockSize = 64,
        };

        var one = new IncrementalBernoulliMixture(Options(1)).Fit(x);
        var all = new IncrementalBernoulliMixture(Options(0)).Fit(x);
        Flat(all.Model).Should().Equal(Flat(one.Model));
        all.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
    }

    [Fact]
    public void Integer_weights_equal_duplicated_rows()
    {
        // Weight pattern of period 10 summing to 16: weighted blocks of 10 rows hold exactly the rows of repeated blocks of 16.
        int[] pattern = [1, 1, 1, 2, 3, 0, 2, 1, 3, 2];
        double[,] x = ThreePrototypes().Sample(300, new Random(12));
        int[] counts = Enumerable.Range(0, 300).Select(i => pattern[i % 10]).ToArray();
        double[] weights = counts.Select(c => (double)c).ToArray();
        double[,] repeated = TestData.Repeat(x, counts);
        var mixture = new MixtureOptions { Components = 3, Init = MixtureInit.First, PseudoCount = 0.2 };

        var weighted = new IncrementalBernoulliMixture(new IncrementalDiscreteMixtureOptions { Mixture = mixture, Passes = 8, BlockSize = 10 }).Fit(x, weights);
        var copies = new IncrementalBernoulliMixture(new IncrementalDiscreteMixtureOptions { Mixture = mixture, Passes = 8, BlockSize = 16 }).Fit(repeated);
        ShouldMatch(Flat(weighted.Model), Flat(copies.Model), 1e-10);
        ShouldMatch(weighted.Report.ObjectiveTrace.ToArray(), copies.Report.ObjectiveTrace.ToArray(), 1e-10, "(objective)");
        x.Should().BeEquivalentTo(ThreePrototypes().Sample(300, new Random(12)), "the caller's data is not modified");
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        double[,] x = ThreePrototypes().Sample(50, new Random(13));
        var good = new IncrementalDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2 } };

        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good with { Passes = 0 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Passes");
        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good with { BlockSize = 0 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("BlockSize");
        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good with { Tolerance = -1 }).Fit(x))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Tolerance");

        var notBinary = (double[,])x.Clone();
        notBinary[4, 3] = 0.5;
        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good).Fit(notBinary))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("data");

        double[] weights = Enumerable.Repeat(1.0, 50).ToArray();
        weights[7] = -1;
        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good).Fit(x, weights))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "sampleWeights" && e.Message.Contains('7'));
        FluentActions.Invoking(() => new IncrementalBernoulliMixture(good).Fit(x, new double[49]))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("sampleWeights");

        double[,] badCode = TwoCategoricalProfiles().Sample(30, new Random(14));
        badCode[2, 1] = 5;
        FluentActions.Invoking(() => new IncrementalCategoricalMixture(CategoricalShape, good).Fit(badCode))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("data");
    }
}
