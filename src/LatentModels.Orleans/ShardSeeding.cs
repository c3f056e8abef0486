using LatentModels.Clustering;
using LatentModels.LinearAlgebra;

namespace LatentModels.Orleans;

/// <summary>
/// A shard's part of a seeding (<see cref="SeedingWork"/>): the arithmetic of <see cref="KMeansSeeding.PlusPlus"/> on the
/// shard's rows — its squared distances, its row-order running sums and its block sums, by the partition sums the
/// out-of-core seeding uses (<see cref="SeedingPartition"/>) — continued from the sums of the shards before, so the
/// concatenation gives the single pass's values.
/// </summary>
internal static class ShardSeeding
{
    public static SeedingReply Compute(SeedingWork work, ShardData data)
    {
        ArgumentNullException.ThrowIfNull(work);
        int n = data.Count, d = data.Dimension;
        if (work.Dimension != d)
        {
            throw new ArgumentException($"The seeding works in {work.Dimension} dimensions; the shard's rows have {d}.", nameof(work));
        }

        double[,] rows = data.Rows;
        double[]? w = data.SampleWeights;
        switch (work.Step)
        {
            case SeedingStep.MixtureStart:
                return ShardMixtureStart.Compute(work, data);

            case SeedingStep.KMeansInertia:
                return new SeedingReply { BlockOrder = new KMeansModel(CenterMatrix(work.Centers, d)).RowInertiaParts(rows, w, work.FirstRow, work.BlockSize, work.RunStart) };

            case SeedingStep.Rows:
                return new SeedingReply { Rows = [.. work.Indices.SelectMany(i => Row(rows, i))], Weights = w is null ? [] : [.. work.Indices.Select(i => w[i])] };

            case SeedingStep.Search:
                {
                    double[]? nearest = work.Centers.Length == 0 ? null : Nearest(rows, work.Centers, d, work.MaxDegreeOfParallelism);
                    var found = new int[work.Targets.Length];
                    Array.Fill(found, -1);
                    double run = SeedingPartition.Search(n, w, nearest, work.Targets, work.RunStart, found);
                    return new SeedingReply
                    {
                        Found = found,
                        RunEnd = run,
                        Rows = [.. found.SelectMany(i => i < 0 ? new double[d] : Row(rows, i))],
                        LastRow = n > 0 ? Row(rows, n - 1) : [],
                    };
                }

            case SeedingStep.Evaluate:
                {
                    double[] nearest = Nearest(rows, work.Centers, d, work.MaxDegreeOfParallelism);
                    int t = work.Candidates.Length / d;
                    double[] blockOrder = (double[])work.BlockOrder.Clone(), rowOrder = (double[])work.RowOrder.Clone();
                    double[][] candidates = [.. Enumerable.Range(0, t).Select(j => work.Candidates.AsSpan(j * d, d).ToArray())];
                    SeedingPartition.Potentials(rows, n, w, nearest, candidates, blockOrder, rowOrder, new double[n * t],
                        new double[ParallelBlocks.BlockCount(n, KMeansSeeding.BlockSize) * t], work.MaxDegreeOfParallelism);
                    return new SeedingReply { BlockOrder = blockOrder, RowOrder = rowOrder };
                }

            default:
                throw new ArgumentException($"Unknown seeding step {work.Step}.", nameof(work));
        }
    }

    /// <summary>Each row's squared distance to the nearest of the centers (row-major, +∞ for none).</summary>
    private static double[] Nearest(double[,] rows, double[] centers, int d, int maxDegreeOfParallelism)
    {
        int c = centers.Length / d;
        var matrix = new double[c, d];
        centers.CopyTo(matrix.AsWritableSpan());
        var nearest = new double[rows.GetLength(0)];
        SeedingPartition.Nearest(rows, rows.GetLength(0), matrix, c, nearest, maxDegreeOfParallelism);
        return nearest;
    }

    /// <summary>Flat row-major centers as a K × d matrix.</summary>
    private static double[,] CenterMatrix(double[] flat, int d)
    {
        var m = new double[flat.Length / d, d];
        flat.AsSpan(0, m.Length).CopyTo(m.AsWritableSpan());
        return m;
    }

    private static double[] Row(double[,] rows, int i)
    {
        int d = rows.GetLength(1);
        if ((uint)i >= (uint)rows.GetLength(0))
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"The shard has {rows.GetLength(0)} rows.");
        }

        var row = new double[d];
        for (int j = 0; j < d; j++)
        {
            row[j] = rows[i, j];
        }

        return row;
    }
}
