using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using LatentModels.Variational;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

public sealed class SviGmmCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-svi-gmm-{Guid.NewGuid():N}");

    public SviGmmCliTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static long[] Bits(IEnumerable<double> values) => Persistence.PersistenceAssert.Bits(values);

    private static StochasticVariationalGaussianMixtureOptions Options(int epochs) => new()
    {
        Mixture = new VariationalGaussianMixtureOptions
        {
            Components = 3,
            Covariance = CovarianceType.Diagonal,
            WeightPrior = WeightPrior.DirichletProcess,
            Init = MixtureInit.KMeansPlusPlus,
            Regularization = 1e-5,
            Seed = 7,
        },
        BatchSize = 50,
        StepDelay = 2,
        ForgettingRate = 0.9,
        Epochs = epochs,
    };

    [Fact]
    public void Json_reports_the_library_fit_and_the_bound_on_the_whole_file()
    {
        double[,] x = MixtureTestData.OldFaithful();
        StreamingVariationalGaussianMixture library = new StochasticVariationalGaussianMixture(Options(3)).CreateStream(x);
        for (int e = 0; e < 3; e++)
        {
            library.UpdateEpoch(x);
        }

        VariationalGaussianMixtureModel expected = library.Snapshot(x);
        string model = Path.Combine(_directory, "m.json"), state = Path.Combine(_directory, "s.json");
        var (code, stdout, stderr) = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--k", "3", "--covariance", "diag", "--weight-prior", "process",
            "--init", "kmeans++", "--reg", "1e-5", "--seed", "7", "--batch-size", "50", "--tau", "2", "--kappa", "0.9", "--epochs", "3",
            "--json", "--model-out", model, "--state-out", state);
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("svi-gmm");
        json.GetProperty("covariance").GetString().Should().Be("diag");
        json.GetProperty("weightPrior").GetString().Should().Be("process");
        json.GetProperty("n").GetInt32().Should().Be(272);
        json.GetProperty("epochs").GetInt32().Should().Be(3);
        json.GetProperty("updates").GetInt64().Should().Be(3 * 6, "272 rows in mini-batches of 50 are 6 updates per epoch");
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        json.GetProperty("elbo").GetDouble().Should().Be(expected.Elbo);
        json.GetProperty("lowerBound").GetDouble().Should().Be(expected.LowerBound);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(expected.Score(x));
        json.GetProperty("effectiveComponents").GetInt32().Should().Be(expected.EffectiveComponents());
        json.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(expected.Weights);
        Bits(ModelJson.Load<VariationalGaussianMixtureModel>(model).CovarianceParameters).Should().Equal(Bits(expected.CovarianceParameters));
        File.ReadAllText(state).Should().Be(ModelJson.Serialize(library), "the saved state is the library stream's state");

        var scored = Run("score", "--model", state, "--data", DataPath("old_faithful.txt"), "--json");
        scored.Code.Should().Be(0, scored.Err);
        LastJson(scored.Out).GetProperty("avgLogLikelihood").GetDouble().Should().Be(expected.Score(x));

        var readable = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--k", "2", "--epochs", "1");
        readable.Code.Should().Be(0, readable.Err);
        readable.Out.Should().Contain("stochastic variational inference: 1 epoch(s)").And.Contain("ELBO");
    }

    [Fact]
    public void Epochs_split_over_two_runs_with_state_files_end_with_the_posterior_of_one_run()
    {
        string once = Path.Combine(_directory, "once.json"), first = Path.Combine(_directory, "first.json"), second = Path.Combine(_directory, "second.json");
        string[] common = ["--data", DataPath("old_faithful.txt"), "--k", "3", "--seed", "4", "--batch-size", "40"];
        Run(["fit", "svi-gmm", .. common, "--epochs", "3", "--model-out", once]).Code.Should().Be(0);
        Run(["fit", "svi-gmm", .. common, "--epochs", "1", "--state-out", first]).Code.Should().Be(0);
        var resumed = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--epochs", "2", "--state-in", first, "--state-out", second, "--json");
        resumed.Code.Should().Be(0, resumed.Err);
        LastJson(resumed.Out).GetProperty("totalUpdates").GetInt64().Should().Be(3 * 7);
        VariationalGaussianMixtureModel a = ModelJson.Load<VariationalGaussianMixtureModel>(once);
        VariationalGaussianMixtureModel b = ModelJson.Load<StreamingVariationalGaussianMixture>(second).Snapshot();
        Bits(b.Means.Cast<double>()).Should().Equal(Bits(a.Means.Cast<double>()));
        Bits(b.CovarianceParameters).Should().Equal(Bits(a.CovarianceParameters));

        var refused = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--state-in", first, "--k", "3");
        refused.Code.Should().NotBe(0);
        refused.Err.Should().Contain("--state-in");
        var bad = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--k", "3", "--kappa", "0.4");
        bad.Code.Should().NotBe(0);
        bad.Err.Should().StartWith("error: --kappa").And.NotContain("ForgettingRate");
        string vb = Path.Combine(_directory, "vb.json"), warm = Path.Combine(_directory, "warm.json");
        Run("fit", "vb-gmm", "--data", DataPath("old_faithful.txt"), "--k", "3", "--model-out", vb).Code.Should().Be(0);
        var warmed = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--k", "3", "--init-model", vb, "--epochs", "1", "--model-out", warm);
        warmed.Code.Should().Be(0, warmed.Err);
        var library = new StochasticVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions { Components = 3, InitialModel = ModelJson.Load<VariationalGaussianMixtureModel>(vb) },
            Epochs = 1,
        }).Fit(MixtureTestData.OldFaithful()).Model;
        Bits(ModelJson.Load<VariationalGaussianMixtureModel>(warm).Means.Cast<double>()).Should().Equal(Bits(library.Means.Cast<double>()));
        Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"), "--k", "2", "--init-model", vb).Code.Should().NotBe(0, "the model has 3 components");

        var missing = Run("fit", "svi-gmm", "--data", DataPath("old_faithful.txt"));
        missing.Code.Should().NotBe(0);
        missing.Err.Should().Contain("--k");
    }
}
