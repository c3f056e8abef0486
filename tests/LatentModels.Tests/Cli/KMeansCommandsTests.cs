using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Tests.Clustering;

namespace LatentModels.Tests.Cli;

public class KMeansCommandsTests
{
    [Fact]
    public void Fit_kmeans_json_matches_scikit_learn()
    {
        // /usr/bin/python3 -c "import numpy as np; from sklearn.cluster import KMeans; x=np.loadtxt('old_faithful.txt');
        //   km=KMeans(3, init=x[:3].copy(), n_init=1, max_iter=300, tol=0, algorithm='lloyd').fit(x); print(km.inertia_, km.n_iter_)"
        var (code, stdout, stderr) = CliTests.Run("fit", "kmeans", "--data", CliTests.DataPath("old_faithful.txt"), "--k", "3", "--init", "first", "--tol", "0", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = CliTests.LastJson(stdout);
        json.GetProperty("model").GetString().Should().Be("kmeans");
        json.GetProperty("inertia").GetDouble().Should().BeApproximately(5364.969477043591, 1e-9 * 5365);
        json.GetProperty("iterations").GetInt32().Should().Be(4);
        json.GetProperty("converged").GetBoolean().Should().BeTrue();
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        json.GetProperty("centers").GetArrayLength().Should().Be(3);
    }

    [Theory]
    [InlineData("lloyd", "kmeans++")]
    [InlineData("accelerated", "kmeans++")]
    [InlineData("lloyd", "random")]
    [InlineData("accelerated", "first")]
    public void Fit_kmeans_json_is_the_library_fit_for_every_algorithm_and_init(string algorithm, string init)
    {
        double[,] x = ClusteringTestData.OldFaithful();
        var options = new KMeansOptions
        {
            Clusters = 4,
            Init = init switch { "kmeans++" => KMeansInit.KMeansPlusPlus, "random" => KMeansInit.RandomRows, _ => KMeansInit.First },
            Algorithm = algorithm == "lloyd" ? KMeansAlgorithm.Lloyd : KMeansAlgorithm.Accelerated,
            Starts = 3,
            MaxIterations = 50,
            Tolerance = 1e-6,
            Seed = 5,
        };
        FitResult<KMeansModel> library = new KMeans(options).Fit(x);
        var (code, stdout, stderr) = CliTests.Run("fit", "kmeans", "--data", CliTests.DataPath("old_faithful.txt"), "--k", "4", "--algorithm", algorithm,
            "--init", init, "--starts", "3", "--max-iter", "50", "--tol", "1e-6", "--seed", "5", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = CliTests.LastJson(stdout);
        json.GetProperty("algorithm").GetString().Should().Be(algorithm);
        json.GetProperty("inertia").GetDouble().Should().Be(library.Model.Inertia);
        json.GetProperty("iterations").GetInt32().Should().Be(library.Report.Iterations);
        json.GetProperty("converged").GetBoolean().Should().Be(library.Report.Converged);
        double[,] centers = library.Model.Centers;
        json.GetProperty("centers").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble()))
            .Should().Equal(centers.Cast<double>());
    }

    [Fact]
    public void Fit_online_kmeans_json_reports_the_inertia_of_the_streamed_model()
    {
        double[,] x = ClusteringTestData.OldFaithful();
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2 });
        online.UpdateAll(x, 16);
        online.UpdateAll(x, 16);
        double expected = online.Snapshot().InertiaOf(x);

        var (code, stdout, stderr) = CliTests.Run("fit", "online-kmeans", "--data", CliTests.DataPath("old_faithful.txt"), "--k", "2", "--batch-size", "16", "--passes", "2", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = CliTests.LastJson(stdout);
        json.GetProperty("inertia").GetDouble().Should().Be(expected);
        json.GetProperty("points").GetInt64().Should().Be(2 * 272);
    }

    [Fact]
    public void Bad_options_exit_with_code_2_and_a_message()
    {
        var (code, _, stderr) = CliTests.Run("fit", "kmeans", "--data", CliTests.DataPath("old_faithful.txt"), "--k", "3", "--init", "middle");
        code.Should().Be(2);
        stderr.Should().Contain("--init");
        var (tooMany, _, err2) = CliTests.Run("fit", "kmeans", "--data", CliTests.DataPath("old_faithful.txt"), "--k", "1000");
        tooMany.Should().Be(2);
        err2.Should().Contain("exceeds the number of rows");
    }
}
