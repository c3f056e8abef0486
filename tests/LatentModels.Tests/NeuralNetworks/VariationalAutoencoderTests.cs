using LatentModels.NeuralNetworks;

namespace LatentModels.Tests.NeuralNetworks;

public class VariationalAutoencoderTests
{
    /// <summary>Binary rows from 4 prototypes of 16 pixels, each pixel flipped with probability 0.05.</summary>
    internal static double[,] Prototypes(int rows, int seed) => Prototypes(rows, seed, out _);

    /// <summary>The same rows, with each row's prototype (0–3).</summary>
    internal static double[,] Prototypes(int rows, int seed, out int[] labels)
    {
        var random = new Random(seed);
        const int d = 16;
        var prototypes = new bool[4, d];
        for (int k = 0; k < 4; k++)
        {
            for (int j = 0; j < d; j++)
            {
                prototypes[k, j] = (j / 4 == k) || (j % 4 == k);
            }
        }

        var data = new double[rows, d];
        labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int k = random.Next(4);
            labels[i] = k;
            for (int j = 0; j < d; j++)
            {
                bool on = prototypes[k, j] ^ (random.NextDouble() < 0.05);
                data[i, j] = on ? 1 : 0;
            }
        }

        return data;
    }

    private static VariationalAutoencoderOptions Small(int epochs = 30, int dop = 1) => new()
    {
        HiddenSizes = [24],
        LatentDimension = 2,
        Epochs = epochs,
        BatchSize = 20,
        LearningRate = 1e-2,
        Seed = 3,
        MaxDegreeOfParallelism = dop,
    };

    [Fact]
    public void Training_lowers_the_negative_elbo_and_reports_every_epoch()
    {
        double[,] data = Prototypes(400, 1);
        var reports = new List<FitProgress>();
        var result = new VariationalAutoencoder(Small()).Fit(data, new SynchronousProgress<FitProgress>(reports.Add));
        IReadOnlyList<double> trace = result.Report.ObjectiveTrace;
        trace.Should().HaveCount(30);
        reports.Select(r => r.Objective).Should().Equal(trace);
        reports.Select(r => r.Iteration).Should().Equal(Enumerable.Range(1, 30));
        result.EpochSeconds.Should().HaveCount(30);

        // Start: 16 pixels at p ≈ 1/2 cost about 16 ln 2 ≈ 11.1 nats; 4 noisy prototypes cost at most
        // ln 4 + 16·H(0.05) ≈ 1.39 + 3.18 = 4.57 nats per row under the best model.
        trace[0].Should().BeGreaterThan(8.0);
        trace[^1].Should().BeLessThan(0.6 * trace[0]);
        trace[^1].Should().BeLessThan(6.5);
        trace.TakeLast(5).Average().Should().BeLessThan(trace.Take(5).Average());
        result.Model.AnomalyScores(data, new Random(1)).Average().Should().BeApproximately(trace[^1], 1.0,
            "the trained model's −ELBO on its training data is close to the last epoch's mean batch loss");
    }

    [Fact]
    public void The_same_seed_gives_the_same_bits_for_any_thread_count()
    {
        double[,] data = Prototypes(300, 2);
        var options = Small(epochs: 3) with { HiddenSizes = [1100], BatchSize = 150 }; // 44,020 parameters: two Adam blocks
        var one = new VariationalAutoencoder(options with { MaxDegreeOfParallelism = 1 }).Fit(data);
        var two = new VariationalAutoencoder(options with { MaxDegreeOfParallelism = 2 }).Fit(data);
        var again = new VariationalAutoencoder(options with { MaxDegreeOfParallelism = 1 }).Fit(data);
        one.Model.Parameters.ToArray().Should().Equal(two.Model.Parameters.ToArray());
        one.Model.Parameters.ToArray().Should().Equal(again.Model.Parameters.ToArray());
        one.Report.ObjectiveTrace.Should().Equal(two.Report.ObjectiveTrace);
    }

    [Fact]
    public void A_warm_training_step_allocates_nothing()
    {
        double[,] data = Prototypes(64, 3);
        var options = new VariationalAutoencoderOptions { HiddenSizes = [300, 40], LatentDimension = 5, BatchSize = 32, MaxDegreeOfParallelism = 1 };
        var estimator = new VariationalAutoencoder(options);
        VaeArchitecture a = estimator.ArchitectureFor(16);
        var parameters = new float[a.ParameterCount];
        a.Initialize(parameters, new Random(1));
        var trainer = new VaeTrainer(a, parameters, 32, options);
        float[] rows = data.Cast<double>().Select(v => (float)v).ToArray();
        int[] order = Enumerable.Range(0, 64).ToArray();
        var random = new Random(2);
        trainer.Epoch(rows, order, random, CancellationToken.None);
        trainer.Epoch(rows, order, random, CancellationToken.None);
        AllocationProbe.Minimum(() => trainer.Epoch(rows, order, random, CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public void Cancellation_stops_the_fit()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = () => new VariationalAutoencoder(Small()).Fit(Prototypes(50, 4), null, null, cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Early_stopping_keeps_the_best_validation_epoch()
    {
        double[,] train = Prototypes(60, 5), validation = Prototypes(200, 6);
        var options = Small(epochs: 200) with { HiddenSizes = [64], LatentDimension = 4, EarlyStoppingPatience = 5, LearningRate = 3e-2 };
        var result = new VariationalAutoencoder(options).Fit(train, validation);
        result.ValidationTrace.Should().HaveCount(result.Report.Iterations);
        int best = result.BestEpoch;
        result.ValidationTrace[best - 1].Should().Be(result.ValidationTrace.Min());
        if (result.Report.Converged)
        {
            result.Report.Iterations.Should().Be(best + 5, "it stops after 5 epochs without improvement");
        }

        double again = VariationalAutoencoder.Evaluate(new VaeWorkspace(result.Model.Architecture, 200, 1), result.Model.Parameters,
            validation.Cast<double>().Select(v => (float)v).ToArray(), 200, new Random(options.Seed + 1));
        again.Should().Be(result.ValidationTrace[best - 1], "the model holds the best epoch's parameters");
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter_row_and_column()
    {
        var data = new double[3, 2] { { 0, 1 }, { 1, 0.5 }, { 0, 1.5 } };
        var act = () => new VariationalAutoencoder(Small()).Fit(data);
        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*row 2, column 1*");
        var options = () => new VariationalAutoencoder(new VariationalAutoencoderOptions { LatentDimension = 0 });
        options.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("LatentDimension");
        var hidden = () => new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [10, 0] });
        hidden.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("HiddenSizes");
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
