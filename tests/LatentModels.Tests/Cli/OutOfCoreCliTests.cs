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

    [Fact]
    public void Minibatch_kmeans_streams_the_file_and_prints_the_in_memory_fit_bit_for_bit()
    {
        double[,] x = OutOfCoreTestData.Blobs(20_000, 3, 7);
        double[] w = OutOfCoreTestData.Weights(20_000, 3);
        string path = Path.Combine(_directory, "blobs.csv"), weights = Path.Combine(_directory, "w.txt"), labels = Path.Combine(_directory, "labels.txt");
        File.WriteAllText(path, OutOfCoreTestData.Csv(x));
        File.WriteAllLines(weights, w.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        foreach (bool weighted in new[] { false, true })
        {
            var options = new MiniBatchKMeansOptions { Clusters = 4, BatchSize = 500, MaxNoImprovement = 5, Tolerance = 1e-4, Seed = 3 };
            var estimator = new MiniBatchKMeans(options);
            ClusteringFitResult<KMeansModel> library = weighted ? estimator.Fit(x, w) : estimator.Fit(x);
            string[] args = ["fit", "minibatch-kmeans", "--data", path, "--k", "4", "--batch-size", "500", "--max-no-improvement", "5", "--tol", "1e-4", "--seed", "3",
                "--labels-out", labels, "--json"];
            var (code, stdout, stderr) = Run(weighted ? [.. args, "--sample-weights", weights] : args);
            code.Should().Be(0, stderr);
            JsonElement json = LastJson(stdout);
            json.GetProperty("n").GetInt32().Should().Be(20_000);
            json.GetProperty("d").GetInt32().Should().Be(3);
            json.GetProperty("inertia").GetDouble().Should().Be(library.Model.Inertia);
            json.GetProperty("steps").GetInt32().Should().Be(library.Report.Iterations);
            json.GetProperty("converged").GetBoolean().Should().Be(library.Report.Converged);
            json.GetProperty("centers").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble())
                .Should().Equal(library.Model.Centers.Cast<double>());
            File.ReadAllLines(labels).Select(int.Parse).Should().Equal(library.Labels);
        }

        string[] common = ["fit", "minibatch-kmeans", "--data", path, "--k", "4", "--sample-weights", weights];
        File.WriteAllLines(weights, w.Take(19_999).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var shortWeights = Run(common);
        shortWeights.Code.Should().Be(2);
        shortWeights.Err.Should().Contain("w.txt").And.Contain("fewer weights");
        File.WriteAllLines(weights, w.Select((v, i) => i == 12_345 ? "-0.5" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var negative = Run(common);
        negative.Code.Should().Be(2);
        negative.Err.Should().Contain("w.txt:12346:1:").And.Contain("-0.5");
        File.WriteAllLines(weights, w.Select((v, i) => i == 7 ? "NaN" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var notANumber = Run(common);
        notANumber.Code.Should().Be(2);
        notANumber.Err.Should().Contain("w.txt:8:1:");
    }

    [Fact]
    public void Kmeans_out_of_core_with_sample_weights_prints_the_in_memory_fit_bit_for_bit()
    {
        string path = DataPath("old_faithful.txt");
        string weights = Path.Combine(_directory, "weights.txt");
        File.WriteAllLines(weights, Enumerable.Range(0, 272).Select(i => (i % 5 == 0 ? 0 : 0.25 * (1 + i % 7)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string[] common = ["fit", "kmeans", "--data", path, "--k", "3", "--seed", "2", "--tol", "0", "--sample-weights", weights, "--json"];
        var inMemory = Run(common);
        var streamed = Run([.. common, "--out-of-core"]);
        inMemory.Code.Should().Be(0, inMemory.Err);
        streamed.Code.Should().Be(0, streamed.Err);
        JsonElement a = LastJson(inMemory.Out), b = LastJson(streamed.Out);
        a.GetProperty("iterations").GetInt32().Should().BeGreaterThan(1);
        foreach (string name in new[] { "n", "d", "inertia", "iterations", "converged", "inertiaTrace", "centers" })
        {
            b.GetProperty(name).GetRawText().Should().Be(a.GetProperty(name).GetRawText(), name);
        }

        File.WriteAllLines(weights, ["1", "2"]);
        var mismatch = Run([.. common, "--out-of-core"]);
        mismatch.Code.Should().Be(2);
        mismatch.Err.Should().Contain("fewer weights");
    }

    [Fact]
    public void Gmm_out_of_core_prints_the_in_memory_fit_of_the_same_start_bit_for_bit()
    {
        string path = DataPath("old_faithful.txt");
        string[] common = ["fit", "gmm", "--data", path, "--k", "2", "--covariance", "full", "--prior", "default", "--init", "first", "--tol", "1e-6", "--json"];
        string labelsInMemory = Path.Combine(_directory, "in-memory.txt"), labelsStreamed = Path.Combine(_directory, "streamed.txt");
        var inMemory = Run([.. common, "--labels-out", labelsInMemory]);
        var streamed = Run([.. common, "--labels-out", labelsStreamed, "--out-of-core"]);
        inMemory.Code.Should().Be(0, inMemory.Err);
        streamed.Code.Should().Be(0, streamed.Err);
        JsonElement a = LastJson(inMemory.Out), b = LastJson(streamed.Out);
        b.GetProperty("outOfCore").GetBoolean().Should().BeTrue();
        a.GetProperty("iterations").GetInt32().Should().BeGreaterThan(1);
        foreach (string name in new[] { "n", "d", "iterations", "converged", "avgLogLikelihood", "avgLogPosterior", "bic", "aic", "weights", "means" })
        {
            b.GetProperty(name).GetRawText().Should().Be(a.GetProperty(name).GetRawText(), name);
        }

        File.ReadAllLines(labelsStreamed).Should().Equal(File.ReadAllLines(labelsInMemory));
    }

    [Theory]
    [InlineData("first", "full", "dirichlet")]
    [InlineData("kmeans++", "diag", "process")]
    [InlineData("random-rows", "tied", "dirichlet")]
    [InlineData("random", "spherical", "process")]
    [InlineData("kmeans", "full", "process")]
    public void Vb_gmm_out_of_core_prints_the_in_memory_fit_of_the_same_start_bit_for_bit(string init, string covariance, string prior)
    {
        string path = DataPath("old_faithful.txt");
        string[] common = ["fit", "vb-gmm", "--data", path, "--k", "3", "--covariance", covariance, "--weight-prior", prior, "--init", init, "--seed", "5", "--starts", "2", "--tol", "1e-8", "--json"];
        var inMemory = Run(common);
        var streamed = Run([.. common, "--out-of-core"]);
        inMemory.Code.Should().Be(0, inMemory.Err);
        streamed.Code.Should().Be(0, streamed.Err);
        JsonElement a = LastJson(inMemory.Out), b = LastJson(streamed.Out);
        b.GetProperty("outOfCore").GetBoolean().Should().BeTrue();
        a.GetProperty("iterations").GetInt32().Should().BeGreaterThan(1);
        a.GetProperty("n").GetInt32().Should().Be(272);
        foreach (string name in new[] { "n", "d", "k", "lowerBound", "elbo", "elboTrace", "avgLogLikelihood", "iterations", "converged", "effectiveComponents", "weights", "means" })
        {
            b.GetProperty(name).GetRawText().Should().Be(a.GetProperty(name).GetRawText(), name);
        }
    }

    [Theory]
    [InlineData("gmm", "kmeans++")]
    [InlineData("gmm", "first")]
    [InlineData("vb-gmm", "random-rows")]
    [InlineData("vb-gmm", "first")]
    [InlineData("vb-gmm", "kmeans")]
    public void Sample_weights_out_of_core_are_read_alongside_the_data_and_give_the_weighted_in_memory_fit(string verb, string init)
    {
        string path = DataPath("old_faithful.txt");
        string weights = Path.Combine(_directory, "weights.txt");
        File.WriteAllLines(weights, Enumerable.Range(0, 272).Select(i => i % 13 == 0 ? "0" : (1 + i % 4 * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string[] common = ["fit", verb, "--data", path, "--k", "2", "--init", init, "--seed", "3", "--tol", "1e-8", "--json"];
        var plain = Run(common);
        var inMemory = Run([.. common, "--sample-weights", weights]);
        var streamed = Run([.. common, "--sample-weights", weights, "--out-of-core"]);
        inMemory.Code.Should().Be(0, inMemory.Err);
        streamed.Code.Should().Be(0, streamed.Err);
        JsonElement a = LastJson(inMemory.Out), b = LastJson(streamed.Out);
        b.GetProperty("outOfCore").GetBoolean().Should().BeTrue();
        foreach (string name in new[] { "n", "iterations", "converged", "avgLogLikelihood", "weights", "means" })
        {
            b.GetProperty(name).GetRawText().Should().Be(a.GetProperty(name).GetRawText(), name);
        }

        LastJson(plain.Out).GetProperty("means").GetRawText().Should().NotBe(a.GetProperty("means").GetRawText());

        File.WriteAllLines(weights, Enumerable.Range(0, 271).Select(_ => "1"));
        var shortWeights = Run([.. common, "--sample-weights", weights, "--out-of-core"]);
        shortWeights.Code.Should().Be(2);
        shortWeights.Err.Should().Contain("--sample-weights").And.Contain("fewer weights");
    }
}
