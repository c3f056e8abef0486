using LatentModels.Clustering;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>
/// A shard's part of a Gaussian-mixture start computed in the cluster (<see cref="SeedingStep.MixtureStart"/>): every row
/// labelled by its nearest center with the kernel of the start on one machine — <see cref="Distances.PairwiseSquared(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, int, Span{double}, int)"/>
/// and its arg-min (the k-means++, random-rows and first-rows starts) or <see cref="KMeansModel"/>'s assignment (the
/// K-Means start) — then the one-hot responsibilities' statistics of the engine's blocks
/// (<c>GaussianMixtureEngine.ResponsibilitiesInto</c>: the row weight on the label, centred on the engine's shift), cut at
/// the global superblock boundaries and merged in order from empty statistics, one part per piece — the counterpart of the
/// engine's E-step parts, folded by the driver in the engine's structure.
/// </summary>
internal static class ShardMixtureStart
{
    public static SeedingReply Compute(SeedingWork work, ShardData data)
    {
        int n = data.Count, d = data.Dimension;
        if (work.Shift.Length != d || work.BlockSize < 1 || work.Centers.Length == 0 || work.Centers.Length % d != 0 || work.FirstRow < 0)
        {
            throw new ArgumentException($"A mixture start needs centers and a shift of the shard's {d} columns, a positive block size and a first row ≥ 0.", nameof(work));
        }

        int k = work.Centers.Length / d;
        var centers = new double[k, d];
        work.Centers.CopyTo(centers.AsWritableSpan());
        int[] labels = Labels(data.Rows, centers, work.KMeansLabels, work.MaxDegreeOfParallelism);
        double[]? w = data.SampleWeights;
        int blockSize = work.BlockSize;
        var parts = new List<ModelPayload>();
        var workspace = new MixtureWorkspace(blockSize, k, d);
        foreach ((int start, int count) in KMeansStatistics.PartRows(work.FirstRow, n))
        {
            var part = new MixtureStatistics(k, d, work.FullScatter);
            var block = new MixtureStatistics(k, d, work.FullScatter);
            for (int from = 0; from < count; from += blockSize)
            {
                int rows = Math.Min(blockSize, count - from), at = start + from;
                Span<double> r = workspace.LogProb;
                double sw = 0;
                for (int i = 0; i < rows; i++)
                {
                    double wi = w is null ? 1.0 : w[at + i];
                    sw += wi;
                    for (int c = 0; c < k; c++)
                    {
                        r[(c * blockSize) + i] = wi * (labels[at + i] == c ? 1.0 : 0.0);
                    }
                }

                GaussianMixtureEngine.ResponsibilitiesInto(work.Shift, data.Rows.AsSpan().Slice(at * d, rows * d), rows, sw, block, workspace);
                part.Merge(block);
            }

            parts.Add(ModelPayload.Encode(GaussianMixtureStatistics.FromEnginePart(work.Covariance, work.Shift, part)));
        }

        return new SeedingReply { Parts = [.. parts] };
    }

    /// <summary>Each row's nearest center, by the kernel of the start on one machine.</summary>
    private static int[] Labels(double[,] rows, double[,] centers, bool kmeans, int maxDegreeOfParallelism)
    {
        int n = rows.GetLength(0), d = rows.GetLength(1), k = centers.GetLength(0);
        var labels = new int[n];
        if (kmeans)
        {
            new KMeansModel(centers).Assign(rows, labels, maxDegreeOfParallelism);
        }
        else
        {
            var distances = new double[n * k];
            Distances.PairwiseSquared(rows.AsSpan(), n, d, centers.AsSpan(), k, distances, maxDegreeOfParallelism);
            Distances.RowArgMin(distances, n, k, labels, default);
        }

        return labels;
    }
}
