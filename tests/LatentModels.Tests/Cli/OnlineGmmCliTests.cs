using System.Globalization;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

public sealed class OnlineGmmCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-online-gmm-{Guid.NewGuid():N}");

    public OnlineGmmCliTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static long[] Bits(IEnumerable<double> values) => Persistence.PersistenceAssert.Bits(values);

    [Fact]
    public void Incremental_json_reports_the_library_fit_its_trace_and_the_whole_file_log_likelihood()
    {
        double[,] x = MixtureTestData.OldFaithful();
        var mixture = new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Tied, Init = MixtureInit.KMeansPlusPlus, Regularization = 1e-4, Seed = 3 };
        FitResult<GaussianMixtureModel> library = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = mixture, Passes = 4 }).Fit(x);
        string model = Path.Combine(_directory, "m.json");
        var (code, stdout, stderr) = Run("fit", "online-gmm", "--data", DataPath("old_faithful.txt"), "--k", "2", "--mode", "incremental", "--covariance", "tied",
            "--init", "kmeans++", "--reg", "1e-4", "--seed", "3", "--passes", "4", "--json", "--model-out", model);
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("online-gmm");
        json.GetProperty("mode").GetString().Should().Be("incremental");
        json.GetProperty("covariance").GetString().Should().Be("tied");
        json.GetProperty("passes").GetInt32().Should().Be(4);
        json.GetProperty("n").GetInt32().Should().Be(272);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(library.Model.Score(x));
        json.GetProperty("trace").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(library.Report.ObjectiveTrace);
        json.GetProperty("bic").GetDouble().Should().Be(library.Model.Bic(x));
        Bits(ModelJson.Load<GaussianMixtureModel>(model).CovarianceParameters).Should().Equal(Bits(library.Model.CovarianceParameters));

        var readable = Run("fit", "online-gmm", "--data", DataPath("old_faithful.txt"), "--k", "2");
        readable.Code.Should().Be(0, readable.Err);
        readable.Out.Should().Contain("incremental EM: 10 pass(es)").And.Contain("mean log-likelihood");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(500, 1)]
    public void Stream_mode_streams_exactly_as_the_library_does(int batchSize, int passes)
    {
        double[,] x = MixtureTestData.OldFaithful();
        var online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions
        {
            Mixture = new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Full, Init = MixtureInit.KMeans, Seed = 6 },
        });
        for (int p = 0; p < passes; p++)
        {
            online.UpdateAll(x, batchSize);
        }

        string model = Path.Combine(_directory, "m.json"), state = Path.Combine(_directory, "s.json");
        var run = Run("fit", "online-gmm", "--data", DataPath("old_faithful.txt"), "--k", "2", "--mode", "stream", "--seed", "6",
            "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--passes", passes.ToString(CultureInfo.InvariantCulture),
            "--model-out", model, "--state-out", state, "--json");
        run.Code.Should().Be(0, run.Err);
        JsonElement json = LastJson(run.Out);
        json.GetProperty("mode").GetString().Should().Be("stream");
        json.GetProperty("points").GetInt64().Should().Be(272L * passes);
        json.GetProperty("batchSize").GetInt32().Should().Be(batchSize);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(online.Snapshot().Score(x));
        Bits(ModelJson.Load<GaussianMixtureModel>(model).Means.Cast<double>()).Should().Equal(Bits(online.Snapshot().Means.Cast<double>()));
        File.ReadAllText(state).Should().Be(ModelJson.Serialize(online), "the saved state is the library estimator's state");
    }

    [Fact]
    public void Stream_split_over_two_runs_with_state_files_ends_with_the_model_of_one_run()
    {
        double[,] x = MixtureTestData.OldFaithful();
        string[] common = ["--mode", "stream", "--batch-size", "20", "--json"];
        var (whole, rest, one, state, split) = RunSplitStream(_directory, "online-gmm", x, 100, ["--k", "3", "--covariance", "diag", "--seed", "8"], common);

        GaussianMixtureModel a = ModelJson.Load<GaussianMixtureModel>(one), b = ModelJson.Load<GaussianMixtureModel>(split);
        Bits(b.CovarianceParameters).Should().Equal(Bits(a.CovarianceParameters));
        Bits(b.Weights).Should().Equal(Bits(a.Weights));

        // score, predict and sample accept the state file (its current mixture).
        var score = Run("score", "--model", state, "--data", whole, "--json");
        score.Code.Should().Be(0, score.Err);
        LastJson(score.Out).GetProperty("avgLogLikelihood").GetDouble().Should().Be(a.Score(x));
        Run("predict", "--model", state, "--data", whole).Code.Should().Be(0);
        Run("sample", "--model", state, "-n", "3").Code.Should().Be(0);

        var conflicting = Run(["fit", "online-gmm", "--data", rest, "--state-in", state, "--k", "3", .. common]);
        conflicting.Code.Should().Be(CliApp.BadInput);
        conflicting.Err.Should().Contain("--state-in").And.Contain("do not give --k");
        var notState = Run(["fit", "online-gmm", "--data", rest, "--state-in", one, .. common]);
        notState.Code.Should().Be(CliApp.BadInput);
        notState.Err.Should().Contain("is not a streaming EM state");
    }

    [Fact]
    public void Bad_options_exit_with_code_2_naming_the_option()
    {
        string data = DataPath("old_faithful.txt");
        (string[] Args, string Message)[] cases =
        [
            (["--k", "2", "--mode", "batch"], "'batch' not recognized"),
            (["--mode", "stream"], "--k"),
            (["--k", "2", "--passes", "0"], "--passes"),
            (["--k", "2", "--mode", "stream", "--batch-size", "0"], "--batch-size"),
            (["--k", "300"], "--k"),
            (["--k", "2", "--mode", "incremental", "--state-out", Path.Combine(_directory, "s.json")], "--mode stream only"),
            (["--k", "2", "--covariance", "round"], "'round' not recognized"),
            (["--k", "2", "--reg", "-1"], "error: --reg: "),
        ];
        foreach (var (args, message) in cases)
        {
            var run = Run(["fit", "online-gmm", "--data", data, .. args]);
            run.Code.Should().Be(CliApp.BadInput, string.Join(' ', args));
            run.Out.Should().BeEmpty();
            run.Err.Should().Contain(message, string.Join(' ', args));
        }

        string tiny = WriteRows(_directory, MixtureTestData.OldFaithful(), 0, 10, "tiny.csv");
        var tooFew = Run("fit", "online-gmm", "--data", tiny, "--k", "2", "--mode", "stream");
        tooFew.Code.Should().Be(CliApp.BadInput);
        tooFew.Err.Should().Contain("too few for the initialisation (40 needed)");
    }
}
