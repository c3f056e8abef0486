namespace LatentModels.Orleans;

/// <summary>
/// The starts of <see cref="Clustering.KMeansSeeding"/> computed through the shards, with the draws of one machine: the same
/// <see cref="Random"/> calls in the same order, the rows fetched by their index in the concatenated data, and every sum
/// continued from shard to shard in shard order (<see cref="SeedingStep"/>), so the same seed picks the same rows.
/// </summary>
internal sealed class DistributedSeeding(ShardFleet fleet, CancellationToken cancellationToken)
{
    /// <summary>Greedy k-means++ (<see cref="Clustering.KMeansSeeding.PlusPlus"/>): 2k − 1 passes over the shards (k + 1 more with sample weights), each shard after the other.</summary>
    public async Task<double[,]> PlusPlusAsync(int k, Random random)
    {
        (int n, int d) = await ShapeAsync(k).ConfigureAwait(false);
        int trials = 2 + (int)Math.Log(k);
        var centers = new List<double[]>(k);
        if (!fleet.Weighted)
        {
            centers.Add((await RowsAsync([random.Next(n)], d).ConfigureAwait(false))[0]);
        }
        else
        {
            double run = (await SearchAsync([], [], d).ConfigureAwait(false)).Run;
            centers.Add((await SearchAsync([], [random.NextDouble() * run], d).ConfigureAwait(false)).Rows[0]);
        }

        if (k == 1)
        {
            return Matrix(centers, d);
        }

        double pot = (await EvaluateAsync([], [centers[0]], d).ConfigureAwait(false)).RowOrder[0];
        for (int c = 1; c < k; c++)
        {
            var targets = new double[trials];
            for (int t = 0; t < trials; t++)
            {
                targets[t] = random.NextDouble() * pot;
            }

            double[][] candidates = (await SearchAsync(centers, targets, d).ConfigureAwait(false)).Rows;
            (double[] blockOrder, double[] rowOrder) = await EvaluateAsync(centers, candidates, d).ConfigureAwait(false);
            int best = 0;
            double bestPot = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                if (blockOrder[t] < bestPot)
                {
                    bestPot = blockOrder[t];
                    best = t;
                }
            }

            centers.Add(candidates[best]);
            pot = rowOrder[best];
        }

        return Matrix(centers, d);
    }

    /// <summary>k distinct rows drawn uniformly (<see cref="Clustering.KMeansSeeding.RandomRowIndices"/>: the draws of <see cref="Clustering.KMeansSeeding.RandomRows"/>), fetched in one pass.</summary>
    public async Task<double[,]> RandomRowsAsync(int k, Random random)
    {
        (int n, int d) = await ShapeAsync(k).ConfigureAwait(false);
        return Matrix(await RowsAsync(Clustering.KMeansSeeding.RandomRowIndices(n, k, random), d).ConfigureAwait(false), d);
    }

    /// <summary>The first k rows.</summary>
    public async Task<double[,]> FirstRowsAsync(int k)
    {
        (_, int d) = await ShapeAsync(k).ConfigureAwait(false);
        return Matrix(await RowsAsync([.. Enumerable.Range(0, k)], d).ConfigureAwait(false), d);
    }

    private async Task<(int N, int D)> ShapeAsync(int k)
    {
        await fleet.LoadAsync(cancellationToken).ConfigureAwait(false);
        long n = fleet.RowCounts.Sum(c => (long)c);
        if (n > int.MaxValue)
        {
            throw new NotSupportedException($"The shards hold {n} rows; a start drawn by row index needs at most {int.MaxValue} (as on one machine).");
        }

        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k} but must lie between 1 and the number of rows ({n}).");
        }

        return ((int)n, fleet.Columns);
    }

    /// <summary>The rows at the given indices of the concatenated data, from the shards that hold them (in parallel).</summary>
    private async Task<double[][]> RowsAsync(int[] rows, int d)
    {
        var result = new double[rows.Length][];
        var calls = new List<Task>();
        long first = 0;
        for (int s = 0; s < fleet.RowCounts.Count; s++)
        {
            long start = first, end = first + fleet.RowCounts[s];
            int[] mine = [.. Enumerable.Range(0, rows.Length).Where(j => rows[j] >= start && rows[j] < end)];
            if (mine.Length > 0)
            {
                int shard = s;
                calls.Add(Task.Run(async () =>
                {
                    SeedingReply reply = await fleet.SeedAsync(shard, new SeedingWork { Step = SeedingStep.Rows, Dimension = d, Indices = [.. mine.Select(j => (int)(rows[j] - start))] }, cancellationToken).ConfigureAwait(false);
                    for (int m = 0; m < mine.Length; m++)
                    {
                        result[mine[m]] = reply.Rows.AsSpan(m * d, d).ToArray();
                    }
                }));
            }

            first = end;
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
        return result;
    }

    /// <summary>One <see cref="SeedingStep.Search"/> pass, shard after shard: the running potential and the row found for each target (clipped to the last row).</summary>
    private async Task<(double Run, double[][] Rows)> SearchAsync(List<double[]> centers, double[] targets, int d)
    {
        var found = new double[targets.Length][];
        double run = 0;
        double[]? last = null;
        for (int s = 0; s < fleet.RowCounts.Count; s++)
        {
            if (fleet.RowCounts[s] == 0)
            {
                continue;
            }

            SeedingReply reply = await fleet.SeedAsync(s, new SeedingWork { Step = SeedingStep.Search, Dimension = d, Centers = Flat(centers), Targets = targets, RunStart = run }, cancellationToken).ConfigureAwait(false);
            for (int t = 0; t < targets.Length; t++)
            {
                if (found[t] is null && reply.Found[t] >= 0)
                {
                    found[t] = reply.Rows.AsSpan(t * d, d).ToArray();
                }
            }

            run = reply.RunEnd;
            last = reply.LastRow;
        }

        for (int t = 0; t < targets.Length; t++)
        {
            found[t] ??= last!;
        }

        return (run, found);
    }

    /// <summary>One <see cref="SeedingStep.Evaluate"/> pass, shard after shard: each candidate's potential in block order and in row order.</summary>
    private async Task<(double[] BlockOrder, double[] RowOrder)> EvaluateAsync(List<double[]> centers, double[][] candidates, int d)
    {
        var blockOrder = new double[candidates.Length];
        var rowOrder = new double[candidates.Length];
        for (int s = 0; s < fleet.RowCounts.Count; s++)
        {
            if (fleet.RowCounts[s] == 0)
            {
                continue;
            }

            SeedingReply reply = await fleet.SeedAsync(s, new SeedingWork
            {
                Step = SeedingStep.Evaluate,
                Dimension = d,
                Centers = Flat(centers),
                Candidates = Flat(candidates),
                BlockOrder = blockOrder,
                RowOrder = rowOrder,
            }, cancellationToken).ConfigureAwait(false);
            (blockOrder, rowOrder) = (reply.BlockOrder, reply.RowOrder);
        }

        return (blockOrder, rowOrder);
    }

    private static double[] Flat(IEnumerable<double[]> rows) => [.. rows.SelectMany(r => r)];

    private static double[,] Matrix(IReadOnlyList<double[]> rows, int d)
    {
        var m = new double[rows.Count, d];
        for (int j = 0; j < rows.Count; j++)
        {
            for (int p = 0; p < d; p++)
            {
                m[j, p] = rows[j][p];
            }
        }

        return m;
    }
}
