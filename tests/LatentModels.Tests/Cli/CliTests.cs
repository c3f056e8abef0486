using System.Globalization;
using System.Text;
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

    /// <summary>Writes rows [start, start + count) of a two-column matrix as CSV (round-trip numbers) to <paramref name="directory"/>/<paramref name="name"/>.</summary>
    internal static string WriteRows(string directory, double[,] x, int start, int count, string name)
    {
        var text = new StringBuilder();
        for (int i = start; i < start + count; i++)
        {
            text.Append(x[i, 0].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(x[i, 1].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// Streams the rows of <paramref name="x"/> through <c>fit <paramref name="kind"/></c> once in one run (model to
    /// <c>One</c>) and once split after <paramref name="splitAt"/> rows into two runs continued through a state file
    /// (<c>State</c>; model to <c>Split</c>); every run must succeed and the second must count all the rows.
    /// </summary>
    /// <param name="directory">Where the CSV pieces and the JSON files go.</param>
    /// <param name="kind">The online model, e.g. <c>online-kmeans</c>.</param>
    /// <param name="x">The rows (two columns).</param>
    /// <param name="splitAt">Rows in the first piece.</param>
    /// <param name="startOptions">Options of the runs that start from scratch (K, seed…), not given with --state-in.</param>
    /// <param name="common">Options of every run.</param>
    internal static (string Whole, string SecondPiece, string One, string State, string Split) RunSplitStream(
        string directory, string kind, double[,] x, int splitAt, string[] startOptions, string[] common)
    {
        int n = x.GetLength(0);
        string whole = WriteRows(directory, x, 0, n, "whole.csv"), first = WriteRows(directory, x, 0, splitAt, "first.csv"), rest = WriteRows(directory, x, splitAt, n - splitAt, "rest.csv");
        string one = Path.Combine(directory, "one.json"), state = Path.Combine(directory, "state.json"), split = Path.Combine(directory, "split.json");
        Run(["fit", kind, "--data", whole, .. startOptions, .. common, "--model-out", one]).Code.Should().Be(0);
        var part1 = Run(["fit", kind, "--data", first, .. startOptions, .. common, "--state-out", state]);
        part1.Code.Should().Be(0, part1.Err);
        var part2 = Run(["fit", kind, "--data", rest, "--state-in", state, .. common, "--state-out", state, "--model-out", split]);
        part2.Code.Should().Be(0, part2.Err);
        LastJson(part2.Out).GetProperty("points").GetInt64().Should().Be(n);
        return (whole, rest, one, state, split);
    }

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
        double[] mean = json.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        mean[0].Should().BeApproximately(172.70250853668063, 1e-9);
        mean[1].Should().BeApproximately(57.642208800960226, 1e-9);
        json.GetProperty("covariance")[0][1].GetDouble().Should().BeApproximately(12.846850871078285, 1e-9);
        stdout.TrimEnd().Split('\n').Should().HaveCount(1, "--json prints exactly one line");
    }

    [Fact]
    public void Fit_gaussian_reports_mean_and_one_over_n_deviation()
    {
        var (code, stdout, stderr) = Run("fit", "gaussian", "--data", DataPath("height.txt"), "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        // /usr/bin/python3 -c "import numpy as np; from scipy.stats import norm; h=np.loadtxt('height.txt');
        //   print(repr(h.mean()), repr(h.std()), repr(norm(h.mean(), h.std()).logpdf(h).mean()))"
        const double NumpyMean = 172.70250853667997, NumpyStd = 4.830167473396299, ScipyAvgLogPdf = -2.9938196738490537;
        json.GetProperty("model").GetString().Should().Be("gaussian");
        json.GetProperty("mean").GetDouble().Should().BeApproximately(NumpyMean, 1e-12 * NumpyMean);
        json.GetProperty("standardDeviation").GetDouble().Should().BeApproximately(NumpyStd, 1e-12 * NumpyStd);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().BeApproximately(ScipyAvgLogPdf, 1e-12 * Math.Abs(ScipyAvgLogPdf));
        json.GetProperty("n").GetInt32().Should().Be(25000);
        json.GetProperty("d").GetInt32().Should().Be(1);
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

    [Theory]
    [InlineData("1,2\n3,4,5\n", 2, 5, "the row has 3 values but earlier rows have 2.")]
    [InlineData("1,2\n3\n", 2, 2, "the row has 1 values but earlier rows have 2.")]
    [InlineData("1.5,2.O\n3,4\n", 1, 5, "'2.O' is not a finite number.")]
    [InlineData("a b\n1 2\n3 x\n", 3, 3, "'x' is not a finite number.")]
    [InlineData("x,y\n\n", 3, 1, "the file holds no data rows.")]
    public void Ragged_non_numeric_and_empty_files_exit_2_naming_the_place(string content, int line, int column, string problem)
    {
        string path = Path.Combine(Path.GetTempPath(), $"latent-bad-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        try
        {
            var (code, stdout, stderr) = Run("fit", "gaussian", "--data", path, "--json");
            code.Should().Be(2);
            stdout.Should().BeEmpty();
            stderr.Should().Be($"error: {path}:{line}:{column}: {problem}{Environment.NewLine}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_unknown_option_and_wrong_shape_exit_2()
    {
        var missing = Run("fit", "mvn", "--data", "/nonexistent/file.csv");
        missing.Code.Should().Be(2);
        missing.Out.Should().BeEmpty();
        missing.Err.Should().Contain("/nonexistent/file.csv: no such file.");
        var directory = Run("fit", "mvn", "--data", Path.GetTempPath());
        directory.Code.Should().Be(2);
        directory.Err.Should().Contain("is a directory");
        Run("fit", "mvn", "--data", DataPath("old_faithful.txt"), "--bogus").Code.Should().Be(2);
        var twoColumns = Run("fit", "gaussian", "--data", DataPath("old_faithful.txt"));
        twoColumns.Code.Should().Be(2);
        twoColumns.Err.Should().Contain("needs one column");
        Run("fit", "mvn").Code.Should().Be(2);
    }

    [Fact]
    public void Singular_data_exits_1_with_the_reason()
    {
        string path = Path.Combine(Path.GetTempPath(), $"latent-singular-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "1,5\n2,5\n3,5\n");
        try
        {
            var (code, stdout, stderr) = Run("fit", "mvn", "--data", path, "--json");
            code.Should().Be(1);
            stdout.Should().BeEmpty();
            stderr.Should().Contain("Column 1 is constant");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Readable_summary_without_json()
    {
        var (code, stdout, _) = Run("fit", "mvn", "--data", DataPath("old_faithful.txt"));
        code.Should().Be(0);
        stdout.Should().Contain("272 rows × 2 columns").And.Contain("[3.4878, 70.8971]").And.Contain("mean log-likelihood  -4.7419");
    }

    [Fact]
    public void Demo_chooses_two_components_by_bic_as_sklearn_does_and_draws_them()
    {
        string svgPath = Path.Combine(Path.GetTempPath(), $"latent-demo-{Guid.NewGuid():N}.svg");
        try
        {
            var (code, stdout, stderr) = Run("demo", "--out", svgPath);
            code.Should().Be(0, stderr);
            // /usr/bin/python3 -c "import numpy as np; from sklearn.mixture import GaussianMixture as G; x=np.loadtxt('old_faithful.txt');
            //   [print(k, G(k, n_init=5, random_state=0, tol=1e-8, max_iter=500).fit(x).bic(x)) for k in (1, 2)]"
            //   → 1 2607.6225004390044, 2 2322.1917431222437 (weights 0.64412692 0.35587308, score -4.155382206604757)
            stdout.Should().MatchRegex(@"\n\s+1\s+2607\.62\s+-4\.741900\s")
                .And.MatchRegex(@"\n\s+2\s+2322\.19\s+-4\.155382\s+\d+\s+<- chosen")
                .And.Contain("K = 2: mean log-likelihood -4.155382")
                .And.Contain("weight 0.6441").And.Contain("weight 0.3559")
                .And.Contain($"Picture written to {svgPath}");
            string svg = File.ReadAllText(svgPath);
            svg.Should().StartWith("<svg").And.EndWith("</svg>\n");
            // 272 data points and 2 legend markers; two ellipses (1σ, 2σ) per component.
            System.Text.RegularExpressions.Regex.Matches(svg, "<circle ").Count.Should().Be(272 + 2);
            System.Text.RegularExpressions.Regex.Matches(svg, " Z\" fill=\"none\"").Count.Should().Be(4);
            svg.Should().Contain("eruption duration (minutes)").And.Contain("waiting time to next eruption (minutes)");
        }
        finally
        {
            File.Delete(svgPath);
        }
    }

    [Fact]
    public void Demo_rejects_an_output_folder_that_does_not_exist()
    {
        var (code, stdout, stderr) = Run("demo", "--out", Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"), "x.svg"));
        code.Should().Be(2);
        stderr.Should().Contain("--out").And.Contain("does not exist");
        stdout.Should().BeEmpty();
    }
}
