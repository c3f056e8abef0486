namespace LatentModels.Mixtures;

/// <summary>
/// Scalar helpers of the mixture code. The vectorised loops that used to live here are kernel operations now
/// (<see cref="LinearAlgebra.ColumnLogSumExp"/>, <see cref="LinearAlgebra.TriangularWhitening"/>,
/// <see cref="LinearAlgebra.ScatterTiles"/>, <see cref="LinearAlgebra.CenterTranspose"/>, <see cref="LinearAlgebra.RowReductions"/>).
/// </summary>
internal static class MixtureKernels
{
    /// <summary>Draws a standard normal variate with the polar Box–Muller method (the second variate is discarded).</summary>
    public static double StandardNormal(Random random)
    {
        while (true)
        {
            double u = 2 * random.NextDouble() - 1;
            double v = 2 * random.NextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1)
            {
                return u * Math.Sqrt(-2 * Math.Log(s) / s);
            }
        }
    }
}
