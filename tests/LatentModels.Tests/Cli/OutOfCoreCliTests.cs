using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Data;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary><c>fit kmeans --out-of-core</c>: the library's out-of-core fit on the streamed file, labels written chunk by chunk.</summary>
public sealed class OutOfCoreCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-ooc-{Guid.NewGuid():N}");

    public OutOfCoreCliTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Kmeans_out_of_core_reports_the_library_fit_of_the_streamed_file_and_its_labels()
    {
        string path = DataPath("old_faithful.txt");
        FitResult<KMeansModel> library = new KMeans(new KMeansOptions { Clusters = 2, Seed = 4, Algorithm = KMeansAlgorithm.Lloyd }).Fit(new CsvRowChunkSource(path));
        string labels = Path.Combine(_directory, "labels.txt");
        var (code, stdout, stderr) = Run("fit", "kmeans", "--data", path, "--k", "2", "--seed", "4", "--out-of-core", "--labels-out", labels, "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("outOfCore").GetBoolean().Should().BeTrue();
        json.GetProperty("n").GetInt32().Should().Be(272);
        json.GetProperty("inertia").GetDouble().Should().Be(library.Model.Inertia);
        json.GetProperty("iterations").GetInt32().Should().Be(library.Report.Iterations);
        json.GetProperty("centers").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble())
            .Should().Equal(library.Model.Centers.Cast<double>());
        File.ReadAllLines(labels).Select(int.Parse).Should().Equal(library.Model.Predict(RowChunks.ReadAll(new CsvRowChunkSource(path))));

        var refused = Run("fit", "kmeans", "--data", path, "--k", "2", "--out-of-core", "--algorithm", "accelerated");
        refused.Code.Should().Be(2);
        refused.Err.Should().Contain("--algorithm");
    }
}
