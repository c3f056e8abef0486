using System.Text.Json;
using LatentModels.Cli;

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
            failed.Err.Should().Contain("component 0").And.Contain("Regularization");
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
        err.Should().Contain("Components");
    }
}
