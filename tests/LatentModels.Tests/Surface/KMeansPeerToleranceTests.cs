using LatentModels.Clustering;
using LatentModels.Tests.Clustering;

namespace LatentModels.Tests.Surface;

/// <summary>The K-Means tolerance stops after the same iteration as scikit-learn's <c>tol</c> (center shift relative to the mean variance).</summary>
public class KMeansPeerToleranceTests
{
    // /usr/bin/python3 (scikit-learn 1.2.1), in tests/LatentModels.Tests/Data:
    //   x=np.loadtxt('old_faithful.txt'); km=KMeans(k, init=x[:k].copy(), n_init=1, max_iter=300, tol=tol, algorithm='lloyd').fit(x)
    //   print(km.n_iter_, km.inertia_)
    [Theory]
    [InlineData(3, 1e-3, 3, 5364.969477043591)]
    [InlineData(3, 1e-2, 2, 5367.402925666354)]
    [InlineData(4, 1e-3, 6, 2946.0032368657057)]
    [InlineData(4, 1e-2, 4, 2976.012638390594)]
    [InlineData(6, 1e-2, 3, 1627.8930700867022)]
    [InlineData(6, 1e-4, 4, 1627.8930700867022)]
    public void Iteration_count_equals_scikit_learns(int k, double tolerance, int iterations, double inertia)
    {
        double[,] x = ClusteringTestData.OldFaithful();
        foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
        {
            var fit = new KMeans(new KMeansOptions { Clusters = k, Init = KMeansInit.First, Tolerance = tolerance, Algorithm = algorithm }).Fit(x);
            fit.Report.Iterations.Should().Be(iterations, $"{algorithm}");
            fit.Model.Inertia.Should().BeApproximately(inertia, 1e-9 * inertia);
        }
    }
}
