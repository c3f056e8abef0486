using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Distributions;
using static LatentModels.Tests.Mixtures.DiscreteMixtureTestData;

namespace LatentModels.Tests.Mixtures;

/// <summary>Generic mixture EM over the Bernoulli and categorical families (and the weighted-MLE adapter).</summary>
public class DiscreteMixtureTests
{
    private static MixtureModel<IndependentBernoulli> Tiny(double[,] p) => BernoulliMixture.CreateModel([0.5, 0.3, 0.2], p);

    public static TheoryData<int> TinyCases => [0, 1];

    [Theory]
    [MemberData(nameof(TinyCases))]
    public void Bernoulli_posterior_and_density_equal_brute_force_enumeration(int withBoundary)
    {
        // Case 1 has probabilities of exactly 0 and 1, which takes the term-by-term path instead of the GEMM.
        double[,] p = withBoundary == 0
            ? new double[,] { { 0.1, 0.7, 0.4, 0.95 }, { 0.6, 0.2, 0.5, 0.3 }, { 0.85, 0.9, 0.15, 0.05 } }
            : new double[,] { { 0, 0.7, 0.4, 1 }, { 0.6, 0.2, 0.5, 0.3 }, { 0.85, 0.9, 0.15, 0.05 } };
        MixtureModel<IndependentBernoulli> model = Tiny(p);
        double[,] all = IndependentBernoulliTests.AllBinaryVectors(4);
        var logDensity = new double[16];
        model.LogDensity(all, logDensity);
        double[,] posterior = model.PredictProbabilities(all);
        int[] labels = model.Predict(all);
        double total = 0;
        for (int i = 0; i < 16; i++)
        {
            var joint = new double[3];
            for (int c = 0; c < 3; c++)
            {
                double product = model.Weights[c];
                for (int j = 0; j < 4; j++)
                {
                    product *= all[i, j] == 1 ? p[c, j] : 1 - p[c, j];
                }

                joint[c] = product;
            }

            double marginal = joint.Sum();
            total += marginal;
            Math.Exp(logDensity[i]).Should().BeApproximately(marginal, 1e-15);
            logDensity[i].Should().BeApproximately(Math.Log(marginal), 1e-13);
            for (int c = 0; c < 3; c++)
            {
                posterior[i, c].Should().BeApproximately(joint[c] / marginal, 1e-14, $"row {i}, component {c}");
            }

            labels[i].Should().Be(Array.IndexOf(joint, joint.Max()));
            model.LogDensity(MixtureTestData.Row(all, i)).Should().BeApproximately(logDensity[i], 1e-14);
        }

        total.Should().BeApproximately(1, 1e-14, "the mixture is a distribution over the 16 vectors");
        model.ParameterCount.Should().Be(2 + 3 * 4);
    }

    [Fact]
    public void Categorical_posterior_equals_brute_force_enumeration()
    {
        MixtureModel<IndependentCategorical> model = TwoCategoricalProfiles();
        double[,] all = IndependentCategoricalTests.AllCodeVectors([3, 2, 4, 3]);
        int n = all.GetLength(0);
        var logDensity = new double[n];
        model.LogDensity(all, logDensity);
        double[,] posterior = model.PredictProbabilities(all);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double[] joint = Enumerable.Range(0, 2).Select(c =>
                model.Weights[c] * Enumerable.Range(0, 4).Aggregate(1.0, (a, j) => a * model.Distributions[c].GetProbabilities(j)[(int)all[i, j]])).ToArray();
            total += joint.Sum();
            logDensity[i].Should().BeApproximately(Math.Log(joint.Sum()), 1e-13);
            posterior[i, 0].Should().BeApproximately(joint[0] / joint.Sum(), 1e-14);
        }

        total.Should().BeApproximately(1, 1e-14);
        model.ParameterCount.Should().Be(1 + 2 * (2 + 1 + 3 + 2));
    }

    [Fact]
    public void Bernoulli_M_step_equals_naive_weighted_MLE_and_MAP()
    {
        double[,] x = ThreePrototypes().Sample(300, new Random(3));
        var random = new Random(4);
        int n = x.GetLength(0), k = 3;
        var r = new double[n * k];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = random.NextDouble();
        }

        double[] nk = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, n).Sum(i => r[i * k + c])).ToArray();
        IndependentBernoulli[] mle = IndependentBernoulliFamily.Instance.Estimate(x, r, nk, 0, 1);
        IndependentBernoulli[] map = IndependentBernoulliFamily.Instance.Estimate(x, r, nk, 0.5, 1);
        for (int c = 0; c < k; c++)
        {
            double[] weights = Enumerable.Range(0, n).Select(i => r[i * k + c]).ToArray();
            IndependentBernoulli naive = IndependentBernoulli.Fit(x, weights);
            mle[c].Probabilities.Should().Equal(naive.Probabilities, (a, b) => Math.Abs(a - b) < 1e-13);
            for (int j = 0; j < 20; j++)
            {
                double ones = Enumerable.Range(0, n).Sum(i => weights[i] * x[i, j]);
                map[c].Probabilities[j].Should().BeApproximately((ones + 0.5) / (weights.Sum() + 1), 1e-13);
            }
        }
    }

    [Fact]
    public void Categorical_M_step_equals_naive_weighted_MLE()
    {
        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] x = truth.Sample(200, new Random(8));
        var random = new Random(9);
        int n = x.GetLength(0), k = 2;
        double[] r = Enumerable.Range(0, n * k).Select(_ => random.NextDouble()).ToArray();
        double[] nk = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, n).Sum(i => r[i * k + c])).ToArray();
        IndependentCategorical[] mle = truth.Family.Estimate(x, r, nk, 0, 2);
        for (int c = 0; c < k; c++)
        {
            IndependentCategorical naive = IndependentCategorical.Fit(x, Enumerable.Range(0, n).Select(i => r[i * k + c]).ToArray(), [3, 2, 4, 3]);
            for (int j = 0; j < 4; j++)
            {
                mle[c].GetProbabilities(j).Should().Equal(naive.GetProbabilities(j), (a, b) => Math.Abs(a - b) < 1e-13);
            }
        }
    }

    public static TheoryData<double, MixtureInit> TraceCases => new()
    {
        { 0.0, MixtureInit.RandomResponsibilities },
        { 0.01, MixtureInit.KMeansPlusPlus },
        { 1.0, MixtureInit.RandomRows },
        { 0.01, MixtureInit.First },
    };

    [Fact]
    public void First_seeds_with_the_first_rows_of_positive_weight_whatever_the_seed_and_KMeans_is_for_gaussian_mixtures_only()
    {
        double[,] x = ThreePrototypes().Sample(300, new Random(21));
        var options = new MixtureOptions { Components = 3, Init = MixtureInit.First, MaxIterations = 5, Tolerance = 0 };
        MixtureModel<IndependentBernoulli> a = new BernoulliMixture(options with { Seed = 1 }).Fit(x).Model;
        MixtureModel<IndependentBernoulli> b = new BernoulliMixture(options with { Seed = 2 }).Fit(x).Model;
        a.Weights.Should().Equal(b.Weights, "the start does not depend on the seed");

        // Rows of weight 0 are skipped by the seeding and change nothing else: the fit equals the one without them.
        int n = x.GetLength(0), d = x.GetLength(1);
        var weights = Enumerable.Range(0, n).Select(i => i < 4 ? 0.0 : 1.0).ToArray();
        var rest = new double[n - 4, d];
        x.AsSpan()[(4 * d)..].CopyTo(rest.AsWritableSpan());
        MixtureModel<IndependentBernoulli> weighted = new BernoulliMixture(options).Fit(x, weights).Model;
        MixtureModel<IndependentBernoulli> without = new BernoulliMixture(options).Fit(rest).Model;
        for (int c = 0; c < 3; c++)
        {
            weighted.Weights[c].Should().BeApproximately(without.Weights[c], 1e-12);
            weighted.Distributions[c].Probabilities.Should().Equal(without.Distributions[c].Probabilities, (p, q) => Math.Abs(p - q) < 1e-12);
        }

        FluentActions.Invoking(() => new BernoulliMixture(options with { Init = MixtureInit.KMeans }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Init");
    }

    [Theory]
    [MemberData(nameof(TraceCases))]
    public void Objective_trace_never_decreases(double pseudoCount, MixtureInit init)
    {
        double[,] x = ThreePrototypes().Sample(400, new Random(11));
        var options = new MixtureOptions { Components = 5, Init = init, PseudoCount = pseudoCount, Tolerance = 0, MaxIterations = 60, Seed = 2 };
        FitResult<MixtureModel<IndependentBernoulli>> fit = new BernoulliMixture(options).Fit(x);
        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        trace.Should().HaveCount(60);
        fit.Report.ObjectiveName.Should().Be(pseudoCount > 0 ? "meanLogPosterior" : "meanLogLikelihood");
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-12 * Math.Abs(trace[t - 1]), $"iteration {t + 1}");
        }

        trace[^1].Should().BeGreaterThan(trace[0] + 0.01, "EM makes progress from the start");
        if (pseudoCount == 0)
        {
            fit.Model.Score(x).Should().Be(trace[^1], "the trace holds the fitted model's mean log-likelihood");
        }
        else
        {
            fit.Model.Score(x).Should().BeGreaterThan(trace[^1], "the log-prior is negative");
        }

        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] codes = truth.Sample(300, new Random(12));
        FitResult<MixtureModel<IndependentCategorical>> cat = new CategoricalMixture([3, 2, 4, 3], options with { Components = 3 }).Fit(codes);
        for (int t = 1; t < cat.Report.ObjectiveTrace.Count; t++)
        {
            cat.Report.ObjectiveTrace[t].Should().BeGreaterThanOrEqualTo(cat.Report.ObjectiveTrace[t - 1] - 1e-12 * Math.Abs(cat.Report.ObjectiveTrace[t - 1]));
        }
    }

    [Fact]
    public void Bernoulli_fit_recovers_three_prototypes_in_d20()
    {
        MixtureModel<IndependentBernoulli> truth = ThreePrototypes();
        double[,] x = truth.Sample(3000, new Random(21));
        FitResult<MixtureModel<IndependentBernoulli>> fit = new BernoulliMixture(new MixtureOptions { Components = 3, Starts = 3, Seed = 5, Tolerance = 1e-8 }).Fit(x);
        fit.Report.Converged.Should().BeTrue();
        MixtureModel<IndependentBernoulli> model = fit.Model;
        double[][] expected = Probabilities(truth), actual = Probabilities(model);
        for (int c = 0; c < 3; c++)
        {
            // Match each true prototype with the closest fitted component (labels are arbitrary).
            int match = Enumerable.Range(0, 3).MinBy(m => expected[c].Zip(actual[m], (a, b) => Math.Abs(a - b)).Sum());
            double maxError = expected[c].Zip(actual[match], (a, b) => Math.Abs(a - b)).Max();
            maxError.Should().BeLessThan(0.06, $"prototype {c}: standard errors are ≤ 0.013");
            model.Weights[match].Should().BeApproximately(truth.Weights[c], 0.03);
        }

        // The fitted model is at least as likely as the truth on its training data.
        model.Score(x).Should().BeGreaterThan(truth.Score(x));
        int[] labels = model.Predict(x);
        labels.Distinct().Should().HaveCount(3);
    }

    [Fact]
    public void Bernoulli_EM_equals_a_naive_reference_EM_from_the_same_start()
    {
        double[,] x = ThreePrototypes().Sample(500, new Random(31));
        var random = new Random(32);
        var p0 = new double[4, 20];
        for (int c = 0; c < 4; c++)
        {
            for (int j = 0; j < 20; j++)
            {
                p0[c, j] = 0.2 + 0.6 * random.NextDouble();
            }
        }

        double[] w0 = [0.1, 0.2, 0.3, 0.4];
        MixtureModel<IndependentBernoulli> start = BernoulliMixture.CreateModel(w0, p0);
        foreach (double alpha in new[] { 0.0, 0.3 })
        {
            var options = new MixtureOptions { Components = 4, Tolerance = 0, MaxIterations = 25, PseudoCount = alpha };
            MixtureModel<IndependentBernoulli> fitted = new BernoulliMixture(options).FitFrom(start, x).Model;
            var (w, p) = ReferenceBernoulliEm(x, w0, Probabilities(start), alpha, 25);
            fitted.Weights.Should().Equal(w, (a, b) => Math.Abs(a - b) < 1e-10);
            double[][] actual = Probabilities(fitted);
            for (int c = 0; c < 4; c++)
            {
                actual[c].Should().Equal(p[c], (a, b) => Math.Abs(a - b) < 1e-10, $"component {c}, α = {alpha}");
            }

            if (alpha == 0)
            {
                // The generic weighted-MLE adapter (T.Fit per component, term-by-term log-densities) agrees too.
                var adapter = new Mixture<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(b => b.Dimension), options);
                MixtureModel<IndependentBernoulli> viaFit = adapter.FitFrom(new MixtureModel<IndependentBernoulli>(adapter.Family, w0, start.Distributions), x).Model;
                viaFit.Weights.Should().Equal(w, (a, b) => Math.Abs(a - b) < 1e-10);
                for (int c = 0; c < 4; c++)
                {
                    viaFit.Distributions[c].Probabilities.Should().Equal(p[c], (a, b) => Math.Abs(a - b) < 1e-10);
                }
            }
        }
    }

    [Fact]
    public void Categorical_EM_equals_a_naive_reference_EM_and_recovers_the_profiles()
    {
        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] x = truth.Sample(2000, new Random(41));
        var start = new MixtureModel<IndependentCategorical>(truth.Family, [0.5, 0.5],
        [
            new IndependentCategorical([[0.4, 0.3, 0.3], [0.6, 0.4], [0.3, 0.2, 0.2, 0.3], [0.3, 0.3, 0.4]]),
            new IndependentCategorical([[0.3, 0.3, 0.4], [0.4, 0.6], [0.2, 0.3, 0.3, 0.2], [0.4, 0.3, 0.3]]),
        ]);
        var options = new MixtureOptions { Components = 2, Tolerance = 0, MaxIterations = 40, PseudoCount = 0.2 };
        MixtureModel<IndependentCategorical> fitted = new CategoricalMixture([3, 2, 4, 3], options).FitFrom(start, x).Model;
        var (w, p) = ReferenceCategoricalEm(x, start.Weights, start.Distributions.Select(c => c.ToArrays()).ToArray(), 0.2, 40);
        fitted.Weights.Should().Equal(w, (a, b) => Math.Abs(a - b) < 1e-10);
        for (int c = 0; c < 2; c++)
        {
            for (int j = 0; j < 4; j++)
            {
                fitted.Distributions[c].GetProbabilities(j).Should().Equal(p[c][j], (a, b) => Math.Abs(a - b) < 1e-10);
            }
        }

        // After 40 iterations the profiles are recovered (up to label order).
        int first = fitted.Weights[0] > fitted.Weights[1] ? 0 : 1;
        fitted.Weights[first].Should().BeApproximately(0.6, 0.04);
        fitted.Distributions[first].KullbackLeibler(truth.Distributions[0]).Should().BeLessThan(0.02);
        fitted.Distributions[1 - first].KullbackLeibler(truth.Distributions[1]).Should().BeLessThan(0.02);
    }

    [Fact]
    public void Same_seed_gives_the_same_bits_for_one_and_two_threads()
    {
        double[,] x = ThreePrototypes().Sample(20_000, new Random(51));
        FitResult<MixtureModel<IndependentBernoulli>> Run(int threads) => new BernoulliMixture(new MixtureOptions
        {
            Components = 4,
            Starts = 2,
            MaxIterations = 8,
            Tolerance = 0,
            Seed = 7,
            MaxDegreeOfParallelism = threads,
        }).Fit(x);
        FitResult<MixtureModel<IndependentBernoulli>> one = Run(1), two = Run(2);
        two.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        two.Model.Weights.Should().Equal(one.Model.Weights);
        Probabilities(two.Model).SelectMany(v => v).Should().Equal(Probabilities(one.Model).SelectMany(v => v));

        MixtureModel<IndependentCategorical> truth = TwoCategoricalProfiles();
        double[,] codes = truth.Sample(5000, new Random(52));
        MixtureModel<IndependentCategorical> Cat(int threads) => new CategoricalMixture([3, 2, 4, 3], new MixtureOptions
        {
            Components = 3,
            MaxIterations = 5,
            Tolerance = 0,
            Seed = 3,
            Init = MixtureInit.RandomResponsibilities,
            MaxDegreeOfParallelism = threads,
        }).Fit(codes).Model;
        MixtureModel<IndependentCategorical> c1 = Cat(1), c2 = Cat(2);
        c2.Weights.Should().Equal(c1.Weights);
        c2.Distributions.SelectMany(d => d.ToArrays().SelectMany(v => v)).Should().Equal(c1.Distributions.SelectMany(d => d.ToArrays().SelectMany(v => v)));
    }

    [Fact]
    public void Sampling_reproduces_weights_and_probabilities()
    {
        MixtureModel<IndependentBernoulli> truth = ThreePrototypes();
        const int n = 30_000;
        var (points, components) = truth.SampleWithComponents(n, new Random(61));
        for (int c = 0; c < 3; c++)
        {
            int[] rows = Enumerable.Range(0, n).Where(i => components[i] == c).ToArray();
            double w = truth.Weights[c];
            (rows.Length / (double)n).Should().BeApproximately(w, 5 * Math.Sqrt(w * (1 - w) / n));
            for (int j = 0; j < 20; j++)
            {
                double p = truth.Distributions[c].Probabilities[j];
                rows.Average(i => points[i, j]).Should().BeApproximately(p, 5 * Math.Sqrt(p * (1 - p) / rows.Length));
            }
        }

        truth.Sample(10, new Random(1)).Cast<double>().Should().Equal(truth.Sample(10, new Random(1)).Cast<double>());
    }

    [Fact]
    public void BIC_and_AIC_follow_their_formulas()
    {
        MixtureModel<IndependentBernoulli> truth = ThreePrototypes();
        double[,] x = truth.Sample(100, new Random(71));
        int p = truth.ParameterCount;
        p.Should().Be(2 + 3 * 20);
        truth.Bic(x).Should().BeApproximately(-2 * 100 * truth.Score(x) + p * Math.Log(100), 1e-9);
        truth.Aic(x).Should().BeApproximately(-2 * 100 * truth.Score(x) + 2 * p, 1e-9);
    }

    [Fact]
    public void Bad_input_is_rejected_naming_row_and_column()
    {
        var options = new MixtureOptions { Components = 2 };
        var x = new double[,] { { 0, 1, 1 }, { 1, 0, 0 }, { 1, 0.5, 1 } };
        Action notBinary = () => new BernoulliMixture(options).Fit(x);
        notBinary.Should().Throw<ArgumentException>().WithParameterName("data").Where(e => e.Message.Contains("row 2, column 1"));
        Action scoreNotBinary = () => ThreePrototypes().Score(new double[,] { { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } });
        scoreNotBinary.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("row 0, column 0"));
        Action wrongWidth = () => ThreePrototypes().Predict(new double[,] { { 0, 1 } });
        wrongWidth.Should().Throw<ArgumentException>().WithParameterName("data");

        var codes = new double[,] { { 0, 1 }, { 2, 1 }, { 1, 2 } };
        Action outOfRange = () => new CategoricalMixture([3, 2], options).Fit(codes);
        outOfRange.Should().Throw<ArgumentException>().WithParameterName("data").Where(e => e.Message.Contains("row 2, column 1"));
        Action fraction = () => new CategoricalMixture([3, 3], options).Fit(new double[,] { { 0, 1 }, { 0.5, 1 } });
        fraction.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("row 1, column 0"));

        Action tooMany = () => new BernoulliMixture(options with { Components = 4 }).Fit(x.Clone() is double[,] y ? Binary(y) : x);
        tooMany.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Components");
        Action negative = () => new BernoulliMixture(options with { PseudoCount = -1 }).Fit(Binary(x));
        negative.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("PseudoCount");
        Action smoothingUnsupported = () => new Mixture<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(b => b.Dimension), options).Fit(Binary(x));
        smoothingUnsupported.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("PseudoCount");
        Action badWeights = () => BernoulliMixture.CreateModel([0.5, 0.6], new double[,] { { 0.5 }, { 0.5 } });
        badWeights.Should().Throw<ArgumentException>().WithParameterName("weights");
        Action mixedShapes = () => new MixtureModel<IndependentCategorical>(new IndependentCategoricalFamily([2]), [1.0], [new IndependentCategorical([[0.2, 0.3, 0.5]])]);
        mixedShapes.Should().Throw<ArgumentException>().WithParameterName("components");
        x[2, 1].Should().Be(0.5, "the caller's array is never modified");
    }

    private static double[,] Binary(double[,] x)
    {
        var y = (double[,])x.Clone();
        for (int i = 0; i < y.GetLength(0); i++)
        {
            for (int j = 0; j < y.GetLength(1); j++)
            {
                y[i, j] = y[i, j] >= 0.5 ? 1 : 0;
            }
        }

        return y;
    }

    [Fact]
    public void A_component_without_weight_is_reseeded_by_MLE_and_is_defined_with_a_pseudo_count()
    {
        double[,] x = ThreePrototypes().Sample(50, new Random(81));
        MixtureModel<IndependentBernoulli> start = BernoulliMixture.CreateModel([1.0, 0.0], new double[2, 20].Fill(0.5));

        // MLE: component 1 has no weight, so it is re-seeded at the worst-explained row under the start (lowest
        // log-density, lowest index on ties) and after one M-step sits exactly on that row.
        double[,] skewedProbabilities = new double[2, 20].Fill(0.5);
        for (int j = 0; j < 20; j++)
        {
            skewedProbabilities[0, j] = ThreePrototypes().Distributions[0].Probabilities[j];
        }

        MixtureModel<IndependentBernoulli> skewed = BernoulliMixture.CreateModel([1.0, 0.0], skewedProbabilities);
        double[] startLogDensity = Enumerable.Range(0, x.GetLength(0))
            .Select(i => skewed.Distributions[0].LogDensity(Enumerable.Range(0, 20).Select(j => x[i, j]).ToArray())).ToArray();
        int worst = Array.IndexOf(startLogDensity, startLogDensity.Min());
        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> one =
            new BernoulliMixture(new MixtureOptions { Components = 2, PseudoCount = 0, MaxIterations = 1, Tolerance = 0 }).FitFrom(skewed, x);
        one.Model.Distributions[1].Probabilities.Should().Equal(Enumerable.Range(0, 20).Select(j => x[worst, j]));
        one.Model.Weights[1].Should().BeApproximately(1.0 / 50, 1e-15);
        one.Report.ObjectiveTrace.Should().OnlyContain(v => double.IsFinite(v));
        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> full = new BernoulliMixture(new MixtureOptions { Components = 2, PseudoCount = 0 }).FitFrom(start, x);
        full.Report.ObjectiveTrace.Should().OnlyContain(v => double.IsFinite(v));
        full.Model.Weights.Should().OnlyContain(w => w > 0);
        for (int t = 1; t < full.Report.ObjectiveTrace.Count; t++)
        {
            full.Report.ObjectiveTrace[t].Should().BeGreaterThanOrEqualTo(full.Report.ObjectiveTrace[t - 1] - 1e-12, "EM after the repair is monotone");
        }

        // Repair is impossible with fewer distinct rows than components: the error names the component.
        double[,] twoRows = new double[6, 20];
        for (int i = 0; i < 6; i++)
        {
            twoRows[i, i % 2] = 1;
        }

        MixtureModel<IndependentBernoulli> three = BernoulliMixture.CreateModel([0.5, 0.5, 0.0], new double[3, 20].Fill(0.5));
        Action mle = () => new BernoulliMixture(new MixtureOptions { Components = 3, PseudoCount = 0 }).FitFrom(three, twoRows);
        mle.Should().Throw<FittingException>().Where(e => e.Component == 2 && e.Message.Contains("Component 2") && e.Message.Contains("2 distinct rows"));
        MixtureModel<IndependentBernoulli> map = new BernoulliMixture(new MixtureOptions { Components = 2, PseudoCount = 0.5, MaxIterations = 3 }).FitFrom(start, x).Model;
        map.Weights[1].Should().Be(0);
        map.Distributions[1].Probabilities.Should().OnlyContain(p => p == 0.5, "the prior's mode");
        // With no weight on component 1 the mixture's score is component 0's mean log-density.
        double expectedScore = Enumerable.Range(0, x.GetLength(0)).Average(i => map.Distributions[0].LogDensity(Enumerable.Range(0, 20).Select(j => x[i, j]).ToArray()));
        map.Score(x).Should().BeApproximately(expectedScore, 1e-12 * Math.Abs(expectedScore));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Identical_rows_fit_without_error_and_hamming_seeding_picks_distinct_rows(double pseudoCount)
    {
        var x = new double[40, 6];
        for (int i = 0; i < 40; i++)
        {
            x[i, 2] = 1;
        }

        FitResult<MixtureModel<IndependentBernoulli>> fit = new BernoulliMixture(new MixtureOptions { Components = 3, PseudoCount = pseudoCount, Seed = 1 }).Fit(x);
        double expected = pseudoCount == 0 ? 0 : 6 * Math.Log(1 - pseudoCount / (40.0 / 3 + 2 * pseudoCount));
        fit.Model.Score(x).Should().BeLessThanOrEqualTo(1e-15).And.BeGreaterThan(expected - 1e-3, "every component is (nearly) certain of the one row");
        if (pseudoCount == 0)
        {
            fit.Model.Score(x).Should().BeApproximately(0, 1e-15, "the maximum-likelihood fit puts probability 1 on the only row");
        }

        int[] rows = Mixture<IndependentBernoulli>.HammingPlusPlus(x, 3, new Random(2), 1);
        rows.Distinct().Should().HaveCount(3);

        double[,] y = ThreePrototypes().Sample(300, new Random(3));
        int[] truthLabels = ThreePrototypes().Predict(y);
        int hits = Enumerable.Range(0, 100).Count(seed =>
            Mixture<IndependentBernoulli>.HammingPlusPlus(y, 3, new Random(seed), 1).Select(r => truthLabels[r]).Distinct().Count() == 3);
        // Uniformly random rows hit all three clusters (weights 0.5, 0.3, 0.2) with probability 6·0.5·0.3·0.2 = 0.18 (18 ± 4 of
        // 100); the Hamming-weighted seeding hits them 43 times with these seeds.
        hits.Should().BeGreaterThan(30, "distance-weighted seeding prefers rows of clusters not seeded yet");
    }

    [Fact]
    public void More_starts_keep_the_best_and_the_first_start_does_not_depend_on_their_number()
    {
        double[,] x = ThreePrototypes().Sample(300, new Random(101));
        var options = new MixtureOptions { Components = 4, Init = MixtureInit.RandomRows, Seed = 9, Tolerance = 1e-9 };
        FitResult<MixtureModel<IndependentBernoulli>> one = new BernoulliMixture(options).Fit(x);
        var finals = Enumerable.Range(1, 4).Select(s => new BernoulliMixture(options with { Starts = s }).Fit(x).Report.ObjectiveTrace[^1]).ToArray();
        finals[0].Should().Be(one.Report.ObjectiveTrace[^1]);
        for (int s = 1; s < finals.Length; s++)
        {
            finals[s].Should().BeGreaterThanOrEqualTo(finals[s - 1], "a further start is kept only when it is better");
        }
    }

    [Fact]
    public void Categorical_family_from_data_infers_the_counts()
    {
        IndependentCategoricalFamily family = IndependentCategoricalFamily.FromData(new double[,] { { 0, 4 }, { 2, 1 } });
        family.CategoryCounts.Should().Equal(3, 5);
        Action bad = () => IndependentCategoricalFamily.FromData(new double[,] { { 0, 1.5 } });
        bad.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("row 0, column 1"));
    }

    [Fact]
    public void Progress_is_reported_and_cancellation_stops_the_fit()
    {
        double[,] x = ThreePrototypes().Sample(200, new Random(91));
        var reports = new List<FitProgress>();
        FitResult<MixtureModel<IndependentBernoulli>> fit = new BernoulliMixture(new MixtureOptions { Components = 3, MaxIterations = 5, Tolerance = 0, Starts = 2 })
            .Fit(x, new SynchronousProgress(reports.Add));
        reports.Should().HaveCount(10);
        reports[^1].Start.Should().Be(1);
        reports[^1].Iteration.Should().Be(5);
        fit.Report.Iterations.Should().Be(5);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Action cancelled = () => new BernoulliMixture(new MixtureOptions { Components = 3 }).Fit(x, null, cts.Token);
        cancelled.Should().Throw<OperationCanceledException>();
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}

internal static class ArrayFill
{
    public static double[,] Fill(this double[,] a, double value)
    {
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                a[i, j] = value;
            }
        }

        return a;
    }
}
