using LatentModels.Clustering;

namespace LatentModels.Orleans;

/// <summary>
/// The data of the seedings of <see cref="KMeansSeeding"/> (<see cref="IKMeansSeedingData"/>) held by the shards: rows
/// fetched by their index in the concatenated data, and every sum continued from shard to shard in shard order
/// (<see cref="SeedingStep"/>), so <see cref="KMeansSeeding.PlusPlusAsync"/> and <see cref="KMeansSeeding.RandomRowsAsync"/>
/// make one machine's draws and pick the same rows. No pass for <see cref="ChooseAsync"/>: the total the next draws scale by
/// is the chosen candidate's row-order potential from the last <see cref="SeedingStep.Evaluate"/> pass (after the first
/// center, a <see cref="SeedingStep.Search"/> pass without targets).
/// </summary>
internal sealed class DistributedSeeding : IKMeansSeedingData
{
    private readonly ShardFleet _fleet;
    private readonly int _d;
    private readonly List<double[]> _centers = [];
    private double[] _rowOrder = [];
    private double _total = double.NaN;

    private DistributedSeeding(ShardFleet fleet, int n, int d)
    {
        _fleet = fleet;
        Rows = n;
        _d = d;
    }

    public int Rows { get; }

    public bool Weighted => _fleet.Weighted;

    /// <summary>Loads the shards and wraps them.</summary>
    /// <exception cref="NotSupportedException">The shards hold more than <see cref="int.MaxValue"/> rows.</exception>
    public static async Task<DistributedSeeding> CreateAsync(ShardFleet fleet, CancellationToken cancellationToken)
    {
        await fleet.LoadAsync(cancellationToken).ConfigureAwait(false);
        long n = fleet.RowCounts.Sum(c => (long)c);
        if (n > int.MaxValue)
        {
            throw new NotSupportedException($"The shards hold {n} rows; a start drawn by row index needs at most {int.MaxValue} (as on one machine).");
        }

        return new DistributedSeeding(fleet, (int)n, fleet.Columns);
    }

    /// <summary>The first k rows.</summary>
    public async Task<double[,]> FirstRowsAsync(int k, CancellationToken cancellationToken)
    {
        if (k < 1 || k > Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k} but must lie between 1 and the number of rows ({Rows}).");
        }

        return Matrix(await RowsAsync([.. Enumerable.Range(0, k)], cancellationToken).ConfigureAwait(false), _d);
    }

    public async ValueTask<double[][]> DrawAsync(double[] uniforms, CancellationToken cancellationToken)
    {
        if (double.IsNaN(_total))
        {
            _total = (await SearchAsync([], cancellationToken).ConfigureAwait(false)).Run;
        }

        double[] targets = [.. uniforms.Select(u => u * _total)];
        return (await SearchAsync(targets, cancellationToken).ConfigureAwait(false)).Rows;
    }

    public async ValueTask<double[]> PotentialsAsync(double[][] candidates, CancellationToken cancellationToken)
    {
        (double[] blockOrder, _rowOrder) = await EvaluateAsync(candidates, cancellationToken).ConfigureAwait(false);
        return blockOrder;
    }

    public ValueTask ChooseAsync(double[] center, int candidate, CancellationToken cancellationToken)
    {
        _centers.Add(center);
        _total = candidate >= 0 ? _rowOrder[candidate] : double.NaN;
        return ValueTask.CompletedTask;
    }

    /// <summary>The rows at the given indices of the concatenated data, from the shards that hold them (in parallel).</summary>
    public async ValueTask<double[][]> RowsAsync(int[] rows, CancellationToken cancellationToken)
    {
        int d = _d;
        var result = new double[rows.Length][];
        var calls = new List<Task>();
        long first = 0;
        for (int s = 0; s < _fleet.RowCounts.Count; s++)
        {
            long start = first, end = first + _fleet.RowCounts[s];
            int[] mine = [.. Enumerable.Range(0, rows.Length).Where(j => rows[j] >= start && rows[j] < end)];
            if (mine.Length > 0)
            {
                int shard = s;
                calls.Add(Task.Run(async () =>
                {
                    SeedingReply reply = await _fleet.SeedAsync(shard, new SeedingWork { Step = SeedingStep.Rows, Dimension = d, Indices = [.. mine.Select(j => (int)(rows[j] - start))] }, cancellationToken).ConfigureAwait(false);
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
    private async Task<(double Run, double[][] Rows)> SearchAsync(double[] targets, CancellationToken cancellationToken)
    {
        int d = _d;
        var found = new double[targets.Length][];
        double run = 0;
        double[]? last = null;
        for (int s = 0; s < _fleet.RowCounts.Count; s++)
        {
            if (_fleet.RowCounts[s] == 0)
            {
                continue;
            }

            SeedingReply reply = await _fleet.SeedAsync(s, new SeedingWork { Step = SeedingStep.Search, Dimension = d, MaxDegreeOfParallelism = _fleet.MaxDegreeOfParallelismPerShard, Centers = Flat(_centers), Targets = targets, RunStart = run }, cancellationToken).ConfigureAwait(false);
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
    private async Task<(double[] BlockOrder, double[] RowOrder)> EvaluateAsync(double[][] candidates, CancellationToken cancellationToken)
    {
        int d = _d;
        var blockOrder = new double[candidates.Length];
        var rowOrder = new double[candidates.Length];
        for (int s = 0; s < _fleet.RowCounts.Count; s++)
        {
            if (_fleet.RowCounts[s] == 0)
            {
                continue;
            }

            SeedingReply reply = await _fleet.SeedAsync(s, new SeedingWork
            {
                Step = SeedingStep.Evaluate,
                Dimension = d,
                MaxDegreeOfParallelism = _fleet.MaxDegreeOfParallelismPerShard,
                Centers = Flat(_centers),
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
