using LatentModels.Clustering;

namespace LatentModels.Tests.Clustering;

public class KMeansInertiaTests
{
    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd, 272, 1)]
    [InlineData(KMeansAlgorithm.Lloyd, 5000, 2)]
    [InlineData(KMeansAlgorithm.Accelerated, 20000, 3)]
    [InlineData(KMeansAlgorithm.Accelerated, 700, 4)]
    public void Reported_inertia_equals_the_inertia_recomputed_on_the_training_data_to_the_last_bit(KMeansAlgorithm algorithm, int n, int seed)
    {
        // 'latent fit kmeans' reports model.Inertia and 'latent score' recomputes InertiaOf(data): they must agree exactly,
        // so both sum the same per-row distances in the same fixed blocks (several blocks for the larger n).
        var (x, _, _) = ClusteringTestData.Blobs(n, 3, 5, 2.0, seed);
        foreach (int dop in new[] { 1, 2 })
        {
            KMeansModel model = new KMeans(new KMeansOptions { Clusters = 5, Algorithm = algorithm, Seed = seed, Starts = 2, MaxDegreeOfParallelism = dop }).Fit(x).Model;
            BitConverter.DoubleToInt64Bits(model.InertiaOf(x)).Should().Be(BitConverter.DoubleToInt64Bits(model.Inertia), $"dop {dop}");
            model.Score(x).Should().Be(-model.Inertia);
        }
    }
}
