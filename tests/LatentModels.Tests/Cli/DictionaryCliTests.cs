using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Tests.SparseCoding;

namespace LatentModels.Tests.Cli;

public class DictionaryCliTests
{
    [Fact]
    public void Fit_dictionary_reports_the_objective_and_saves_a_model_that_sparse_code_accepts()
    {
        string dir = Directory.CreateTempSubdirectory("latent-dictionary-").FullName;
        double[,] x = SparseCodingTestData.Signals(SparseCodingTestData.Dictionary(10, 6, seed: 1), 200, 2, 0.05, seed: 2);
        string data = SparseCodeCliTests.WriteCsv(dir, "x.csv", x), modelPath = Path.Combine(dir, "d.json");
        var (code, stdout, stderr) = CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "8", "--alpha", "0.1", "--init", "first",
            "--max-iter", "15", "--tol", "0", "--json", "--model-out", modelPath);
        code.Should().Be(0, stderr);
        JsonElement json = CliTests.LastJson(stdout);
        var options = new DictionaryLearningOptions { Atoms = 8, Alpha = 0.1, Init = DictionaryInit.First, MaxIterations = 15, Tolerance = 0 };
        FitResult<DictionaryModel> fit = new DictionaryLearning(options).Fit(x);
        json.GetProperty("iterations").GetInt32().Should().Be(15);
        json.GetProperty("lastIterationCost").GetDouble().Should().Be(fit.Report.ObjectiveTrace[^1]);
        json.GetProperty("objective").GetDouble().Should().Be(fit.Model.Objective(x));
        json.GetProperty("objectiveTrace").GetArrayLength().Should().Be(15);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThan(0);
        DictionaryModel saved = ModelJson.Load<DictionaryModel>(modelPath);
        saved.Dictionary.Should().BeEquivalentTo(fit.Model.Dictionary, o => o.WithStrictOrdering());

        // sparse-code takes the saved model (and its α) as the dictionary.
        var coded = CliTests.Run("sparse-code", "--data", data, "--dictionary", modelPath, "--json");
        coded.Code.Should().Be(0, coded.Err);
        JsonElement codes = CliTests.LastJson(coded.Out);
        codes.GetProperty("alpha").GetDouble().Should().Be(0.1);
        codes.GetProperty("objective").GetDouble().Should().Be(fit.Model.Objective(x));

        var text = CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "4");
        text.Code.Should().Be(0, text.Err);
        text.Out.Should().Contain("objective");
    }

    [Fact]
    public void Online_mode_and_bad_input()
    {
        string dir = Directory.CreateTempSubdirectory("latent-dictionary-").FullName;
        double[,] x = SparseCodingTestData.Signals(SparseCodingTestData.Dictionary(10, 6, seed: 3), 150, 2, 0.05, seed: 4);
        string data = SparseCodeCliTests.WriteCsv(dir, "x.csv", x);
        var online = CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "6", "--alpha", "0.1", "--batch-size", "32", "--max-iter", "2", "--seed", "5", "--json");
        online.Code.Should().Be(0, online.Err);
        JsonElement json = CliTests.LastJson(online.Out);
        json.GetProperty("mode").GetString().Should().Be("online");
        var learner = new OnlineDictionaryLearning(new DictionaryLearningOptions { Atoms = 6, Alpha = 0.1, BatchSize = 32, Seed = 5 });
        learner.UpdateAll(x, passes: 2);
        json.GetProperty("objective").GetDouble().Should().Be(learner.Snapshot().Objective(x));

        var tooMany = CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "500");
        tooMany.Code.Should().Be(CliApp.BadInput);
        tooMany.Err.Should().Contain("--atoms");
        CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "3", "--alpha", "-2").Code.Should().Be(CliApp.BadInput);
        CliTests.Run("fit", "dictionary", "--data", data, "--atoms", "3", "--init", "svd").Code.Should().Be(CliApp.BadInput);
        string notDictionary = Path.Combine(dir, "gmm.json");
        CliTests.Run("fit", "gmm", "--data", data, "--k", "2", "--model-out", notDictionary).Code.Should().Be(0);
        var wrong = CliTests.Run("sparse-code", "--data", data, "--dictionary", notDictionary);
        wrong.Code.Should().Be(CliApp.BadInput);
        wrong.Err.Should().Contain("not a dictionary");
    }
}
