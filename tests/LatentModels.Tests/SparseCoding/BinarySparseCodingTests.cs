using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Tests.Persistence;
using static LatentModels.Tests.SparseCoding.BinarySparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary>Variational EM, bad input, persistence and reproducibility of binary sparse coding.</summary>
public class BinarySparseCodingTests
{
    /// <summary>Plain variational EM: no annealing, no re-seeding, sequential updates to convergence.</summary>
    private static BinarySparseCodingOptions Plain(int h) => new()
    {
        Components = h,
        InitialTemperature = 1,
        ReseedUnusedAtoms = false,
        Tolerance = 0,
        Inference = new() { MaxSweeps = 500, Tolerance = 1e-12 },
    };

    [Theory]
    [InlineData(null)]
    [InlineData(64)]
    public void Variational_EM_never_lowers_the_ELBO(int? batchSize)
    {
        double[,] x = BarsImages(300, 3, 0.3, 0.2, 5);
        var fit = new BinarySparseCoding(Plain(6) with { MaxIterations = 40, BatchSize = batchSize, Seed = 3 }).Fit(x);
        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        trace.Should().HaveCount(40);
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-10 * Math.Abs(trace[t - 1]), $"iteration {t + 1}");
        }

        trace[^1].Should().BeGreaterThan(trace[0] + 0.1, "EM makes progress");
        fit.Model.TrainingElbo.Should().Be(trace[^1]);
    }

    [Fact]
    public void The_M_step_raises_the_ELBO_for_a_fixed_q()
    {
        double[,] x = BarsImages(200, 3, 0.3, 0.2, 8);
        int n = x.GetLength(0), d = x.GetLength(1), h = 5;
        BinarySparseCodingModel start = RandomModel(h, d, 0.7, 2);
        BinarySparseCodingParameters p = start.Parameters.Clone();
        var engine = new BinarySparseCodingEngine(h, d, n, 1);
        var logits = new double[n * h];
        var means = new double[n * h];
        var bounds = new double[n];
        BinarySparseCodingModel.InitialiseToPrior(p.Bias, logits, means);
        var statistics = new BinarySparseCodingStatistics(h, d);
        var mStep = new BinarySparseCodingMStep(h);
        double[] floor = Enumerable.Repeat(1e-6, d).ToArray();
        for (int iteration = 0; iteration < 10; iteration++)
        {
            engine.SetParameters(p);
            engine.Prepare(x.AsSpan(), n);
            engine.Infer(logits, means, 0, n, new BinarySparseCodingInference { Tolerance = 1e-12, MaxSweeps = 500 }, 1.0);
            double before = engine.Elbo(logits, means, 0, n, bounds);
            statistics.Compute(x.AsSpan(), n, logits, means, 0, 1);
            mStep.Apply(statistics, floor, p);
            engine.SetParameters(p);
            engine.Prepare(x.AsSpan(), n);
            double after = engine.Elbo(logits, means, 0, n, bounds);
            after.Should().BeGreaterThanOrEqualTo(before - 1e-10 * Math.Abs(before), $"iteration {iteration}");
        }
    }

    [Fact]
    public void Fits_give_the_same_bits_for_any_thread_count()
    {
        double[,] x = BarsImages(300, 4, 0.25, 0.1, 2); // 5 blocks of rows
        var options = new BinarySparseCodingOptions { Components = 8, MaxIterations = 8, Seed = 4, Starts = 2 };
        BinarySparseCodingModel one = new BinarySparseCoding(options with { MaxDegreeOfParallelism = 1 }).Fit(x).Model;
        BinarySparseCodingModel all = new BinarySparseCoding(options with { MaxDegreeOfParallelism = 0 }).Fit(x).Model;
        BinarySparseCodingModel three = new BinarySparseCoding(options with { MaxDegreeOfParallelism = 3, Inference = new() { Update = BinarySparseCodingUpdate.Parallel } }).Fit(x).Model;
        BinarySparseCodingModel threeSerial = new BinarySparseCoding(options with { MaxDegreeOfParallelism = 1, Inference = new() { Update = BinarySparseCodingUpdate.Parallel } }).Fit(x).Model;
        PersistenceAssert.Bits(all.Dictionary).Should().Equal(PersistenceAssert.Bits(one.Dictionary));
        PersistenceAssert.Bits(all.PriorLogits).Should().Equal(PersistenceAssert.Bits(one.PriorLogits));
        PersistenceAssert.Bits(all.NoiseVariance).Should().Equal(PersistenceAssert.Bits(one.NoiseVariance));
        PersistenceAssert.Bits(three.Dictionary).Should().Equal(PersistenceAssert.Bits(threeSerial.Dictionary));
        PersistenceAssert.Bits(one.Transform(x, maxDegreeOfParallelism: 1)).Should().Equal(PersistenceAssert.Bits(one.Transform(x, maxDegreeOfParallelism: 4)));
        PersistenceAssert.Bits(one.Elbo(x, maxDegreeOfParallelism: 1)).Should().Equal(PersistenceAssert.Bits(one.Elbo(x, maxDegreeOfParallelism: 4)));
    }

    [Fact]
    public void Same_seed_same_model_and_more_starts_never_a_worse_bound()
    {
        double[,] x = BarsImages(300, 3, 0.3, 0.15, 9);
        var options = new BinarySparseCodingOptions { Components = 6, MaxIterations = 30, Seed = 11 };
        var a = new BinarySparseCoding(options).Fit(x).Model;
        var b = new BinarySparseCoding(options).Fit(x).Model;
        PersistenceAssert.Bits(a.Dictionary).Should().Equal(PersistenceAssert.Bits(b.Dictionary));
        var fit = new BinarySparseCoding(options with { Starts = 3 }).Fit(x, new Progress<FitProgress>(_ => { }));
        fit.Model.TrainingElbo.Should().BeGreaterThanOrEqualTo(a.TrainingElbo, "the first of the three starts is the single start");
    }

    [Fact]
    public void Progress_is_reported_per_iteration_and_cancellation_stops_the_fit()
    {
        double[,] x = BarsImages(100, 3, 0.3, 0.2, 1);
        var reports = new List<FitProgress>();
        var fit = new BinarySparseCoding(new BinarySparseCodingOptions { Components = 4, MaxIterations = 12, Tolerance = 0, Starts = 2 })
            .Fit(x, new SynchronousProgress(reports.Add));
        reports.Should().HaveCount(24);
        reports.Select(r => r.Start).Should().Equal(Enumerable.Repeat(0, 12).Concat(Enumerable.Repeat(1, 12)));
        reports[^1].Iteration.Should().Be(12);
        fit.Report.ObjectiveTrace.Should().HaveCount(12);

        using var cts = new CancellationTokenSource();
        var cancelling = new SynchronousProgress(p =>
        {
            if (p.Iteration == 3)
            {
                cts.Cancel();
            }
        });
        Action act = () => new BinarySparseCoding(new BinarySparseCodingOptions { Components = 4, MaxIterations = 50 }).Fit(x, cancelling, cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter_and_nothing_is_mutated()
    {
        double[,] x = BarsImages(50, 3, 0.3, 0.2, 1);
        double[,] copy = (double[,])x.Clone();
        var estimator = new BinarySparseCoding(new BinarySparseCodingOptions { Components = 3 });
        double[,] bad = (double[,])x.Clone();
        bad[7, 4] = double.NaN;
        estimator.Invoking(e => e.Fit(bad)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("row 7, column 4"));
        estimator.Invoking(e => e.Fit(new double[0, 3])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data");
        estimator.Invoking(e => e.Fit(null!)).Should().Throw<ArgumentNullException>();

        void Rejects(BinarySparseCodingOptions options, string name) =>
            new BinarySparseCoding(options).Invoking(e => e.Fit(x)).Should().Throw<ArgumentException>().Where(e => e.ParamName == name);
        var ok = new BinarySparseCodingOptions { Components = 3 };
        Rejects(ok with { Components = 0 }, "Components");
        Rejects(ok with { MaxIterations = -1 }, "MaxIterations");
        Rejects(ok with { Tolerance = double.NaN }, "Tolerance");
        Rejects(ok with { Starts = 0 }, "Starts");
        Rejects(ok with { BatchSize = 0 }, "BatchSize");
        Rejects(ok with { InitialTemperature = 0.5 }, "InitialTemperature");
        Rejects(ok with { AnnealingIterations = -2 }, "AnnealingIterations");
        Rejects(ok with { NoiseVarianceFloor = 0 }, "NoiseVarianceFloor");
        Rejects(ok with { Inference = new() { Damping = 1 } }, "Inference");
        Rejects(ok with { Inference = new() { MaxSweeps = 0 } }, "Inference");
        Rejects(ok with { Inference = new() { Tolerance = -1 } }, "Inference");
        Rejects(ok with { Inference = new() { Update = (BinarySparseCodingUpdate)7 } }, "Inference");
        Rejects(ok with { Inference = null! }, "Inference");
        x.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering());

        BinarySparseCodingModel model = estimator.Fit(x).Model;
        model.Invoking(m => m.Transform(new double[4, 8])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("8 columns"));
        model.Invoking(m => m.Elbo(bad)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("row 7, column 4"));
        model.Invoking(m => m.Transform(x, new BinarySparseCodingInference { Damping = -0.1 })).Should().Throw<ArgumentException>().Where(e => e.ParamName == "inference");
        model.Invoking(m => m.ExactLogLikelihood(bad)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data");
        model.Invoking(m => m.Sample(-1, new Random(1))).Should().Throw<ArgumentOutOfRangeException>();
        RandomModel(17, 2, 1, 1).Invoking(m => m.ExactLogLikelihood(new double[1, 2])).Should().Throw<InvalidOperationException>().Where(e => e.Message.Contains("16"));
        model.Transform(new double[0, 9]).GetLength(0).Should().Be(0);
        x.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering());

        Action atoms = () => new BinarySparseCodingModel(new double[2, 3] { { 1, double.NaN, 0 }, { 0, 0, 0 } }, [0, 0], [1, 1, 1]);
        atoms.Should().Throw<ArgumentException>().Where(e => e.ParamName == "dictionary" && e.Message.Contains("row 0, column 1"));
        Action logits = () => new BinarySparseCodingModel(new double[2, 3], [0], [1, 1, 1]);
        logits.Should().Throw<ArgumentException>().Where(e => e.ParamName == "priorLogits");
        Action variance = () => new BinarySparseCodingModel(new double[2, 3], [0, 0], [1, 0, 1]);
        variance.Should().Throw<ArgumentException>().Where(e => e.ParamName == "noiseVariance" && e.Message.Contains("dimension 1"));
    }

    [Fact]
    public void A_saved_model_loads_bit_for_bit_and_tampered_files_fail_with_ModelFormatException()
    {
        double[,] x = BarsImages(200, 3, 0.3, 0.2, 3);
        BinarySparseCodingModel model = new BinarySparseCoding(new BinarySparseCodingOptions { Components = 6, MaxIterations = 20, Seed = 2 }).Fit(x).Model;
        BinarySparseCodingModel loaded = PersistenceAssert.RoundTrip(model, "LatentModels.BinarySparseCoding");
        PersistenceAssert.Bits(loaded.Dictionary).Should().Equal(PersistenceAssert.Bits(model.Dictionary));
        PersistenceAssert.Bits(loaded.PriorLogits).Should().Equal(PersistenceAssert.Bits(model.PriorLogits));
        PersistenceAssert.Bits(loaded.NoiseVariance).Should().Equal(PersistenceAssert.Bits(model.NoiseVariance));
        PersistenceAssert.Bits(loaded.TrainingElbo).Should().Be(PersistenceAssert.Bits(model.TrainingElbo));
        PersistenceAssert.Bits(loaded.Transform(x)).Should().Equal(PersistenceAssert.Bits(model.Transform(x)));

        var fromParameters = new BinarySparseCodingModel(model.Dictionary, model.PriorLogits, model.NoiseVariance);
        double.IsNaN(PersistenceAssert.RoundTrip(fromParameters, "LatentModels.BinarySparseCoding").TrainingElbo).Should().BeTrue();

        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["noiseVariance"]![2] = -1.0), "noise variance", "dimension 2");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["priorLogits"]!.AsArray().RemoveAt(0)), "priorLogits");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r.Remove("dictionary")), "dictionary");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["dictionary"] = new System.Text.Json.Nodes.JsonArray()), "dictionary");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["version"] = 2), "version");
    }

    [Fact]
    public void Samples_follow_the_model()
    {
        BinarySparseCodingModel model = RandomModel(3, 4, 1.0, 5);
        double[,] v = model.Sample(20000, new Random(1), out double[,] h);
        double[] prior = model.PriorProbabilities;
        double[,] atoms = model.Dictionary;
        double[] variance = model.NoiseVariance;
        for (int i = 0; i < 3; i++)
        {
            double rate = Enumerable.Range(0, 20000).Average(r => h[r, i]);
            rate.Should().BeApproximately(prior[i], 4 * Math.Sqrt(prior[i] * (1 - prior[i]) / 20000), $"latent {i}");
        }

        for (int k = 0; k < 4; k++)
        {
            double[] residual = Enumerable.Range(0, 20000).Select(r => v[r, k] - Enumerable.Range(0, 3).Sum(i => h[r, i] * atoms[i, k])).ToArray();
            residual.Average().Should().BeApproximately(0, 4 * Math.Sqrt(variance[k] / 20000), $"dimension {k}");
            residual.Select(e => e * e).Average().Should().BeApproximately(variance[k], 0.05 * variance[k], $"dimension {k}");
        }

        PersistenceAssert.Bits(model.Sample(5, new Random(3))).Should().Equal(PersistenceAssert.Bits(model.Sample(5, new Random(3))));
    }
}
