using System.Globalization;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Clustering;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// Issue 5's "done when" for every model kind the CLI fits: <c>fit … --model-out m.json</c>, then <c>score</c>,
/// <c>predict</c> and <c>sample</c> on the saved file; help texts; exit codes.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-e2e-{Guid.NewGuid():N}");

    public EndToEndTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static long Bits(JsonElement json, string name) => BitConverter.DoubleToInt64Bits(json.GetProperty(name).GetDouble());

    private static double[][] Csv(string text) =>
        text.TrimEnd('\n').Split('\n').Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    public static TheoryData<string, string, string, string[]> Kinds => new()
    {
        // kind, data file, JSON field fit and score share, extra fit options
        { "gaussian", "height.txt", "avgLogLikelihood", [] },
        { "mvn", "old_faithful.txt", "avgLogLikelihood", [] },
        { "kmeans", "old_faithful.txt", "inertia", ["--k", "3", "--seed", "4"] },
        { "kmeans", "old_faithful.txt", "inertia", ["--k", "4", "--algorithm", "lloyd", "--starts", "3"] },
        { "online-kmeans", "old_faithful.txt", "inertia", ["--k", "3", "--init", "kmeans++", "--batch-size", "16", "--passes", "2", "--seed", "5"] },
        { "minibatch-kmeans", "old_faithful.txt", "inertia", ["--k", "3", "--batch-size", "32", "--seed", "5"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "3", "--covariance", "full"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "3", "--covariance", "diag"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "2", "--covariance", "spherical"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "2", "--covariance", "tied"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "2", "--covariance", "full", "--prior", "default"] },
        { "gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "3", "--covariance", "diag", "--prior", "default", "--init", "kmeans++"] },
        { "online-gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "2", "--mode", "incremental", "--passes", "3"] },
        { "online-gmm", "old_faithful.txt", "avgLogLikelihood", ["--k", "3", "--mode", "stream", "--covariance", "diag", "--batch-size", "10", "--passes", "2"] },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Fit_with_model_out_then_score_prints_the_very_same_value_and_predict_and_sample_work(string kind, string file, string field, string[] options)
    {
        string data = DataPath(file), model = Path.Combine(_directory, "m.json");
        var fit = Run(["fit", kind, "--data", data, .. options, "--json", "--model-out", model]);
        fit.Code.Should().Be(0, fit.Err);
        var score = Run("score", "--model", model, "--data", data, "--json");
        score.Code.Should().Be(0, score.Err);
        Bits(LastJson(score.Out), field).Should().Be(Bits(LastJson(fit.Out), field), $"{kind} {string.Join(' ', options)}: the very same {field}");
        var text = Run("score", "--model", model, "--data", data);
        text.Out.Should().Contain(LastJson(fit.Out).GetProperty(field).GetDouble().ToString("R", CultureInfo.InvariantCulture));

        object loaded = ModelJson.Load(model);
        double[,] x = DataFile.Read(data);
        var predict = Run("predict", "--model", model, "--data", data);
        var sample = Run("sample", "--model", model, "-n", "7", "--seed", "3");
        if (loaded is IClusteringModel clustering)
        {
            predict.Code.Should().Be(0, predict.Err);
            Csv(predict.Out.Split('\n', 2)[1]).Select(r => (int)r[0]).Should().Equal(clustering.Predict(x));
        }
        else
        {
            predict.Code.Should().Be(CliApp.BadInput);
            predict.Err.Should().Contain("does not assign rows to clusters");
        }

        if (loaded is ISampler sampler)
        {
            sample.Code.Should().Be(0, sample.Err);
            double[,] expected = sampler.Sample(7, new Random(3));
            Csv(sample.Out).SelectMany(r => r).Should().Equal(expected.Cast<double>());
        }
        else
        {
            sample.Code.Should().Be(CliApp.BadInput);
            sample.Err.Should().Contain("cannot draw samples");
        }
    }

    [Fact]
    public void Online_kmeans_stream_split_over_two_runs_with_state_files_ends_with_the_centers_of_one_run()
    {
        double[,] x = MixtureTestData.OldFaithful();
        var (whole, rest, one, state, split) = RunSplitStream(_directory, "online-kmeans", x, 96, ["--k", "4", "--init", "random", "--seed", "8"], ["--batch-size", "16", "--json"]);

        KMeansModel a = ModelJson.Load<KMeansModel>(one), b = ModelJson.Load<KMeansModel>(split);
        PersistenceAssertBits(b.Centers).Should().Equal(PersistenceAssertBits(a.Centers));
        ModelJson.Load<OnlineKMeans>(state).Count.Should().Be(272);

        // score and predict also accept the state file (its current centers).
        var score = Run("score", "--model", state, "--data", whole, "--json");
        score.Code.Should().Be(0, score.Err);
        LastJson(score.Out).GetProperty("inertia").GetDouble().Should().Be(a.InertiaOf(x));

        var conflicting = Run(["fit", "online-kmeans", "--data", rest, "--state-in", state, "--k", "3"]);
        conflicting.Code.Should().Be(CliApp.BadInput);
        conflicting.Err.Should().Contain("--state-in").And.Contain("do not give --k");
        var notState = Run(["fit", "online-kmeans", "--data", rest, "--state-in", one]);
        notState.Code.Should().Be(CliApp.BadInput);
        notState.Err.Should().Contain("is not an online K-Means state");
        var noK = Run(["fit", "online-kmeans", "--data", rest]);
        noK.Code.Should().Be(CliApp.BadInput);
        noK.Err.Should().Contain("--k");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(500, 2)]
    public void Online_kmeans_cli_streams_exactly_as_the_library_does(int batchSize, int passes)
    {
        double[,] x = MixtureTestData.OldFaithful();
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, Seed = 6 });
        for (int p = 0; p < passes; p++)
        {
            online.UpdateAll(x, batchSize);
        }

        string model = Path.Combine(_directory, "online.json"), state = Path.Combine(_directory, "state.json");
        var run = Run("fit", "online-kmeans", "--data", DataPath("old_faithful.txt"), "--k", "3", "--init", "kmeans++", "--seed", "6",
            "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--passes", passes.ToString(CultureInfo.InvariantCulture),
            "--model-out", model, "--state-out", state);
        run.Code.Should().Be(0, run.Err);
        PersistenceAssertBits(ModelJson.Load<KMeansModel>(model).Centers).Should().Equal(PersistenceAssertBits(online.Snapshot().Centers));
        File.ReadAllText(state).Should().Be(ModelJson.Serialize(online), "the saved state is the library estimator's state");
    }

    private static long[] PersistenceAssertBits(double[,] values) => Persistence.PersistenceAssert.Bits(values);

    [Theory]
    [InlineData("Example: latent", "--help")]
    [InlineData("Example: latent fit", "fit", "--help")]
    [InlineData("Example: latent fit gaussian", "fit", "gaussian", "--help")]
    [InlineData("Example: latent fit mvn", "fit", "mvn", "--help")]
    [InlineData("Example: latent fit kmeans", "fit", "kmeans", "--help")]
    [InlineData("Example: latent fit online-kmeans", "fit", "online-kmeans", "--help")]
    [InlineData("Example: latent fit minibatch-kmeans", "fit", "minibatch-kmeans", "--help")]
    [InlineData("Example: latent fit gmm", "fit", "gmm", "--help")]
    [InlineData("Example: latent fit online-gmm", "fit", "online-gmm", "--help")]
    [InlineData("Example: latent fit bernoulli-mixture", "fit", "bernoulli-mixture", "--help")]
    [InlineData("Example: latent fit categorical-mixture", "fit", "categorical-mixture", "--help")]
    [InlineData("Example: latent fit vb-gmm", "fit", "vb-gmm", "--help")]
    [InlineData("Example: latent fit vb-bernoulli-mixture", "fit", "vb-bernoulli-mixture", "--help")]
    [InlineData("Example: latent fit vb-categorical-mixture", "fit", "vb-categorical-mixture", "--help")]
    [InlineData("Example: latent fit svi-gmm", "fit", "svi-gmm", "--help")]
    [InlineData("Example: latent fit vae", "fit", "vae", "--help")]
    [InlineData("Example: latent demo", "demo", "--help")]
    [InlineData("Example: latent score", "score", "--help")]
    [InlineData("Example: latent predict", "predict", "--help")]
    [InlineData("Example: latent sample", "sample", "--help")]
    [InlineData("Example: latent sparse-code", "sparse-code", "--help")]
    [InlineData("Example: latent fit dictionary", "fit", "dictionary", "--help")]
    [InlineData("Example: latent fit binary-sparse-coding", "fit", "binary-sparse-coding", "--help")]
    [InlineData("Example: latent transform", "transform", "--help")]
    public void Help_of_every_verb_shows_an_example(string example, params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        code.Should().Be(0, stderr);
        stdout.Should().Contain(example);
        stdout.Should().Contain("Usage:");
    }

    [Fact]
    public void Every_verb_is_covered_by_the_help_test()
    {
        var (_, fitHelp, _) = Run("fit", "--help");
        var (_, rootHelp, _) = Run("--help");
        string[] fitVerbs = ["gaussian", "mvn", "kmeans", "online-kmeans", "minibatch-kmeans", "gmm", "online-gmm", "bernoulli-mixture", "categorical-mixture", "vb-gmm", "vb-bernoulli-mixture", "vb-categorical-mixture", "svi-gmm", "vae", "dictionary", "binary-sparse-coding"];
        string[] rootVerbs = ["fit", "demo", "score", "predict", "sample", "sparse-code", "transform"];
        Commands(fitHelp).Should().BeEquivalentTo(fitVerbs);
        Commands(rootHelp).Should().BeEquivalentTo(rootVerbs);

        static IEnumerable<string> Commands(string help) => help[help.IndexOf("Commands:", StringComparison.Ordinal)..]
            .Split('\n').Skip(1).TakeWhile(l => l.Length > 0).Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("    ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]);
    }

    [Fact]
    public void Exit_codes_are_0_success_1_fit_failed_2_bad_input_130_cancelled_with_messages_on_stderr()
    {
        string data = DataPath("old_faithful.txt");
        var success = Run("fit", "gmm", "--data", data, "--k", "2", "--json");
        success.Code.Should().Be(CliApp.Success).And.Be(0);
        success.Err.Should().BeEmpty();

        // Fitting failed: a constant column makes the maximum-likelihood covariance singular.
        string constant = Path.Combine(_directory, "constant.csv");
        File.WriteAllText(constant, "1,5\n2,5\n3,5\n4,5\n");
        var failed = Run("fit", "gmm", "--data", constant, "--k", "1", "--reg", "0");
        failed.Code.Should().Be(CliApp.FitFailed).And.Be(1);
        failed.Out.Should().BeEmpty();
        failed.Err.Should().StartWith("fit failed:");

        var bad = Run("fit", "gmm", "--data", data, "--k", "0");
        bad.Code.Should().Be(CliApp.BadInput).And.Be(2);
        bad.Out.Should().BeEmpty();
        bad.Err.Should().StartWith("error:");

        // More components than rows is bad input for the fit itself (not silently reduced).
        foreach (string[] verb in new[] { new[] { "gmm" }, ["kmeans"], ["online-gmm", "--mode", "incremental"] })
        {
            var tooMany = Run(["fit", .. verb, "--data", constant, "--k", "5"]);
            tooMany.Code.Should().Be(CliApp.BadInput, verb[0]);
            tooMany.Out.Should().BeEmpty();
            tooMany.Err.Should().StartWith("error:");
        }

        string unwritable = Path.Combine(_directory, "no-such-folder", "m.json");
        var cannotSave = Run("fit", "mvn", "--data", data, "--model-out", unwritable);
        cannotSave.Code.Should().Be(CliApp.BadInput);
        cannotSave.Out.Should().BeEmpty();
        cannotSave.Err.Should().StartWith("error: --model-out: cannot write").And.Contain(unwritable);
        var notAFile = Run("score", "--model", _directory, "--data", data);
        notAFile.Code.Should().Be(CliApp.BadInput);
        notAFile.Err.Should().StartWith("error: --model:");

        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        string model = Path.Combine(_directory, "never.json");
        foreach (string[] args in new[]
        {
            new[] { "fit", "gmm", "--data", data, "--k", "2", "--model-out", model },
            ["fit", "kmeans", "--data", data, "--k", "2", "--model-out", model],
            ["fit", "online-kmeans", "--data", data, "--k", "2", "--model-out", model],
            ["fit", "online-gmm", "--data", data, "--k", "2", "--mode", "incremental", "--model-out", model],
            ["fit", "online-gmm", "--data", data, "--k", "2", "--mode", "stream", "--model-out", model],
        })
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            CliApp.Run(args, stdout, stderr, cancellation.Token).Should().Be(CliApp.Cancelled).And.Be(130, args[1]);
            stdout.ToString().Should().BeEmpty();
            stderr.ToString().Should().Be("cancelled." + Environment.NewLine);
            File.Exists(model).Should().BeFalse("a cancelled fit saves nothing");
        }
    }

    [Fact]
    public void Progress_bar_is_off_when_stderr_is_not_the_terminal()
    {
        // Long fits report progress to a bar only when stderr is the process's own, unredirected console stream; a run
        // with captured writers (as here, or with 2>file) leaves stderr empty.
        foreach (string kind in new[] { "kmeans", "gmm" })
        {
            var run = Run("fit", kind, "--data", DataPath("old_faithful.txt"), "--k", "2", "--max-iter", "50");
            run.Code.Should().Be(0, run.Err);
            run.Err.Should().BeEmpty();
        }
    }
}
