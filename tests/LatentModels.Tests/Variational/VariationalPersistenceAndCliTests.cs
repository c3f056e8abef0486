using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LatentModels.Cli;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Persistence;
using LatentModels.Variational;
using static LatentModels.Tests.Variational.VariationalTestData;

namespace LatentModels.Tests.Variational;

public class VariationalPersistenceAndCliTests
{
    private static VariationalGaussianMixtureModel Fit(CovarianceType type, WeightPrior prior) =>
        new VariationalGaussianMixture(new VariationalGaussianMixtureOptions
        {
            Components = 4,
            Covariance = type,
            WeightPrior = prior,
            Init = MixtureInit.First,
            MaxIterations = 20,
            Tolerance = 0,
        }).Fit(Formula30()).Model;

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess)]
    public void Json_round_trip_gives_the_same_bits(CovarianceType type, WeightPrior prior)
    {
        VariationalGaussianMixtureModel model = Fit(type, prior);
        VariationalGaussianMixtureModel loaded = PersistenceAssert.RoundTrip(model, "LatentModels.VariationalGaussianMixture");
        double[,] x = Formula30();
        var a = new double[30];
        var b = new double[30];
        model.LogDensity(x, a);
        loaded.LogDensity(x, b);
        PersistenceAssert.Bits(b).Should().Equal(PersistenceAssert.Bits(a));
        PersistenceAssert.Bits(loaded.PredictProbabilities(x)).Should().Equal(PersistenceAssert.Bits(model.PredictProbabilities(x)));
        loaded.Elbo.Should().Be(model.Elbo);
        loaded.LowerBound.Should().Be(model.LowerBound);
        loaded.WeightPrior.Should().Be(prior);
        loaded.CovarianceType.Should().Be(type);
        loaded.DegreesOfFreedom.Should().Equal(model.DegreesOfFreedom);
    }

    [Fact]
    public void Broken_files_fail_with_a_format_error_naming_the_field()
    {
        VariationalGaussianMixtureModel model = Fit(CovarianceType.Full, WeightPrior.DirichletDistribution);
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["meanPrecisions"]![1] = -1.0), "meanPrecisions[1]");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["degreesOfFreedom"]![0] = 0.5), "degreesOfFreedom[0]");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["weightConcentrations"]![2] = 0.0), "weightConcentrations[2]");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["weightConcentrationsB"]![2] = 1.0), "weightConcentrationsB[2]");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["degreesOfFreedom"] = new JsonArray(3.0, 3.0)), "degreesOfFreedom");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["weightPrior"] = "Uniform"), "weightPrior");
        PersistenceAssert.LoadFails(PersistenceAssert.Tamper(model, r => r["covariances"]![0]![0]![0] = -5.0), "covariances");
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string WriteFormula30()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vb-formula30-{Guid.NewGuid():N}.csv");
        double[,] x = Formula30();
        File.WriteAllLines(path, Enumerable.Range(0, 30).Select(i => string.Create(CultureInfo.InvariantCulture, $"{x[i, 0]:R},{x[i, 1]:R}")));
        return path;
    }

    [Fact]
    public void Fit_vb_gmm_json_holds_the_peer_bound_the_elbo_and_the_weights_and_the_saved_model_scores_predicts_and_samples()
    {
        string data = WriteFormula30();
        string modelPath = Path.Combine(Path.GetTempPath(), $"vb-model-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run("fit", "vb-gmm", "--data", data, "--k", "4", "--covariance", "full", "--weight-prior", "process",
                "--init", "first", "--max-iter", "20", "--tol", "0", "--reg", "1e-6", "--json", "--model-out", modelPath);
            code.Should().Be(0, stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement r = doc.RootElement;

            // scikit-learn 1.2.1 (the script in VariationalGaussianMixtureTests), full, dirichlet_process.
            r.GetProperty("lowerBound").GetDouble().Should().BeApproximately(-85.79716813088389, 1e-10 * 85.8);
            double[] w = r.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            w[3].Should().BeApproximately(0.005572863776922336, 1e-9);
            r.GetProperty("iterations").GetInt32().Should().Be(20);
            r.GetProperty("converged").GetBoolean().Should().BeFalse();
            r.GetProperty("elboTrace").GetArrayLength().Should().Be(20);
            r.GetProperty("elbo").GetDouble().Should().Be(r.GetProperty("elboTrace")[19].GetDouble());
            r.GetProperty("effectiveComponents").GetInt32().Should().Be(3);
            r.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
            double avg = r.GetProperty("avgLogLikelihood").GetDouble();
            VariationalGaussianMixtureModel saved = ModelJson.Deserialize<VariationalGaussianMixtureModel>(File.ReadAllText(modelPath));
            avg.Should().Be(saved.Score(Formula30()));

            var score = Run("score", "--model", modelPath, "--data", data, "--json");
            score.Code.Should().Be(0, score.Err);
            score.Out.Should().Contain("avgLogLikelihood");
            var predict = Run("predict", "--model", modelPath, "--data", data);
            predict.Code.Should().Be(0, predict.Err);
            predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Trim() != "label").Select(int.Parse).Should().Equal(saved.Predict(Formula30()));
            var sample = Run("sample", "--model", modelPath, "--count", "5", "--seed", "1");
            sample.Code.Should().Be(0, sample.Err);
            sample.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => double.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out _)).Should().HaveCount(5);
        }
        finally
        {
            File.Delete(data);
            File.Delete(modelPath);
        }
    }
}
