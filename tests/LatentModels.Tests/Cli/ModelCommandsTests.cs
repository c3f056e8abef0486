using System.Globalization;
using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary><c>latent score</c>, <c>predict</c> and <c>sample</c> on model files saved by the library.</summary>
public sealed class ModelCommandsTests : IDisposable
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-models-{Guid.NewGuid():N}");

    public ModelCommandsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Save(object model, string name = "model.json")
    {
        string path = Path.Combine(_directory, name);
        ModelJson.Save(model, path);
        return path;
    }

    private static GaussianMixtureModel Gmm() =>
        new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Full, Seed = 3 }).Fit(_data).Model;

    private static double[][] Csv(string text, bool header) =>
        text.TrimEnd('\n').Split('\n').Skip(header ? 1 : 0)
            .Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [Fact]
    public void Score_prints_the_library_mean_log_likelihood_to_the_last_bit()
    {
        GaussianMixtureModel model = Gmm();
        var (code, stdout, stderr) = Run("score", "--model", Save(model), "--data", DataPath("old_faithful.txt"), "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("LatentModels.GaussianMixture");
        json.GetProperty("n").GetInt32().Should().Be(272);
        BitConverter.DoubleToInt64Bits(json.GetProperty("avgLogLikelihood").GetDouble())
            .Should().Be(BitConverter.DoubleToInt64Bits(model.Score(_data)));

        var text = Run("score", "--model", Save(model), "--data", DataPath("old_faithful.txt"));
        text.Code.Should().Be(0);
        text.Out.Should().Contain(model.Score(_data).ToString("R", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("gmm", "--k", "3", "--covariance", "full")]
    [InlineData("gmm", "--k", "2", "--covariance", "tied")]
    [InlineData("gmm", "--k", "3", "--covariance", "diag")]
    [InlineData("gmm", "--k", "2", "--covariance", "spherical")]
    [InlineData("mvn")]
    public void Fit_with_model_out_then_score_prints_the_very_same_mean_log_likelihood(string kind, params string[] options)
    {
        string path = Path.Combine(_directory, $"{kind}.json");
        string[] fitArgs = ["fit", kind, "--data", DataPath("old_faithful.txt"), .. options, "--json", "--model-out", path];
        var fit = Run(fitArgs);
        fit.Code.Should().Be(0, fit.Err);
        var score = Run("score", "--model", path, "--data", DataPath("old_faithful.txt"), "--json");
        score.Code.Should().Be(0, score.Err);
        double fitted = LastJson(fit.Out).GetProperty("avgLogLikelihood").GetDouble();
        double scored = LastJson(score.Out).GetProperty("avgLogLikelihood").GetDouble();
        BitConverter.DoubleToInt64Bits(scored).Should().Be(BitConverter.DoubleToInt64Bits(fitted));
    }

    [Fact]
    public void Score_of_a_kmeans_model_is_its_inertia()
    {
        KMeansModel model = new KMeans(new KMeansOptions { Clusters = 3, Seed = 2 }).Fit(_data).Model;
        var (code, stdout, stderr) = Run("score", "--model", Save(model), "--data", DataPath("old_faithful.txt"), "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("LatentModels.KMeans");
        json.GetProperty("inertia").GetDouble().Should().Be(model.InertiaOf(_data));
    }

    [Fact]
    public void Predict_prints_the_library_labels_and_probabilities()
    {
        GaussianMixtureModel model = Gmm();
        var (code, stdout, stderr) = Run("predict", "--model", Save(model), "--data", DataPath("old_faithful.txt"), "--probabilities");
        code.Should().Be(0, stderr);
        stdout.Split('\n')[0].Should().Be("label,p0,p1");
        double[][] rows = Csv(stdout, header: true);
        rows.Should().HaveCount(272);
        int[] labels = model.Predict(_data);
        double[,] p = model.PredictProbabilities(_data);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i][0].Should().Be(labels[i]);
            rows[i][1].Should().Be(p[i, 0]);
            rows[i][2].Should().Be(p[i, 1]);
        }

        KMeansModel kmeans = new KMeans(new KMeansOptions { Clusters = 3, Seed = 2 }).Fit(_data).Model;
        var hard = Run("predict", "--model", Save(kmeans, "kmeans.json"), "--data", DataPath("old_faithful.txt"));
        hard.Code.Should().Be(0, hard.Err);
        Csv(hard.Out, header: true).Select(r => (int)r[0]).Should().Equal(kmeans.Predict(_data));
    }

    [Fact]
    public void Sample_prints_the_library_samples_for_the_seed()
    {
        GaussianMixtureModel model = Gmm();
        var (code, stdout, stderr) = Run("sample", "--model", Save(model), "-n", "25", "--seed", "9");
        code.Should().Be(0, stderr);
        double[][] rows = Csv(stdout, header: false);
        double[,] expected = model.Sample(25, new Random(9));
        rows.Should().HaveCount(25);
        for (int i = 0; i < 25; i++)
        {
            rows[i].Should().Equal(expected[i, 0], expected[i, 1]);
        }

        var gaussian = Run("sample", "--model", Save(new UnivariateGaussian(3, 0.5), "g.json"), "-n", "4", "--seed", "1");
        gaussian.Code.Should().Be(0, gaussian.Err);
        Csv(gaussian.Out, header: false).Select(r => r[0]).Should().Equal(new UnivariateGaussian(3, 0.5).Sample(4, new Random(1)));
    }

    [Fact]
    public void Missing_or_tampered_model_file_exits_2_with_a_message_naming_the_problem()
    {
        string missing = Path.Combine(_directory, "missing.json");
        var none = Run("score", "--model", missing, "--data", DataPath("old_faithful.txt"));
        none.Code.Should().Be(2);
        none.Out.Should().BeEmpty();
        none.Err.Should().Contain("no such file").And.Contain(missing);

        string path = Save(Gmm());
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Full\"", "\"Fullish\"", StringComparison.Ordinal));
        var tampered = Run("predict", "--model", path, "--data", DataPath("old_faithful.txt"));
        tampered.Code.Should().Be(2);
        tampered.Out.Should().BeEmpty();
        tampered.Err.Should().Contain(path).And.Contain("'covarianceType'");

        string truncated = Save(Gmm(), "truncated.json");
        File.WriteAllText(truncated, File.ReadAllText(truncated)[..100]);
        var cut = Run("sample", "--model", truncated, "-n", "3");
        cut.Code.Should().Be(2);
        cut.Err.Should().Contain("not valid JSON");
    }

    [Fact]
    public void Verbs_that_the_model_cannot_do_exit_2()
    {
        string path = Save(new MultivariateGaussian([0, 0], new[,] { { 1.0, 0 }, { 0, 1.0 } }));
        var predict = Run("predict", "--model", path, "--data", DataPath("old_faithful.txt"));
        predict.Code.Should().Be(2);
        predict.Err.Should().Contain("LatentModels.MultivariateGaussian does not assign rows");

        var wrongDimension = Run("score", "--model", Save(new UnivariateGaussian(0, 1), "g.json"), "--data", DataPath("old_faithful.txt"));
        wrongDimension.Code.Should().Be(2);
        wrongDimension.Err.Should().Contain("2 columns but the model has dimension 1");
    }
}
