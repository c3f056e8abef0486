using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Mixtures;

namespace LatentModels.Tests.Mixtures;

public class GmmCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string OldFaithfulPath => Path.Combine(AppContext.BaseDirectory, "Data", "old_faithful.txt");

    [Fact]
    public void Fit_gmm_json_reports_the_scikit_learn_fit_and_criteria()
    {
        // Same fit as GaussianMixtureTests (scikit-learn 1.2.1, init from the first rows, 100 iterations, tol 0):
        // score -4.15538220659224, bic 2322.1917431154343, aic 2282.5279203861783.
        var (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--init", "first", "--max-iter", "100", "--tol", "0", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;
        json.GetProperty("model").GetString().Should().Be("gmm");
        json.GetProperty("n").GetInt32().Should().Be(272);
        json.GetProperty("d").GetInt32().Should().Be(2);
        json.GetProperty("iterations").GetInt32().Should().Be(100);
        json.GetProperty("converged").GetBoolean().Should().BeFalse();
        json.GetProperty("avgLogLikelihood").GetDouble().Should().BeApproximately(-4.15538220659224, 1e-9);
        json.GetProperty("bic").GetDouble().Should().BeApproximately(2322.1917431154343, 1e-6);
        json.GetProperty("aic").GetDouble().Should().BeApproximately(2282.5279203861783, 1e-6);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        json.TryGetProperty("avgLogPosterior", out _).Should().BeFalse();
    }

    // scikit-learn 1.2.1 numbers of GaussianMixtureTests.Matches_scikit_learn_on_old_faithful_from_the_first_rows.
    [Theory]
    [InlineData("full", -4.15538220659224)]
    [InlineData("diag", -4.219876296118824)]
    [InlineData("spherical", -6.285034125652295)]
    [InlineData("tied", -4.191863086184554)]
    public void Fit_gmm_json_matches_scikit_learn_for_every_covariance_type(string covariance, double score)
    {
        var (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--covariance", covariance, "--init", "first", "--max-iter", "100", "--tol", "0", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;
        double ll = json.GetProperty("avgLogLikelihood").GetDouble();
        ll.Should().BeApproximately(score, 1e-9);

        // BIC and AIC from their definitions with scikit-learn's parameter counts for K = 2, d = 2.
        int parameters = covariance switch { "full" => 11, "diag" => 9, "spherical" => 7, _ => 8 };
        const int N = 272;
        json.GetProperty("bic").GetDouble().Should().BeApproximately((-2 * N * ll) + (parameters * Math.Log(N)), 1e-9);
        json.GetProperty("aic").GetDouble().Should().BeApproximately((-2 * N * ll) + (2 * parameters), 1e-9);
    }

    [Theory]
    [InlineData("kmeans", "full")]
    [InlineData("kmeans++", "diag")]
    [InlineData("random", "spherical")]
    [InlineData("random-rows", "tied")]
    public void Fit_gmm_json_is_the_library_fit_for_every_init_with_starts_seed_and_regularisation(string init, string covariance)
    {
        double[,] x = MixtureTestData.OldFaithful();
        var options = new GaussianMixtureOptions
        {
            Components = 3,
            Covariance = covariance switch { "full" => CovarianceType.Full, "diag" => CovarianceType.Diagonal, "spherical" => CovarianceType.Spherical, _ => CovarianceType.Tied },
            Init = init switch
            {
                "kmeans" => MixtureInit.KMeans,
                "kmeans++" => MixtureInit.KMeansPlusPlus,
                "random" => MixtureInit.RandomResponsibilities,
                _ => MixtureInit.RandomRows,
            },
            Starts = 2,
            MaxIterations = 40,
            Tolerance = 1e-7,
            Regularization = 1e-3,
            Seed = 6,
        };
        FitResult<GaussianMixtureModel> library = new GaussianMixture(options).Fit(x);
        var (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "3", "--covariance", covariance, "--init", init, "--starts", "2",
            "--max-iter", "40", "--tol", "1e-7", "--reg", "1e-3", "--seed", "6", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(library.Model.Score(x));
        json.GetProperty("iterations").GetInt32().Should().Be(library.Report.Iterations);
        json.GetProperty("converged").GetBoolean().Should().Be(library.Report.Converged);
        json.GetProperty("weights").EnumerateArray().Select(v => v.GetDouble()).Should().Equal(library.Model.Weights);
    }

    [Fact]
    public void Map_fit_reports_the_library_log_posterior()
    {
        double[,] x = MixtureTestData.OldFaithful();
        FitResult<GaussianMixtureModel> library = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 3,
            Init = MixtureInit.First,
            Prior = GaussianMixturePrior.Default,
            Tolerance = 0,
            MaxIterations = 30,
        }).Fit(x);
        var (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "3", "--init", "first", "--prior", "default", "--max-iter", "30", "--tol", "0", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;
        library.Report.ObjectiveName.Should().Be("meanLogPosterior");
        json.GetProperty("avgLogPosterior").GetDouble().Should().Be(library.Report.ObjectiveTrace[^1]);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(library.Model.Score(x));
        json.GetProperty("iterations").GetInt32().Should().Be(30);
    }

    [Fact]
    public void Map_fit_reports_the_log_posterior_and_a_singular_mle_fit_names_the_component()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gmm-copies-{Guid.NewGuid():N}.csv");
        var random = new Random(3);
        var lines = Enumerable.Range(0, 130).Select(i => i != 1 && i <= 30 ? "5,5" : $"{random.NextDouble():R},{random.NextDouble():R}");
        File.WriteAllLines(path, lines);
        try
        {
            var (code, stdout, stderr) = Run("fit", "gmm", "--data", path, "--k", "2", "--init", "first", "--prior", "default", "--json");
            code.Should().Be(0, stderr);
            JsonElement json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;
            json.GetProperty("avgLogPosterior").GetDouble().Should().BeLessThan(json.GetProperty("avgLogLikelihood").GetDouble() + 1);
            var failed = Run("fit", "gmm", "--data", path, "--k", "2", "--init", "first", "--reg", "0", "--json");
            failed.Code.Should().Be(CliApp.FitFailed);
            failed.Err.Should().Contain("component 0").And.Contain("--reg").And.NotContain("Regularization");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_options_are_rejected_with_exit_code_2()
    {
        Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--covariance", "banana").Code.Should().Be(CliApp.BadInput);
        var (code, _, err) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "0");
        code.Should().Be(CliApp.BadInput);
        err.Should().Be($"error: --k: There must be at least one component.{Environment.NewLine}");
    }
}
