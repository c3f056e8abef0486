using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Variational;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// <c>--sample-weights</c> on every fit whose estimator takes weights: the fit is the library's weighted fit of the loaded
/// rows, and a bad weights file (negative, a second column, too few or too many weights, all zero, not a number) is one
/// error line naming the weights file (with its line and column where a weight is at fault), exit 2.
/// </summary>
public sealed class SampleWeightsCliTests : IDisposable
{
    private const int Rows = 300;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-weights-{Guid.NewGuid():N}");

    public SampleWeightsCliTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static double[] Weights(int n) => [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : 0.5 + (i % 5))];

    private string WriteWeights(IEnumerable<string> lines)
    {
        string path = Path.Combine(_directory, "w.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string WriteWeights(double[] w) => WriteWeights(w.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static double Get(JsonElement json, string name) => json.GetProperty(name).GetDouble();

    [Fact]
    public void Discrete_mixtures_take_sample_weights_as_the_library_does()
    {
        double[] w = Weights(Rows);
        string weights = WriteWeights(w);
        double[,] binary = CliCatalog.Data(CliDataKind.Binary, Rows, 5, 3), codes = CliCatalog.Data(CliDataKind.Codes, Rows, 4, 3);
        string binaryPath = CliCatalog.WriteCsv(Path.Combine(_directory, "b.csv"), binary), codesPath = CliCatalog.WriteCsv(Path.Combine(_directory, "c.csv"), codes);
        var options = new MixtureOptions { Components = 3, Seed = 2 };

        JsonElement bernoulli = Fit("bernoulli-mixture", binaryPath, weights);
        MixtureModel<IndependentBernoulli> b = new Mixture<IndependentBernoulli>(IndependentBernoulliFamily.Instance, options).Fit(binary, w).Model;
        Get(bernoulli, "avgLogLikelihood").Should().Be(b.Score(binary));
        bernoulli.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(b.Weights);

        JsonElement categorical = Fit("categorical-mixture", codesPath, weights);
        MixtureModel<IndependentCategorical> c = new Mixture<IndependentCategorical>(IndependentCategoricalFamily.FromData(codes), options).Fit(codes, w).Model;
        Get(categorical, "avgLogLikelihood").Should().Be(c.Score(codes));
        categorical.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(c.Weights);

        var vbOptions = new VariationalDiscreteMixtureOptions { Components = 3, Seed = 2 };
        VariationalBernoulliMixtureModel vb = new VariationalBernoulliMixture(vbOptions).Fit(binary, w).Model;
        Get(Fit("vb-bernoulli-mixture", binaryPath, weights), "elbo").Should().Be(vb.Elbo);
        int[] counts = [.. IndependentCategoricalFamily.FromData(codes).CategoryCounts];
        VariationalCategoricalMixtureModel vc = new VariationalCategoricalMixture(counts, vbOptions).Fit(codes, w).Model;
        Get(Fit("vb-categorical-mixture", codesPath, weights), "elbo").Should().Be(vc.Elbo);

        Get(bernoulli, "avgLogLikelihood").Should().NotBe(Get(Fit("bernoulli-mixture", binaryPath, null), "avgLogLikelihood"), "the weights change the fit");
    }

    private static JsonElement Fit(string verb, string data, string? weights, params string[] more)
    {
        string[] args = ["fit", verb, "--data", data, "--json", .. more];
        if (verb.Contains("mixture", StringComparison.Ordinal))
        {
            args = [.. args, "--k", "3", "--seed", "2"];
        }

        var (code, stdout, stderr) = Run(weights is null ? args : [.. args, "--sample-weights", weights]);
        code.Should().Be(0, stderr);
        return LastJson(stdout);
    }

    [Fact]
    public void Gaussians_take_sample_weights_as_the_library_does()
    {
        double[] w = Weights(Rows);
        string weights = WriteWeights(w);
        double[,] one = CliCatalog.Data(CliDataKind.OneColumn, Rows, 1, 5), real = CliCatalog.Data(CliDataKind.Real, Rows, 3, 5);
        UnivariateGaussian g = UnivariateGaussian.Fit(one, w);
        JsonElement gaussian = Fit("gaussian", CliCatalog.WriteCsv(Path.Combine(_directory, "one.csv"), one), weights);
        Get(gaussian, "mean").Should().Be(g.Mean);
        Get(gaussian, "standardDeviation").Should().Be(g.StandardDeviation);
        MultivariateGaussian m = MultivariateGaussian.Fit(real, w);
        JsonElement mvn = Fit("mvn", CliCatalog.WriteCsv(Path.Combine(_directory, "real.csv"), real), weights);
        mvn.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(m.Mean);
        Get(mvn, "avgLogLikelihood").Should().Be(m.Score(real));
    }

    public static TheoryData<string> Verbs() =>
        ["kmeans", "gmm", "vb-gmm", "bernoulli-mixture", "categorical-mixture", "vb-bernoulli-mixture", "vb-categorical-mixture", "gaussian", "mvn", "minibatch-kmeans", "online-kmeans"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public void A_bad_weights_file_is_one_error_line_naming_the_file_exit_2(string verb)
    {
        CliDataKind kind = verb is "gaussian" ? CliDataKind.OneColumn : verb.Contains("bernoulli", StringComparison.Ordinal) ? CliDataKind.Binary
            : verb.Contains("categorical", StringComparison.Ordinal) ? CliDataKind.Codes : CliDataKind.Real;
        string data = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), CliCatalog.Data(kind, Rows, kind == CliDataKind.OneColumn ? 1 : 3, 9));
        string[] args = ["fit", verb, "--data", data];
        if (verb is not ("gaussian" or "mvn"))
        {
            args = [.. args, "--k", "2"];
        }

        string[] good = [.. Weights(Rows).Select(v => v.ToString("R", CultureInfo.InvariantCulture))];
        (string[] Lines, string Expected)[] cases =
        [
            (good.Select((v, i) => i == 123 ? "  -2.5" : v).ToArray(), "w.txt:124:3: "),
            (good.Select((v, i) => i == 5 ? "abc" : v).ToArray(), "w.txt:6:1: "),
            (good.Select(v => v + ",1").ToArray(), "w.txt:1:"),
            // The library's out-of-core fits read the weights in lockstep and name the counts (the CLI's own reading names the line).
            (good.Take(Rows - 1).ToArray(), verb == "minibatch-kmeans" ? "--sample-weights: " : "w.txt: "),
            ([.. good, "1"], verb == "minibatch-kmeans" ? "more weights" : "w.txt:301:1: "),
        ];
        if (verb != "online-kmeans")
        {
            // Online K-Means takes zero-weight points (a stream may start with them); the batch fits need a positive weight.
            cases = [.. cases, (good.Select(_ => "0").ToArray(), verb == "minibatch-kmeans" ? "all zero" : "--sample-weights: every weight is zero")];
        }

        foreach ((string[] lines, string expected) in cases)
        {
            string weights = WriteWeights(lines);
            var run = Run([.. args, "--sample-weights", weights]);
            run.Code.Should().Be(2, $"{verb}: {expected}: {run.Err}");
            run.Out.Should().BeEmpty();
            run.Err.Trim().Split('\n').Should().ContainSingle();
            run.Err.Should().StartWith("error: ").And.Contain(expected, run.Err);
        }
    }
}
