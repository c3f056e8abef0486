using System.Globalization;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;

namespace LatentModels.Tests.Mixtures;

public sealed class DiscreteMixtureCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"latent-mix-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string WriteCsv(string name, double[,] x)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllLines(path, Enumerable.Range(0, x.GetLength(0)).Select(i =>
            string.Join(",", Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j].ToString(CultureInfo.InvariantCulture)))));
        return path;
    }

    private static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;

    [Fact]
    public void Fit_bernoulli_mixture_equals_the_library_and_the_saved_model_scores_predicts_and_samples()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(600, new Random(5));
        string data = WriteCsv("binary.csv", x);
        string modelPath = Path.Combine(_directory, "m.json");
        var (code, stdout, stderr) = Run("fit", "bernoulli-mixture", "--data", data, "--k", "3", "--seed", "4", "--json", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("bernoulli-mixture");
        json.GetProperty("k").GetInt32().Should().Be(3);
        json.GetProperty("d").GetInt32().Should().Be(20);

        MixtureModel<IndependentBernoulli> library = new BernoulliMixture(new MixtureOptions { Components = 3, Seed = 4 }).Fit(x).Model;
        double score = library.Score(x);
        json.GetProperty("avgLogLikelihood").GetDouble().Should().Be(score);
        json.GetProperty("bic").GetDouble().Should().Be(library.Bic(x));
        json.GetProperty("avgLogPosterior").GetDouble().Should().BeLessThan(score);
        var saved = ModelJson.Load<MixtureModel<IndependentBernoulli>>(modelPath);
        saved.Weights.Should().Equal(library.Weights);

        var scored = Run("score", "--model", modelPath, "--data", data, "--json");
        scored.Code.Should().Be(0, scored.Err);
        BitConverter.DoubleToInt64Bits(LastJson(scored.Out).GetProperty("avgLogLikelihood").GetDouble()).Should().Be(BitConverter.DoubleToInt64Bits(score));

        var predicted = Run("predict", "--model", modelPath, "--data", data, "--probabilities");
        predicted.Code.Should().Be(0, predicted.Err);
        string[] lines = predicted.Out.TrimEnd().Split('\n');
        lines[0].Should().Be("label,p0,p1,p2");
        int[] labels = library.Predict(x);
        lines.Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).Should().Equal(labels);

        var sampled = Run("sample", "--model", modelPath, "-n", "7", "--seed", "2");
        sampled.Code.Should().Be(0, sampled.Err);
        string[] rows = sampled.Out.TrimEnd().Split('\n');
        rows.Should().HaveCount(7);
        rows.Should().OnlyContain(r => r.Split(',').Length == 20 && r.Split(',').All(v => v == "0" || v == "1"));
        string.Join("\n", rows).Should().Be(string.Join("\n", Enumerable.Range(0, 7).Select(i =>
            string.Join(",", Enumerable.Range(0, 20).Select(j => library.Sample(7, new Random(2))[i, j].ToString("R", CultureInfo.InvariantCulture))))));
    }

    [Fact]
    public void Fit_categorical_mixture_infers_the_category_counts_and_saves_the_model()
    {
        double[,] x = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(400, new Random(6));
        string data = WriteCsv("codes.csv", x);
        string modelPath = Path.Combine(_directory, "c.json");
        var (code, stdout, stderr) = Run("fit", "categorical-mixture", "--data", data, "--k", "2", "--pseudo-count", "0", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        stdout.Should().Contain("independent categorical mixture (K = 2) fitted by maximum-likelihood EM to 400 rows × 4 columns");
        var saved = ModelJson.Load<MixtureModel<IndependentCategorical>>(modelPath);
        saved.Distributions[0].CategoryCounts.Should().Equal(3, 2, 4, 3);
        MixtureModel<IndependentCategorical> library = new CategoricalMixture([3, 2, 4, 3], new MixtureOptions { Components = 2, PseudoCount = 0 }).Fit(x).Model;
        saved.Score(x).Should().Be(library.Score(x));
    }

    [Fact]
    public void Init_first_is_the_library_first_start()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(6));
        string data = WriteCsv("first.csv", x);
        string modelPath = Path.Combine(_directory, "first.json");
        var (code, _, stderr) = Run("fit", "bernoulli-mixture", "--data", data, "--k", "3", "--init", "first", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        MixtureModel<IndependentBernoulli> library = new BernoulliMixture(new MixtureOptions { Components = 3, Init = MixtureInit.First }).Fit(x).Model;
        ModelJson.Load<MixtureModel<IndependentBernoulli>>(modelPath).Weights.Should().Equal(library.Weights);
    }

    [Fact]
    public void Non_binary_data_and_bad_options_exit_2_naming_the_problem()
    {
        string data = WriteCsv("bad.csv", new double[,] { { 0, 1 }, { 1, 0 }, { 0, 0.5 } });
        var (code, _, err) = Run("fit", "bernoulli-mixture", "--data", data, "--k", "2");
        code.Should().Be(CliApp.BadInput);
        err.Should().Be($"error: {data}:3:3: The value is 0.5; binary data must be 0 or 1.{Environment.NewLine}");
        Run("fit", "bernoulli-mixture", "--data", data, "--k", "2", "--init", "banana").Code.Should().Be(CliApp.BadInput);
        var negative = Run("fit", "categorical-mixture", "--data", WriteCsv("neg.csv", new double[,] { { 0, 1 }, { -1, 0 } }), "--k", "1");
        negative.Code.Should().Be(CliApp.BadInput);
        negative.Err.Should().StartWith("error: ").And.Contain("neg.csv:2:1: The code is -1;");
        var tooMany = Run("fit", "bernoulli-mixture", "--data", WriteCsv("ok.csv", new double[,] { { 0, 1 }, { 1, 0 } }), "--k", "3");
        tooMany.Code.Should().Be(CliApp.BadInput);
        tooMany.Err.Should().StartWith("error: --k").And.NotContain("Components");
    }
}
