namespace LatentModels.Statistics;

/// <summary>
/// Span kernels behind <see cref="WeightedMoments"/>: weighted Welford updates and Chan's exact pairwise merge of
/// (weight, mean, scatter about the mean). The scatter is either a full d × d row-major matrix or its d diagonal entries.
/// </summary>
internal static class MomentMath
{
    /// <summary>
    /// Adds (or, for a negative <paramref name="weight"/>, removes) one weighted point: W' = W + w, δ = x − m,
    /// m' = m + (w / W') δ, S' = S + (w W / W') δδᵀ. Removing the last of the weight resets the statistics to zero.
    /// </summary>
    public static void AddPoint(ref double total, Span<double> mean, Span<double> scatter, bool full, ReadOnlySpan<double> point, double weight)
    {
        int d = mean.Length;
        double newTotal = total + weight;
        if (!(newTotal > 0))
        {
            total = 0;
            mean.Clear();
            scatter.Clear();
            return;
        }

        double f = weight / newTotal;
        double g = weight * total / newTotal;
        if (full)
        {
            for (int a = 0; a < d; a++)
            {
                double da = point[a] - mean[a];
                double ga = g * da;
                Span<double> row = scatter.Slice(a * d, d);
                for (int b = 0; b < d; b++)
                {
                    row[b] += ga * (point[b] - mean[b]);
                }
            }
        }
        else
        {
            for (int a = 0; a < d; a++)
            {
                double da = point[a] - mean[a];
                scatter[a] += g * da * da;
            }
        }

        for (int a = 0; a < d; a++)
        {
            mean[a] += f * (point[a] - mean[a]);
        }

        total = newTotal;
    }

    /// <summary>
    /// Chan et al.'s pairwise combination: merges (wB, mB, SB) into (wA, mA, SA) exactly:
    /// δ = mB − mA, W = wA + wB, m = mA + (wB / W) δ, S = SA + SB + (wA wB / W) δδᵀ.
    /// </summary>
    public static void Merge(ref double totalA, Span<double> meanA, Span<double> scatterA,
        double totalB, ReadOnlySpan<double> meanB, ReadOnlySpan<double> scatterB, bool full)
    {
        if (!(totalB > 0))
        {
            return;
        }

        int d = meanA.Length;
        if (!(totalA > 0))
        {
            totalA = totalB;
            meanB.CopyTo(meanA);
            scatterB.CopyTo(scatterA);
            return;
        }

        double total = totalA + totalB;
        double f = totalB / total;
        double g = totalA * totalB / total;
        if (full)
        {
            for (int a = 0; a < d; a++)
            {
                double ga = g * (meanB[a] - meanA[a]);
                Span<double> row = scatterA.Slice(a * d, d);
                ReadOnlySpan<double> rowB = scatterB.Slice(a * d, d);
                for (int b = 0; b < d; b++)
                {
                    row[b] += rowB[b] + ga * (meanB[b] - meanA[b]);
                }
            }
        }
        else
        {
            for (int a = 0; a < d; a++)
            {
                double da = meanB[a] - meanA[a];
                scatterA[a] += scatterB[a] + g * da * da;
            }
        }

        for (int a = 0; a < d; a++)
        {
            meanA[a] += f * (meanB[a] - meanA[a]);
        }

        totalA = total;
    }

    /// <summary>Makes a full d × d scatter exactly symmetric by copying its lower triangle onto the upper.</summary>
    public static void SymmetrizeFromLower(Span<double> matrix, int d)
    {
        for (int a = 0; a < d; a++)
        {
            for (int b = a + 1; b < d; b++)
            {
                matrix[a * d + b] = matrix[b * d + a];
            }
        }
    }
}
