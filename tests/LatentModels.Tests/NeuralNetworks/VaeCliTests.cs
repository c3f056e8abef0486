using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentModels.NeuralNetworks;
using LatentModels.Persistence;
using LatentModels.Tests.Cli;

namespace LatentModels.Tests.NeuralNetworks;

public sealed class VaeCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vae-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(double[,] x, string name)
    {
        var text = new StringBuilder();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                text.Append(j > 0 ? "," : "").Append(x[i, j].ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void Fit_vae_json_is_the_library_fit_and_the_saved_model_scores_and_samples()
    {
        double[,] x = VariationalAutoencoderTests.Prototypes(200, 12);
        string data = Write(x, "bits.csv");
        string modelPath = Path.Combine(_directory, "vae.json");
        var (code, stdout, stderr) = CliTests.Run("fit", "vae", "--data", data, "--hidden", "20,10", "--latent", "3", "--epochs", "4",
            "--batch-size", "50", "--learning-rate", "1e-2", "--activation", "tanh", "--seed", "5", "--json", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        JsonElement r = CliTests.LastJson(stdout);
        var fit = new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [20, 10],
            LatentDimension = 3,
            Epochs = 4,
            BatchSize = 50,
            LearningRate = 1e-2,
            Activation = HiddenActivation.Tanh,
            Seed = 5,
        }).Fit(x);
        r.GetProperty("model").GetString().Should().Be("vae");
        r.GetProperty("epochs").GetInt32().Should().Be(4);
        r.GetProperty("trainNegElbo").GetDouble().Should().Be(fit.Report.ObjectiveTrace[^1]);
        r.GetProperty("negElboTrace").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(fit.Report.ObjectiveTrace);
        r.GetProperty("secondsPerEpoch").GetDouble().Should().BeGreaterThan(0);
        r.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(r.GetProperty("secondsPerEpoch").GetDouble());
        r.GetProperty("parameters").GetInt32().Should().Be(fit.Model.ParameterCount);

        VariationalAutoencoderModel saved = ModelJson.Deserialize<VariationalAutoencoderModel>(File.ReadAllText(modelPath));
        saved.Parameters.ToArray().Should().Equal(fit.Model.Parameters.ToArray());

        var score = CliTests.Run("score", "--model", modelPath, "--data", data, "--iwae-samples", "7", "--seed", "3", "--json");
        score.Code.Should().Be(0, score.Err);
        JsonElement s = CliTests.LastJson(score.Out);
        var random = new Random(3);
        s.GetProperty("negElbo").GetDouble().Should().Be(saved.AnomalyScores(x, random).Average());
        s.GetProperty("iwaeLogLikelihood").GetDouble().Should().Be(saved.ImportanceWeightedLogLikelihood(x, 7, random).Average());
        s.GetProperty("model").GetString().Should().Be("LatentModels.VariationalAutoencoder");

        var sample = CliTests.Run("sample", "--model", modelPath, "--count", "5", "--seed", "1");
        sample.Code.Should().Be(0, sample.Err);
        string[] lines = sample.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5);
        lines.Should().OnlyContain(l => l.Split(',').Length == 16 && l.Split(',').All(v => v == "0" || v == "1"));
    }

    [Fact]
    public void Bad_flags_are_bad_input()
    {
        string data = Write(VariationalAutoencoderTests.Prototypes(20, 13), "bits.csv");
        CliTests.Run("fit", "vae", "--data", data, "--hidden", "20,x", "--json").Code.Should().Be(2);
        CliTests.Run("fit", "vae", "--data", data, "--latent", "0", "--json").Code.Should().Be(2);
        CliTests.Run("fit", "vae", "--data", data, "--activation", "sigmoid").Code.Should().Be(2);
        string grey = Write(new double[,] { { 0.5, 2 }, { 0, 1 } }, "outside.csv");
        var outside = CliTests.Run("fit", "vae", "--data", grey, "--json");
        outside.Code.Should().Be(2);
        outside.Err.Should().Be($"error: {grey}:1:5: The value is 2; a Bernoulli decoder needs values in [0, 1].{Environment.NewLine}");
    }

    [Fact]
    public void Fit_vae_reads_gzip_idx_images_scaled_to_the_unit_interval()
    {
        // 30 images of 4 × 4 pixels in an IDX file (magic 0x00000803), gzip-compressed as MNIST ships.
        var random = new Random(21);
        var pixels = new byte[30 * 16];
        random.NextBytes(pixels);
        var idx = new MemoryStream();
        idx.Write([0, 0, 8, 3, 0, 0, 0, 30, 0, 0, 0, 4, 0, 0, 0, 4]);
        idx.Write(pixels);
        string path = Path.Combine(_directory, "images-idx3-ubyte.gz");
        using (var file = File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(idx.ToArray());
        }

        var (code, stdout, stderr) = CliTests.Run("fit", "vae", "--data", path, "--hidden", "8", "--latent", "2", "--epochs", "2",
            "--batch-size", "10", "--seed", "1", "--json");
        code.Should().Be(0, stderr);
        JsonElement r = CliTests.LastJson(stdout);
        r.GetProperty("n").GetInt32().Should().Be(30);
        r.GetProperty("d").GetInt32().Should().Be(16);
        var x = new double[30, 16];
        for (int i = 0; i < pixels.Length; i++)
        {
            x[i / 16, i % 16] = pixels[i] / 255.0;
        }

        var fit = new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [8], LatentDimension = 2, Epochs = 2, BatchSize = 10, Seed = 1 }).Fit(x);
        r.GetProperty("trainNegElbo").GetDouble().Should().Be(fit.Report.ObjectiveTrace[^1]);
    }
}
