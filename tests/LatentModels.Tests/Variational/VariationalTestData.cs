using LatentModels.Mixtures;

namespace LatentModels.Tests.Variational;

internal static class VariationalTestData
{
    /// <summary>
    /// 30 rows in 3 clusters, by formula (the same in NumPy): i = 0…29, c = i mod 3, centres (0,0), (5,1), (1,6),
    /// x = centre + (sin 1.3i, 0.8 cos 0.7i + 0.3 sin 2.1i).
    /// </summary>
    public static double[,] Formula30()
    {
        double[,] centres = { { 0, 0 }, { 5, 1 }, { 1, 6 } };
        var x = new double[30, 2];
        for (int i = 0; i < 30; i++)
        {
            int c = i % 3;
            x[i, 0] = centres[c, 0] + Math.Sin(1.3 * i);
            x[i, 1] = centres[c, 1] + (0.8 * Math.Cos(0.7 * i)) + (0.3 * Math.Sin(2.1 * i));
        }

        return x;
    }

    /// <summary>n rows drawn from 5 well-separated unit-variance clusters in 2-D with weights (.3, .25, .2, .15, .1).</summary>
    public static double[,] FiveClusters(int n, int seed)
    {
        GaussianMixtureModel truth = GaussianMixtureModel.Create(CovarianceType.Spherical, [0.3, 0.25, 0.2, 0.15, 0.1],
            new double[,] { { 0, 0 }, { 12, 0 }, { 0, 12 }, { 12, 12 }, { 6, 24 } }, [1, 1, 1, 1, 1]);
        return truth.Sample(n, new Random(seed));
    }
}
