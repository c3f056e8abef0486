using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Cli;
using LatentModels.Tests.Mixtures;
using LatentModels.Tests.Persistence;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

public sealed class VariationalMixtureCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vb-mixture-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static double[,] BernoulliRows() => DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(3));

    private static double[,] CategoricalRows() => DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(200, new Random(8));

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

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double[,] ParseCsv(string text, int columns)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var x = new double[lines.Length, columns];
        for (int i = 0; i < lines.Length; i++)
        {
            string[] cells = lines[i].Split(',');
            cells.Should().HaveCount(columns);
            for (int j = 0; j < columns; j++)
            {
                x[i, j] = double.Parse(cells[j], CultureInfo.InvariantCulture);
            }
        }

        return x;
    }

    [Fact]
    public void Fit_vb_bernoulli_mixture_json_is_the_library_fit_and_the_saved_model_scores_predicts_and_samples()
    {
        double[,] x = BernoulliRows();
        string data = Write(x, "bits.csv");
        string modelPath = Path.Combine(_directory, "vb-bernoulli.json");
        var (code, stdout, stderr) = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", data, "--k", "6", "--weight-concentration", "0.01",
            "--prior-count", "0.5", "--init", "random", "--starts", "2", "--max-iter", "200", "--tol", "1e-8", "--seed", "4", "--json", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        JsonElement r = CliTests.LastJson(stdout);

        var options = new VariationalDiscreteMixtureOptions
        {
            Components = 6,
            WeightConcentration = 0.01,
            PriorCount = 0.5,
            Init = MixtureInit.RandomResponsibilities,
            Starts = 2,
            MaxIterations = 200,
            Tolerance = 1e-8,
            Seed = 4,
        };
        var fit = new VariationalBernoulliMixture(options).Fit(x);
        r.GetProperty("model").GetString().Should().Be("vb-bernoulli-mixture");
        r.GetProperty("k").GetInt32().Should().Be(6);
        r.GetProperty("n").GetInt32().Should().Be(300);
        r.GetProperty("d").GetInt32().Should().Be(20);
        r.GetProperty("elbo").GetDouble().Should().Be(fit.Model.Elbo);
        Doubles(r.GetProperty("elboTrace")).Should().Equal(fit.Report.ObjectiveTrace);
        r.GetProperty("elbo").GetDouble().Should().Be(Doubles(r.GetProperty("elboTrace"))[^1]);
        r.GetProperty("iterations").GetInt32().Should().Be(fit.Report.Iterations);
        r.GetProperty("converged").GetBoolean().Should().BeTrue();
        Doubles(r.GetProperty("weights")).Should().Equal(fit.Model.Weights);
        r.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);

        // Three prototypes: a small α₀ empties the three spare components.
        r.GetProperty("effectiveComponents").GetInt32().Should().Be(3);
        VariationalBernoulliMixtureModel saved = ModelJson.Deserialize<VariationalBernoulliMixtureModel>(File.ReadAllText(modelPath));
        r.GetProperty("avgLogLikelihood").GetDouble().Should().Be(saved.Score(x));
        saved.Elbo.Should().Be(fit.Model.Elbo);

        var score = CliTests.Run("score", "--model", modelPath, "--data", data, "--json");
        score.Code.Should().Be(0, score.Err);
        CliTests.LastJson(score.Out).GetProperty("avgLogLikelihood").GetDouble().Should().Be(saved.Score(x));
        CliTests.LastJson(score.Out).GetProperty("model").GetString().Should().Be("LatentModels.VariationalBernoulliMixture");

        var predict = CliTests.Run("predict", "--model", modelPath, "--data", data, "--probabilities");
        predict.Code.Should().Be(0, predict.Err);
        string[] lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("label,p0,p1,p2,p3,p4,p5");
        lines.Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).Should().Equal(saved.Predict(x));
        double[,] p = saved.PredictProbabilities(x);
        double.Parse(lines[1].Split(',')[3], CultureInfo.InvariantCulture).Should().Be(p[0, 2]);

        var sample = CliTests.Run("sample", "--model", modelPath, "--count", "400", "--seed", "1");
        sample.Code.Should().Be(0, sample.Err);
        double[,] drawn = ParseCsv(sample.Out, 20);
        drawn.GetLength(0).Should().Be(400);
        drawn.Cast<double>().Should().OnlyContain(v => v == 0 || v == 1);
        PersistenceAssert.Bits(drawn).Should().Equal(PersistenceAssert.Bits(saved.Sample(400, new Random(1))));
    }

    [Fact]
    public void Fit_vb_categorical_mixture_json_is_the_library_fit_and_the_saved_model_scores_predicts_and_samples()
    {
        double[,] x = CategoricalRows();
        string data = Write(x, "codes.csv");
        string modelPath = Path.Combine(_directory, "vb-categorical.json");
        string labelsPath = Path.Combine(_directory, "labels.txt");
        var (code, stdout, stderr) = CliTests.Run("fit", "vb-categorical-mixture", "--data", data, "--k", "4", "--max-iter", "50", "--tol", "0",
            "--seed", "2", "--json", "--model-out", modelPath, "--labels-out", labelsPath);
        code.Should().Be(0, stderr);
        JsonElement r = CliTests.LastJson(stdout);

        int[] counts = IndependentCategoricalFamily.FromData(x).CategoryCounts.ToArray();
        counts.Should().Equal(3, 2, 4, 3);
        var fit = new VariationalCategoricalMixture(counts, new VariationalDiscreteMixtureOptions { Components = 4, MaxIterations = 50, Tolerance = 0, Seed = 2 }).Fit(x);
        r.GetProperty("model").GetString().Should().Be("vb-categorical-mixture");
        r.GetProperty("elbo").GetDouble().Should().Be(fit.Model.Elbo);
        r.GetProperty("elboTrace").GetArrayLength().Should().Be(50);
        r.GetProperty("iterations").GetInt32().Should().Be(50);
        r.GetProperty("converged").GetBoolean().Should().BeFalse();
        Doubles(r.GetProperty("weights")).Should().Equal(fit.Model.Weights);
        Doubles(r.GetProperty("weights")).Sum().Should().BeApproximately(1, 1e-12);
        r.GetProperty("effectiveComponents").GetInt32().Should().Be(fit.Model.EffectiveComponents());
        File.ReadAllLines(labelsPath).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).Should().Equal(fit.Labels);

        VariationalCategoricalMixtureModel saved = ModelJson.Deserialize<VariationalCategoricalMixtureModel>(File.ReadAllText(modelPath));
        r.GetProperty("avgLogLikelihood").GetDouble().Should().Be(saved.Score(x));

        var score = CliTests.Run("score", "--model", modelPath, "--data", data, "--json");
        score.Code.Should().Be(0, score.Err);
        CliTests.LastJson(score.Out).GetProperty("avgLogLikelihood").GetDouble().Should().Be(saved.Score(x));

        var predict = CliTests.Run("predict", "--model", modelPath, "--data", data);
        predict.Code.Should().Be(0, predict.Err);
        predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).Should().Equal(saved.Predict(x));

        var sample = CliTests.Run("sample", "--model", modelPath, "-n", "300", "--seed", "5");
        sample.Code.Should().Be(0, sample.Err);
        double[,] drawn = ParseCsv(sample.Out, 4);
        for (int i = 0; i < drawn.GetLength(0); i++)
        {
            for (int j = 0; j < 4; j++)
            {
                drawn[i, j].Should().BeOneOf(Enumerable.Range(0, counts[j]).Select(v => (double)v));
            }
        }
    }

    [Fact]
    public void Bad_input_is_exit_code_2_naming_the_option_row_or_column()
    {
        string data = Write(new double[,] { { 0, 1 }, { 1, 0.5 }, { 1, 1 } }, "not-binary.csv");
        var notBinary = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", data, "--k", "2");
        notBinary.Code.Should().Be(2);
        notBinary.Err.Should().Be($"error: {data}:2:3: The value is 0.5; binary data must be 0 or 1.{Environment.NewLine}");

        string bits = Write(BernoulliRows(), "bits.csv");
        var kmeans = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", bits, "--k", "2", "--init", "kmeans");
        kmeans.Code.Should().Be(2);
        kmeans.Err.Should().Contain("not recognized").And.Contain("kmeans++");

        var concentration = CliTests.Run("fit", "vb-categorical-mixture", "--data", bits, "--k", "2", "--weight-concentration", "-1");
        concentration.Code.Should().Be(2);
        concentration.Err.Should().StartWith("error: --weight-concentration").And.NotContain("WeightConcentration");

        var priorCount = CliTests.Run("fit", "vb-categorical-mixture", "--data", bits, "--k", "2", "--prior-count", "0");
        priorCount.Code.Should().Be(2);
        priorCount.Err.Should().StartWith("error: --prior-count").And.NotContain("PriorCount");

        var tooMany = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", Write(new double[,] { { 0, 1 }, { 1, 0 } }, "two.csv"), "--k", "3");
        tooMany.Code.Should().Be(2);
        tooMany.Out.Should().BeEmpty();
    }

    [Fact]
    public void Init_model_warm_starts_vb_bernoulli_and_vb_categorical_from_a_saved_fit()
    {
        string bits = Write(BernoulliRows(), "bits.csv");
        string saved = Path.Combine(_directory, "b.json");
        var first = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", bits, "--k", "3", "--tol", "1e-9", "--max-iter", "500", "--seed", "2", "--json", "--model-out", saved);
        first.Code.Should().Be(0, first.Err);
        double elbo = CliTests.LastJson(first.Out).GetProperty("elbo").GetDouble();

        var warm = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", bits, "--k", "3", "--tol", "1e-9", "--init-model", saved, "--json");
        warm.Code.Should().Be(0, warm.Err);
        JsonElement r = CliTests.LastJson(warm.Out);
        r.GetProperty("iterations").GetInt32().Should().BeLessThanOrEqualTo(2);
        r.GetProperty("converged").GetBoolean().Should().BeTrue();
        r.GetProperty("elbo").GetDouble().Should().BeApproximately(elbo, 1e-9 * Math.Abs(elbo));

        // The categorical warm start keeps the model's outcome counts even when the data do not show the last code.
        double[,] codes = CategoricalRows();
        string codesPath = Write(codes, "codes.csv");
        string categorical = Path.Combine(_directory, "c.json");
        CliTests.Run("fit", "vb-categorical-mixture", "--data", codesPath, "--k", "2", "--seed", "1", "--model-out", categorical).Code.Should().Be(0);
        var rows = Enumerable.Range(0, codes.GetLength(0)).Where(i => codes[i, 2] < 3).ToArray();
        var fewer = new double[rows.Length, 4];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                fewer[i, j] = codes[rows[i], j];
            }
        }

        var none = CliTests.Run("fit", "vb-categorical-mixture", "--data", Write(fewer, "fewer.csv"), "--k", "2", "--init-model", categorical, "--max-iter", "0", "--json");
        none.Code.Should().Be(0, none.Err);
        VariationalCategoricalMixtureModel model = ModelJson.Load<VariationalCategoricalMixtureModel>(categorical);
        Doubles(CliTests.LastJson(none.Out).GetProperty("weights")).Should().Equal(model.Weights);
        CliTests.LastJson(none.Out).GetProperty("iterations").GetInt32().Should().Be(0);
    }

    [Fact]
    public void Init_model_warm_starts_vb_gmm_and_returns_the_start_without_iterations()
    {
        double[,] x = VariationalTestData.FiveClusters(400, 1);
        string data = Write(x, "five.csv");
        string saved = Path.Combine(_directory, "g.json");
        var first = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--covariance", "diag", "--max-iter", "7", "--tol", "0", "--json", "--model-out", saved);
        first.Code.Should().Be(0, first.Err);
        VariationalGaussianMixtureModel start = ModelJson.Load<VariationalGaussianMixtureModel>(saved);

        var none = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--covariance", "diag", "--init-model", saved, "--max-iter", "0", "--json");
        none.Code.Should().Be(0, none.Err);
        JsonElement r = CliTests.LastJson(none.Out);
        Doubles(r.GetProperty("weights")).Should().Equal(start.Weights);
        r.GetProperty("iterations").GetInt32().Should().Be(0);
        r.GetProperty("elbo").ValueKind.Should().Be(JsonValueKind.Null, "no bound without an M-step");

        var more = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--covariance", "diag", "--init-model", saved, "--max-iter", "3", "--tol", "0", "--json");
        var ten = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--covariance", "diag", "--max-iter", "10", "--tol", "0", "--json");
        CliTests.LastJson(more.Out).GetProperty("elbo").GetDouble().Should().Be(CliTests.LastJson(ten.Out).GetProperty("elbo").GetDouble());

        var wrongType = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--covariance", "full", "--init-model", saved);
        wrongType.Code.Should().Be(2);
        wrongType.Err.Should().Contain("initial model has 5 Diagonal components");
        var wrongKind = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", Write(BernoulliRows(), "bits.csv"), "--k", "5", "--init-model", saved);
        wrongKind.Code.Should().Be(2);
        wrongKind.Err.Should().Contain("--init-model").And.Contain("LatentModels.VariationalGaussianMixture");
        var missing = CliTests.Run("fit", "vb-gmm", "--data", data, "--k", "5", "--init-model", Path.Combine(_directory, "none.json"));
        missing.Code.Should().Be(2);
        missing.Err.Should().Contain("--init-model");
    }

    [Fact]
    public void Readable_summary_names_the_model_the_elbo_and_every_weight()
    {
        string data = Write(BernoulliRows(), "bits.csv");
        var (code, stdout, stderr) = CliTests.Run("fit", "vb-bernoulli-mixture", "--data", data, "--k", "3", "--seed", "1");
        code.Should().Be(0, stderr);
        stdout.Should().Contain("Variational Bayesian Bernoulli mixture (K = 3").And.Contain("ELBO").And.Contain("effective components");
        stdout.Should().Contain("component 2: weight");
    }
}
