using System.Text.Json;
using LatentModels.Cli;

namespace LatentModels.Tests.Cli;

public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    internal static JsonElement LastJson(string stdout)
    {
        string last = stdout.TrimEnd().Split('\n')[^1];
        return JsonDocument.Parse(last).RootElement;
    }

    internal static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    [Fact]
    public void Fit_mvn_json_matches_scipy_at_the_mle()
    {
        // /usr/bin/python3 -c "import numpy as np; from scipy.stats import multivariate_normal as mvn;
        //   x=np.loadtxt('height_weight.txt'); print(repr(mvn(x.mean(0), np.cov(x.T, bias=True)).logpdf(x).mean()))"
        const double Scipy = -5.932666373130396;
        var (code, stdout, stderr) = Run("fit", "mvn", "--data", DataPath("height_weight.txt"), "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("mvn");
        json.GetProperty("n").GetInt32().Should().Be(25000);
        json.GetProperty("d").GetInt32().Should().Be(2);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        double ll = json.GetProperty("avgLogLikelihood").GetDouble();
        Math.Abs((ll - Scipy) / Scipy).Should().BeLessThan(1e-9);
    }

    [Fact]
    public void Fit_gaussian_reports_mean_and_one_over_n_deviation()
    {
        var (code, stdout, stderr) = Run("fit", "gaussian", "--data", DataPath("height.txt"), "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        double[] x = File.ReadAllLines(DataPath("height.txt")).Select(double.Parse).ToArray();
        double mean = x.Average();
        double sd = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Sum() / x.Length);
        json.GetProperty("mean").GetDouble().Should().BeApproximately(mean, 1e-9 * Math.Abs(mean));
        json.GetProperty("standardDeviation").GetDouble().Should().BeApproximately(sd, 1e-9 * sd);
        json.GetProperty("n").GetInt32().Should().Be(25000);
    }

    [Fact]
    public void Bad_file_exits_2_with_file_line_and_column_and_no_result()
    {
        string path = Path.Combine(Path.GetTempPath(), $"latent-bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,y\n1,2\n3,oops\n");
        try
        {
            var (code, stdout, stderr) = Run("fit", "mvn", "--data", path, "--json");
            code.Should().Be(2);
            stdout.Should().BeEmpty();
            stderr.Should().Contain($"{path}:3:3");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_and_unknown_option_exit_2()
    {
        Run("fit", "mvn", "--data", "/nonexistent/file.csv").Code.Should().Be(2);
        Run("fit", "mvn", "--data", DataPath("old_faithful.txt"), "--bogus").Code.Should().Be(2);
        Run("fit", "gaussian", "--data", DataPath("old_faithful.txt")).Code.Should().Be(2);
    }

    [Fact]
    public void Demo_prints_the_old_faithful_gaussian()
    {
        var (code, stdout, stderr) = Run("demo");
        code.Should().Be(0, stderr);
        // numpy: x.mean(0) = [3.4877830882352936, 70.8970588235294]
        stdout.Should().Contain("3.4878").And.Contain("70.8971");
    }
}
