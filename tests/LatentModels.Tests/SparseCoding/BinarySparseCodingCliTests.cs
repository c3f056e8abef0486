using System.Globalization;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.BinarySparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary><c>latent fit binary-sparse-coding</c>, and score / sample / transform on the saved model.</summary>
public sealed class BinarySparseCodingCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"latent-bsc-{Guid.NewGuid():N}")).FullName;

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
            string.Join(",", Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }

    private static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    [Fact]
    public void Fit_equals_the_library_and_the_saved_model_scores_samples_and_transforms()
    {
        double[,] x = BarsImages(300, 3, 0.3, 0.15, 4);
        string data = WriteCsv("bars.csv", x);
        string modelPath = Path.Combine(_directory, "bsc.json");
        var (code, stdout, stderr) = Run("fit", "binary-sparse-coding", "--data", data, "--components", "6", "--max-iter", "40", "--starts", "2",
            "--seed", "3", "--json", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("binary-sparse-coding");
        json.GetProperty("components").GetInt32().Should().Be(6);

        var options = new BinarySparseCodingOptions { Components = 6, MaxIterations = 40, Starts = 2, Seed = 3 };
        var fit = new BinarySparseCoding(options).Fit(x);
        BinarySparseCodingModel library = fit.Model;
        json.GetProperty("iterations").GetInt32().Should().Be(fit.Report.Iterations);
        JsonElement dictionary = json.GetProperty("dictionary");
        dictionary.GetArrayLength().Should().Be(6);
        double[,] atoms = library.Dictionary;
        for (int i = 0; i < 6; i++)
        {
            Doubles(dictionary[i]).Should().Equal(Enumerable.Range(0, 9).Select(k => atoms[i, k]), $"atom {i}");
        }

        Doubles(json.GetProperty("prior")).Should().Equal(library.PriorProbabilities);
        Doubles(json.GetProperty("noiseVariance")).Should().Equal(library.NoiseVariance);
        double elbo = library.Elbo(x).Average(), exact = library.ExactLogLikelihood(x).Average();
        json.GetProperty("elbo").GetDouble().Should().Be(elbo);
        json.GetProperty("exactLogLikelihood").GetDouble().Should().Be(exact);
        exact.Should().BeGreaterThanOrEqualTo(elbo);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThan(0);
        ModelJson.Load<BinarySparseCodingModel>(modelPath).PriorLogits.Should().Equal(library.PriorLogits);

        var scored = Run("score", "--model", modelPath, "--data", data, "--json");
        scored.Code.Should().Be(0, scored.Err);
        LastJson(scored.Out).GetProperty("elbo").GetDouble().Should().Be(elbo);
        LastJson(scored.Out).GetProperty("exactLogLikelihood").GetDouble().Should().Be(exact);

        var transformed = Run("transform", "--model", modelPath, "--data", data);
        transformed.Code.Should().Be(0, transformed.Err);
        string[] lines = transformed.Out.TrimEnd().Split('\n');
        lines[0].Should().Be("h0,h1,h2,h3,h4,h5");
        lines.Should().HaveCount(301);
        double[,] codes = library.Transform(x);
        lines[5].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Should().Equal(Enumerable.Range(0, 6).Select(i => codes[4, i]));
        var parallel = Run("transform", "--model", modelPath, "--data", data, "--inference", "parallel");
        parallel.Code.Should().Be(0, parallel.Err);

        var sampled = Run("sample", "--model", modelPath, "-n", "5", "--seed", "2");
        sampled.Code.Should().Be(0, sampled.Err);
        string[] rows = sampled.Out.TrimEnd().Split('\n');
        rows.Should().HaveCount(5);
        double[,] expected = library.Sample(5, new Random(2));
        rows[3].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Should().Equal(Enumerable.Range(0, 9).Select(k => expected[3, k]));
    }

    [Fact]
    public void Parallel_inference_damping_and_mini_batches_reach_the_library()
    {
        double[,] x = BarsImages(120, 3, 0.3, 0.2, 6);
        string data = WriteCsv("small.csv", x);
        var (code, stdout, stderr) = Run("fit", "binary-sparse-coding", "--data", data, "--components", "4", "--max-iter", "15", "--starts", "1",
            "--inference", "parallel", "--damping", "0.3", "--batch-size", "50", "--json");
        code.Should().Be(0, stderr);
        var options = new BinarySparseCodingOptions
        {
            Components = 4,
            MaxIterations = 15,
            Starts = 1,
            BatchSize = 50,
            Inference = new BinarySparseCodingInference { Update = BinarySparseCodingUpdate.Parallel, Damping = 0.3 },
        };
        BinarySparseCodingModel library = new BinarySparseCoding(options).Fit(x).Model;
        Doubles(LastJson(stdout).GetProperty("noiseVariance")).Should().Equal(library.NoiseVariance);

        var text = Run("fit", "binary-sparse-coding", "--data", data, "--components", "4", "--max-iter", "5", "--starts", "1");
        text.Code.Should().Be(0, text.Err);
        text.Out.Should().Contain("mean ELBO per row").And.Contain("exact log-likelihood");
    }

    [Fact]
    public void Bad_options_and_wrong_models_exit_with_bad_input()
    {
        double[,] x = BarsImages(40, 3, 0.3, 0.2, 1);
        string data = WriteCsv("x.csv", x);
        Run("fit", "binary-sparse-coding", "--data", data, "--components", "0").Code.Should().Be(CliApp.BadInput);
        Run("fit", "binary-sparse-coding", "--data", data, "--components", "3", "--damping", "1").Code.Should().Be(CliApp.BadInput);
        Run("fit", "binary-sparse-coding", "--data", data, "--components", "3", "--inference", "random").Code.Should().Be(CliApp.BadInput);
        Run("fit", "binary-sparse-coding", "--data", data).Code.Should().Be(CliApp.BadInput);

        string gaussian = Path.Combine(_directory, "g.json");
        Run("fit", "mvn", "--data", data, "--model-out", gaussian).Code.Should().Be(0);
        var wrong = Run("transform", "--model", gaussian, "--data", data);
        wrong.Code.Should().Be(CliApp.BadInput);
        wrong.Err.Should().Contain("--model");

        string bsc = Path.Combine(_directory, "b.json");
        Run("fit", "binary-sparse-coding", "--data", data, "--components", "2", "--max-iter", "3", "--starts", "1", "--model-out", bsc).Code.Should().Be(0);
        string narrow = WriteCsv("narrow.csv", new double[,] { { 1, 2 }, { 3, 4 } });
        var mismatch = Run("transform", "--model", bsc, "--data", narrow);
        mismatch.Code.Should().Be(CliApp.BadInput);
        mismatch.Err.Should().Contain("dimension 9");
    }
}
