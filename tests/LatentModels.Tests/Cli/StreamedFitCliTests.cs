using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Tests.Variational;
using LatentModels.Variational;
using Parquet;
using Parquet.Schema;
using static LatentModels.Tests.Cli.CliTests;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Cli;

/// <summary>
/// <c>fit svi-gmm</c> and online <c>fit dictionary</c> stream their file (a CSV, and the same rows as Parquet): every
/// number they print is the bits of the in-memory computation they replaced (the library's calls on the whole array).
/// </summary>
public sealed class StreamedFitCliTests : IDisposable
{
    private const int Rows = 20_000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-streamed-{Guid.NewGuid():N}");
    private readonly double[,] _x = StochasticVariationalSourceTests.Clusters(Rows, 3, 21);
    private readonly string _csv, _parquet;

    public StreamedFitCliTests()
    {
        Directory.CreateDirectory(_directory);
        _csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), _x);
        _parquet = WriteParquet(Path.Combine(_directory, "x.parquet"), _x, 7_000);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The rows as d double columns c0, c1, … in row groups of <paramref name="groupRows"/>.</summary>
    private static string WriteParquet(string path, double[,] x, int groupRows)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        DataField<double>[] fields = [.. Enumerable.Range(0, d).Select(j => new DataField<double>($"c{j}"))];
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            for (int start = 0; start < n; start += groupRows)
            {
                int size = Math.Min(groupRows, n - start);
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                for (int j = 0; j < d; j++)
                {
                    double[] column = [.. Enumerable.Range(start, size).Select(i => x[i, j])];
                    await group.WriteAsync<double>(fields[j], column.AsMemory());
                }
            }
        }).GetAwaiter().GetResult();
        return path;
    }

    [Theory]
    [InlineData("full")]
    [InlineData("diag")]
    public void Svi_gmm_on_a_streamed_csv_or_parquet_prints_the_in_memory_fit(string covariance)
    {
        var options = new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions
            {
                Components = 3,
                Covariance = covariance == "full" ? CovarianceType.Full : CovarianceType.Diagonal,
                Init = MixtureInit.KMeansPlusPlus,
                Seed = 6,
            },
            BatchSize = 700,
            Epochs = 2,
        };
        StreamingVariationalGaussianMixture library = new StochasticVariationalGaussianMixture(options).CreateStream(_x);
        library.UpdateEpoch(_x);
        library.UpdateEpoch(_x);
        VariationalGaussianMixtureModel expected = library.Snapshot(_x);
        foreach (string path in new[] { _csv, _parquet })
        {
            string model = Path.Combine(_directory, "m.json"), state = Path.Combine(_directory, "s.json");
            var (code, stdout, stderr) = Run("fit", "svi-gmm", "--data", path, "--k", "3", "--covariance", covariance, "--init", "kmeans++", "--seed", "6",
                "--batch-size", "700", "--epochs", "2", "--json", "--model-out", model, "--state-out", state);
            code.Should().Be(0, stderr);
            JsonElement json = LastJson(stdout);
            json.GetProperty("n").GetInt32().Should().Be(Rows, path);
            json.GetProperty("d").GetInt32().Should().Be(3);
            json.GetProperty("updates").GetInt64().Should().Be(2 * 29, "20,000 rows in mini-batches of 700 are 29 steps per epoch");
            Bits(json.GetProperty("elbo").GetDouble()).Should().Be(Bits(expected.Elbo), path);
            Bits(json.GetProperty("lowerBound").GetDouble()).Should().Be(Bits(expected.LowerBound), path);
            Bits(json.GetProperty("avgLogLikelihood").GetDouble()).Should().Be(Bits(expected.Score(_x)), path);
            json.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(expected.Weights);
            Bits(ModelJson.Load<VariationalGaussianMixtureModel>(model).CovarianceParameters).Should().Equal(Bits(expected.CovarianceParameters));
            File.ReadAllText(state).Should().Be(ModelJson.Serialize(library), "the saved state is the in-memory stream's state");
        }

        // A continued stream (--state-in) counts the file's rows first and shuffles them as the in-memory epoch does.
        string first = Path.Combine(_directory, "first.json");
        Run("fit", "svi-gmm", "--data", _csv, "--k", "3", "--covariance", covariance, "--init", "kmeans++", "--seed", "6", "--batch-size", "700", "--epochs", "1", "--state-out", first).Code.Should().Be(0);
        var resumed = Run("fit", "svi-gmm", "--data", _parquet, "--state-in", first, "--epochs", "1", "--json", "--state-out", Path.Combine(_directory, "second.json"));
        resumed.Code.Should().Be(0, resumed.Err);
        VariationalGaussianMixtureModel continued = ModelJson.Load<StreamingVariationalGaussianMixture>(Path.Combine(_directory, "second.json")).Snapshot();
        Bits(continued.Means.Cast<double>()).Should().Equal(Bits(expected.Means.Cast<double>()));
        Bits(continued.CovarianceParameters).Should().Equal(Bits(expected.CovarianceParameters));
        Bits(LastJson(resumed.Out).GetProperty("elbo").GetDouble()).Should().Be(Bits(expected.Elbo));
    }

    [Fact]
    public void Online_dictionary_on_a_streamed_csv_or_parquet_prints_the_in_memory_fit()
    {
        var options = new DictionaryLearningOptions { Atoms = 4, Alpha = 0.3, BatchSize = 256, MaxIterations = 2, Seed = 9, Init = DictionaryInit.Random };
        var library = new OnlineDictionaryLearning(options);
        library.UpdateAll(_x, 2);
        DictionaryModel expected = library.Snapshot();
        double objective = expected.Objective(_x);
        foreach (string path in new[] { _csv, _parquet })
        {
            string model = Path.Combine(_directory, "d.json");
            var (code, stdout, stderr) = Run("fit", "dictionary", "--data", path, "--atoms", "4", "--alpha", "0.3", "--batch-size", "256", "--max-iter", "2",
                "--seed", "9", "--init", "random", "--json", "--model-out", model);
            code.Should().Be(0, stderr);
            JsonElement json = LastJson(stdout);
            json.GetProperty("mode").GetString().Should().Be("online");
            json.GetProperty("n").GetInt32().Should().Be(Rows, path);
            json.GetProperty("d").GetInt32().Should().Be(3);
            json.GetProperty("iterations").GetInt32().Should().Be(2);
            json.GetProperty("converged").ValueKind.Should().Be(JsonValueKind.Null);
            Bits(json.GetProperty("objective").GetDouble()).Should().Be(Bits(objective), path);
            Bits(json.GetProperty("lastIterationCost").GetDouble()).Should().Be(Bits(objective), path);
            Bits(ModelJson.Load<DictionaryModel>(model).AtomsSpan.ToArray()).Should().Equal(Bits(expected.AtomsSpan.ToArray()));
        }

        var tooFew = Run("fit", "dictionary", "--data", DataPath("old_faithful.txt"), "--atoms", "300", "--batch-size", "16");
        tooFew.Code.Should().Be(2);
        tooFew.Err.Should().StartWith($"error: --atoms: {DataPath("old_faithful.txt")} has 272 rows; at least K = 300 are needed.");
    }
}
