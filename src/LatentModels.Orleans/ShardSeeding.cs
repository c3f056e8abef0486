using LatentModels.Clustering;

namespace LatentModels.Orleans;

/// <summary>
/// A shard's part of a seeding (<see cref="SeedingWork"/>): the arithmetic of <see cref="KMeansSeeding.PlusPlus"/> on the
/// shard's rows — its squared distances (<see cref="KMeansSeeding.NearestSquaredDistances"/>), its row-order running sums
/// and its block sums — continued from the sums of the shards before, so the concatenation gives the single pass's values.
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
                return new SeedingReply { BlockOrder = new KMeansModel(Matrix(work.Centers, d)).RowInertiaParts(rows, w, work.FirstRow, work.BlockSize, work.RunStart) };

            case SeedingStep.Rows:
                return new SeedingReply { Rows = [.. work.Indices.SelectMany(i => Row(rows, i))] };

            case SeedingStep.Search:
                {
                    double[] value = work.Centers.Length == 0 ? (w ?? [.. Enumerable.Repeat(1.0, n)]) : Potential(rows, w, Nearest(rows, work.Centers, d));
                    int t = work.Targets.Length;
                    var found = new int[t];
                    Array.Fill(found, -1);
                    double run = work.RunStart;
                    for (int i = 0; i < n; i++)
                    {
                        run += value[i];
                        for (int j = 0; j < t; j++)
                        {
                            if (found[j] < 0 && run > work.Targets[j])
                            {
                                found[j] = i;
                            }
                        }
                    }

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
                    double[] nearest = Nearest(rows, work.Centers, d);
                    int t = work.Candidates.Length / d;
                    double[] blockOrder = (double[])work.BlockOrder.Clone(), rowOrder = (double[])work.RowOrder.Clone();
                    var distance = new double[n];
                    for (int j = 0; j < t; j++)
                    {
                        KMeansSeeding.NearestSquaredDistances(rows, Matrix(work.Candidates.AsSpan(j * d, d), d), distance);
                        for (int start = 0; start < n; start += KMeansSeeding.PotentialBlockRows)
                        {
                            double s = 0;
                            for (int i = start; i < Math.Min(n, start + KMeansSeeding.PotentialBlockRows); i++)
                            {
                                double dist = Math.Min(nearest[i], distance[i]);
                                double v = w is null ? dist : w[i] * dist;
                                s += v;
                                rowOrder[j] += v;
                            }

                            blockOrder[j] += s;
                        }
                    }

                    return new SeedingReply { BlockOrder = blockOrder, RowOrder = rowOrder };
                }

            default:
                throw new ArgumentException($"Unknown seeding step {work.Step}.", nameof(work));
        }
    }

    private static double[] Nearest(double[,] rows, double[] centers, int d)
    {
        var nearest = new double[rows.GetLength(0)];
        KMeansSeeding.NearestSquaredDistances(rows, Matrix(centers, d), nearest);
        return nearest;
    }

    private static double[] Potential(double[,] rows, double[]? w, double[] nearest)
    {
        if (w is not null)
        {
            for (int i = 0; i < nearest.Length; i++)
            {
                nearest[i] *= w[i];
            }
        }

        return nearest;
    }

    private static double[,] Matrix(ReadOnlySpan<double> values, int d)
    {
        var m = new double[values.Length / d, d];
        if (m.Length > 0)
        {
            values.CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref m[0, 0], m.Length));
        }

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
