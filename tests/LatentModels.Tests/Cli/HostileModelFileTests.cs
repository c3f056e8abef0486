using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using LatentModels.Tests.Persistence;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// <c>latent score</c>, <c>predict</c> and <c>sample</c> on hostile or tampered model files: exit 2 with one line on
/// stderr and no stack trace (or, for a tampered file that is still a valid model, success).
/// </summary>
public sealed class HostileModelFileTests : IDisposable
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-hostile-{Guid.NewGuid():N}");

    public HostileModelFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly string[] _verbs = ["score", "predict", "sample"];

    private (int Code, string Err) RunVerb(string verb, string path) => verb switch
    {
        "sample" => Pick(Run("sample", "--model", path, "-n", "5", "--seed", "1")),
        _ => Pick(Run(verb, "--model", path, "--data", DataPath("old_faithful.txt"))),
    };

    private static (int Code, string Err) Pick((int Code, string Out, string Err) r) => (r.Code, r.Err);

    private string Write(string json)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static void ShouldBeOneLineError(int code, string stderr, string because)
    {
        code.Should().Be(2, because + ": " + stderr);
        stderr.TrimEnd('\n').Should().NotContain("\n", because).And.StartWith("error: --model:", because);
        stderr.Should().NotContain("   at ", because);
    }

    public static TheoryData<string> Hostile => new()
    {
        // 12 KiB that imply 72 MB of covariances
        $"{{\"format\":\"LatentModels.GaussianMixture\",\"covarianceType\":\"Full\",\"weights\":[1],\"means\":[[{string.Join(",", Enumerable.Repeat("0", 3000))}]],\"covariances\":[[[1]]]}}",
        "{\"format\":\"LatentModels.GaussianMixture\",\"covarianceType\":\"Diagonal\",\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[1e-320,1]]}",
        "{\"format\":\"LatentModels.UnivariateGaussian\",\"mean\":0,\"standardDeviation\":1e300}",
        "{\"format\":\"LatentModels.OnlineKMeans\"}",
        "\u0000\u0001binary garbage",
        "{\"format\":\"LatentModels.GaussianMixture\",\"covarianceType\":\"Full\",\"weights\":[1],\"means\":[[0,0]],\"cova",
        "[1,2,3]",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_hostile_model_file_gives_exit_2_and_one_line(string json)
    {
        string path = Write(json);
        foreach (string verb in _verbs)
        {
            var (code, stderr) = RunVerb(verb, path);
            ShouldBeOneLineError(code, stderr, verb);
        }
    }

    [Fact]
    public void Every_single_field_mutation_of_a_gmm_and_a_kmeans_file_gives_exit_0_or_exit_2_and_one_line()
    {
        object[] models =
        [
            new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = CovarianceType.Full, Seed = 3 }).Fit(_data).Model,
            new KMeans(new KMeansOptions { Clusters = 2, Seed = 1 }).Fit(_data).Model,
        ];
        foreach (object model in models)
        {
            foreach ((string description, System.Text.Json.Nodes.JsonObject mutated) in Mutations.All(ModelJson.Serialize(model)))
            {
                string path = Write(mutated.ToJsonString());
                foreach (string verb in _verbs)
                {
                    var (code, stderr) = RunVerb(verb, path);
                    if (code != 0)
                    {
                        ShouldBeOneLineError(code, stderr, $"{verb} with {description}");
                    }
                }

                File.Delete(path);
            }
        }
    }
}
