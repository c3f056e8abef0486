using LatentModels.Statistics;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// The one collapse test of every covariance type (docs/reliability.md, "Collapsed components"): a component has collapsed
/// when one of its conditional variances — the squared Cholesky pivots of a full or tied covariance, the variances of a
/// diagonal one, the variance of a spherical one — is at most 2⁻⁵² of the data's variance of that column (the mean over
/// the columns for a spherical component), measured in the coordinates the fit works in (the data's range frame). Below
/// that the component's spread is rounding relative to the data's (a standard deviation under 1.5e−8 of the data's): its
/// density is not a finite-sample likelihood but a spike on duplicated points. A covariance that does not factor at all
/// is caught before this test by the factorisation itself.
/// </summary>
internal static class CollapseCheck
{
    /// <summary>2⁻⁵²: the ratio of a component's conditional variance to the data's at or below which it has collapsed.</summary>
    public const double RelativeFloor = 1.0 / (1L << 52);

    /// <summary>The per-column floors 2⁻⁵² · sⱼⱼ / W of the data's moments (0 for a constant column).</summary>
    public static double[] Floors(WeightedMoments moments)
    {
        int d = moments.Dimension;
        ReadOnlySpan<double> scatter = moments.ScatterSpan;
        var floor = new double[d];
        for (int j = 0; j < d; j++)
        {
            double variance = scatter[moments.FullScatter ? j * d + j : j] / moments.Weight;
            floor[j] = double.IsFinite(variance) && variance > 0 ? RelativeFloor * variance : 0;
        }

        return floor;
    }

    /// <summary>
    /// Whether some component of the factored parameters <paramref name="p"/> has collapsed below <paramref name="floor"/>;
    /// <paramref name="component"/> is then the first such component (−1 for the shared tied covariance).
    /// </summary>
    public static bool Collapsed(GaussianComponents p, ReadOnlySpan<double> floor, out int component)
    {
        int k = p.K, d = p.D;
        double[] f = p.Factor;
        // A precision factor's diagonal entry u gives the conditional variance 1/u² (u = 1/σ for the diagonal forms).
        for (int c = 0; c < k; c++)
        {
            switch (p.Type)
            {
                case CovarianceType.Full:
                    for (int j = 0; j < d; j++)
                    {
                        if (AtOrBelow(f[j * k * d + c * d + j], floor[j]))
                        {
                            component = c;
                            return true;
                        }
                    }

                    break;
                case CovarianceType.Diagonal:
                    for (int j = 0; j < d; j++)
                    {
                        if (AtOrBelow(f[c * d + j], floor[j]))
                        {
                            component = c;
                            return true;
                        }
                    }

                    break;
                case CovarianceType.Spherical:
                    {
                        double mean = 0;
                        foreach (double v in floor)
                        {
                            mean += v;
                        }

                        if (AtOrBelow(f[c], mean / d))
                        {
                            component = c;
                            return true;
                        }

                        break;
                    }

                default:
                    for (int j = 0; c == 0 && j < d; j++)
                    {
                        if (AtOrBelow(f[j * d + j], floor[j]))
                        {
                            component = -1;
                            return true;
                        }
                    }

                    break;
            }
        }

        component = -1;
        return false;
    }

    /// <summary>1/u² ≤ floor, written without forming 1/u² (u ≥ 1/√floor).</summary>
    private static bool AtOrBelow(double u, double floor) => floor > 0 && u * u * floor >= 1;
}
