using System.Globalization;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Tests.Mixtures;

namespace LatentModels.Tests.Cli;

/// <summary>The peer surface on the command line: --labels-out, --max-iter 0 and the partial starts of fit gmm.</summary>
public sealed class SurfaceCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"latent-surface-{Guid.NewGuid():N}");

    public SurfaceCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string OldFaithfulPath => Path.Combine(AppContext.BaseDirectory, "Data", "old_faithful.txt");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]).RootElement;

    private static int[] ReadLabels(string path) => [.. File.ReadAllLines(path).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];

    [Fact]
    public void Fit_kmeans_writes_the_fits_labels_and_zero_iterations_return_the_first_rows()
    {
        string labels = Path.Combine(_dir, "labels.txt");
        var (code, stdout, stderr) = Run("fit", "kmeans", "--data", OldFaithfulPath, "--k", "3", "--init", "first", "--max-iter", "0", "--labels-out", labels, "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("iterations").GetInt32().Should().Be(0);
        double[,] x = MixtureTestData.OldFaithful();
        json.GetProperty("centers")[2][1].GetDouble().Should().Be(x[2, 1]);
        var first = new double[,] { { x[0, 0], x[0, 1] }, { x[1, 0], x[1, 1] }, { x[2, 0], x[2, 1] } };
        ReadLabels(labels).Should().Equal(new KMeansModel(first).Predict(x));
    }

    // /usr/bin/python3 (scikit-learn 1.2.1), in tests/LatentModels.Tests/Data:
    //   x=np.loadtxt('old_faithful.txt'); c=np.cov(x.T, bias=True)
    //   GaussianMixture(2, max_iter=2, tol=0, weights_init=[.25,.75], means_init=[[2,55],[4.5,80]], precisions_init=[inv(c)]*2).fit(x).score(x)
    //   → -4.365927944656145
    [Fact]
    public void Fit_gmm_takes_partial_starts_and_writes_labels()
    {
        double[,] x = MixtureTestData.OldFaithful();
        double[,] c = LatentModels.Distributions.MultivariateGaussian.Fit(x).Covariance;
        double det = c[0, 0] * c[1, 1] - c[0, 1] * c[1, 0];
        double[] p = [c[1, 1] / det, -c[0, 1] / det, -c[1, 0] / det, c[0, 0] / det];
        string means = Path.Combine(_dir, "means.csv"), precisions = Path.Combine(_dir, "precisions.csv"), labels = Path.Combine(_dir, "labels.txt");
        File.WriteAllText(means, "2,55\n4.5,80\n");
        string row(int a) => string.Create(CultureInfo.InvariantCulture, $"{p[2 * a]:R},{p[2 * a + 1]:R}");
        File.WriteAllText(precisions, $"{row(0)}\n{row(1)}\n{row(0)}\n{row(1)}\n");
        var (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--weights-init", "0.25,0.75", "--means-init", means,
            "--precisions-init", precisions, "--max-iter", "2", "--tol", "0", "--labels-out", labels, "--json");
        code.Should().Be(0, stderr);
        LastJson(stdout).GetProperty("avgLogLikelihood").GetDouble().Should().BeApproximately(-4.365927944656145, 1e-9);

        var options = new GaussianMixtureOptions
        {
            Components = 2,
            InitialWeights = [0.25, 0.75],
            InitialMeans = new double[,] { { 2, 55 }, { 4.5, 80 } },
            InitialPrecisions = [.. p, .. p],
            MaxIterations = 2,
            Tolerance = 0,
        };
        ReadLabels(labels).Should().Equal(new GaussianMixture(options).Fit(x).Labels);

        // Means alone, zero iterations: the start is returned (weights 1/K and the data covariance of --init first).
        (code, stdout, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--init", "first", "--means-init", means, "--max-iter", "0", "--prior", "default", "--json");
        code.Should().Be(0, stderr);
        JsonElement json = LastJson(stdout);
        json.GetProperty("iterations").GetInt32().Should().Be(0);
        json.GetProperty("means")[1][1].GetDouble().Should().Be(80);
        json.GetProperty("weights")[0].GetDouble().Should().Be(0.5);

        (code, _, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--weights-init", "1,x");
        code.Should().NotBe(0);
        stderr.Should().Contain("--weights-init");
        (code, _, stderr) = Run("fit", "gmm", "--data", OldFaithfulPath, "--k", "2", "--weights-init", "1,2,3");
        code.Should().NotBe(0);
        stderr.Should().Contain("--weights-init").And.NotContain("InitialWeights");
    }

    [Fact]
    public void Fit_bernoulli_mixture_writes_labels_and_takes_zero_iterations()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(5));
        string data = Path.Combine(_dir, "binary.csv"), labels = Path.Combine(_dir, "labels.txt");
        File.WriteAllLines(data, Enumerable.Range(0, 300).Select(i => string.Join(',', Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j].ToString(CultureInfo.InvariantCulture)))));
        var (code, stdout, stderr) = Run("fit", "bernoulli-mixture", "--data", data, "--k", "3", "--seed", "2", "--labels-out", labels, "--json");
        code.Should().Be(0, stderr);
        ReadLabels(labels).Should().Equal(new BernoulliMixture(new MixtureOptions { Components = 3, Seed = 2 }).Fit(x).Labels);
        (code, stdout, stderr) = Run("fit", "bernoulli-mixture", "--data", data, "--k", "3", "--max-iter", "0", "--json");
        code.Should().Be(0, stderr);
        LastJson(stdout).GetProperty("iterations").GetInt32().Should().Be(0);
    }

    [Fact]
    public void Fit_minibatch_kmeans_matches_the_library_and_takes_sample_weights()
    {
        double[,] x = MixtureTestData.OldFaithful();
        string weightsPath = Path.Combine(_dir, "w.txt"), labels = Path.Combine(_dir, "labels.txt");
        double[] w = [.. Enumerable.Range(0, 272).Select(i => (double)(i % 3))];
        File.WriteAllLines(weightsPath, w.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var (code, stdout, stderr) = Run("fit", "minibatch-kmeans", "--data", OldFaithfulPath, "--k", "2", "--batch-size", "50", "--max-no-improvement", "3",
            "--seed", "4", "--sample-weights", weightsPath, "--labels-out", labels, "--json");
        code.Should().Be(0, stderr);
        var options = new MiniBatchKMeansOptions { Clusters = 2, BatchSize = 50, MaxNoImprovement = 3, Seed = 4 };
        ClusteringFitResult<KMeansModel> library = new MiniBatchKMeans(options).Fit(x, w);
        JsonElement json = LastJson(stdout);
        json.GetProperty("inertia").GetDouble().Should().Be(library.Model.Inertia);
        json.GetProperty("steps").GetInt32().Should().Be(library.Report.Iterations);
        json.GetProperty("converged").GetBoolean().Should().Be(library.Report.Converged);
        ReadLabels(labels).Should().Equal(library.Labels);

        (code, stdout, stderr) = Run("fit", "minibatch-kmeans", "--data", OldFaithfulPath, "--k", "2", "--max-no-improvement", "0", "--max-epochs", "2", "--batch-size", "100", "--json");
        code.Should().Be(0, stderr);
        LastJson(stdout).GetProperty("steps").GetInt32().Should().Be(6, "two epochs of ⌈272/100⌉ batches with early stopping off");
        (code, _, stderr) = Run("fit", "minibatch-kmeans", "--data", OldFaithfulPath, "--k", "2", "--batch-size", "0");
        code.Should().NotBe(0);
        stderr.Should().StartWith("error: --batch-size").And.NotContain("BatchSize");
    }

    [Fact]
    public void Fit_online_kmeans_streams_weighted_rows()
    {
        double[,] x = MixtureTestData.OldFaithful();
        string weightsPath = Path.Combine(_dir, "w.txt");
        double[] w = [.. Enumerable.Range(0, 272).Select(i => 0.5 * (i % 4))];
        File.WriteAllLines(weightsPath, w.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        foreach (int batch in new[] { 1, 40 })
        {
            var (code, stdout, stderr) = Run("fit", "online-kmeans", "--data", OldFaithfulPath, "--k", "2", "--batch-size", batch.ToString(CultureInfo.InvariantCulture),
                "--sample-weights", weightsPath, "--json");
            code.Should().Be(0, stderr);
            var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2 });
            for (int start = 0; start < 272; start += batch)
            {
                int rows = Math.Min(batch, 272 - start);
                var part = new double[rows, 2];
                Array.Copy(x, start * 2, part, 0, rows * 2);
                if (batch == 1)
                {
                    online.Update([part[0, 0], part[0, 1]], w[start]);
                }
                else
                {
                    online.Update(part, w[start..(start + rows)]);
                }
            }

            JsonElement centers = LastJson(stdout).GetProperty("centers");
            double[,] expected = online.Snapshot().Centers;
            centers[1][1].GetDouble().Should().Be(expected[1, 1]);
            centers[0][0].GetDouble().Should().Be(expected[0, 0]);
        }

        var (bad, _, error) = Run("fit", "online-kmeans", "--data", OldFaithfulPath, "--k", "2", "--sample-weights", OldFaithfulPath);
        bad.Should().NotBe(0);
        error.Should().Contain("--sample-weights");
    }
}
