using System.Diagnostics;
using LatentModels.Mixtures;
using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>
/// The passes of a distributed Gaussian-mixture fit (batch EM or variational), the shard fleet's counterpart of the
/// out-of-core fit's <c>GaussianMixtureSourcePasses</c>: the in-memory engine (<see cref="GaussianMixtureEngine"/>) runs on
/// the driver — its M-step, stopping rule, bound and repair of empty components — and only its passes over the rows go to
/// the shards. The data moments (the engine's centre and the priors' defaults) are continued from shard to shard in shard
/// order with the summation order of <see cref="WeightedMoments.FromRows"/>; each E-step sends the engine's components and
/// centre to every shard, which returns its blocks' statistics in parts cut at the global superblock boundaries
/// (<see cref="GaussianMixtureEngine.EStepParts"/>), and the parts are folded into the engine's totals in row order in the
/// engine's superblock structure (<see cref="MixtureSuperblockFold.AddPart"/>); a row the engine asks for (to re-seed an
/// empty component at the worst-explained row) is fetched from its shard. All of it in the units one machine would fit in:
/// the range frame and the weights' power of two (from the shards' loads) go with every later call (<see cref="ShardFrame"/>).
/// </summary>
/// <remarks>
/// The E-step and the row fetch block on the fleet's calls: the engine's loop (<c>EmDriver</c>) is synchronous, so the
/// driver runs it off the caller's context (<see cref="Task.Run(Action)"/>).
/// </remarks>
internal sealed class GaussianShardPasses
{
    private readonly ShardFleet _fleet;
    private readonly CancellationToken _cancellationToken;
    private int _columns;
    private int _round;
    private long _lastReturn;
    private int _weightShift;

    public GaussianShardPasses(ShardFleet fleet, CancellationToken cancellationToken)
    {
        _fleet = fleet;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// The units of the fit: the range frame of all the shards' rows (from their loads' extremes, exact in any order) and the
    /// power of two the weights are divided by, those of one machine (<c>RangeFrame.ForRows</c> and
    /// <c>RangeFrame.RelativeWeights</c> with <paramref name="counts"/>: weights are counts under a prior). Sets the fleet's
    /// <see cref="ShardFleet.Frame"/> so every later call works in these units (the shards map their rows once, a fetched row
    /// comes back mapped); <see cref="EndFrame"/> clears it.
    /// </summary>
    /// <exception cref="ArgumentException">The shards hold no rows, or more than <see cref="int.MaxValue"/>.</exception>
    public async Task<(RangeFrame Frame, int WeightShift, int Rows, int Columns)> FrameAsync(bool counts)
    {
        await _fleet.LoadAsync(_cancellationToken).ConfigureAwait(false);
        long n = _fleet.TotalRows;
        int d = _fleet.Columns;
        if (n == 0 || d == 0)
        {
            throw new ArgumentException("The shards hold no rows.", "shards");
        }

        if (n > int.MaxValue)
        {
            throw new ArgumentException($"The shards hold {n} rows; a distributed Gaussian mixture fit takes at most {int.MaxValue}.", "shards");
        }

        _columns = d;
        _weightShift = _fleet.Weighted ? RangeFrame.RelativeExponent(_fleet.WeightExponent, counts) : 0;
        _fleet.Frame = ShardFrame.Of(_fleet.DataFrame, _weightShift);
        RangeFrame frame = _fleet.Frame is null ? RangeFrame.Identity : _fleet.DataFrame;
        return (frame, _weightShift, (int)n, d);
    }

    /// <summary>Back to the rows as given (the end of the fit).</summary>
    public void EndFrame() => _fleet.Frame = null;

    /// <summary>
    /// The total of the (divided) sample weights summed in row order, continued from shard to shard (the variational bound's
    /// offset when one machine maps the fit back from a frame).
    /// </summary>
    public async Task<double> WeightTotalAsync()
    {
        double total = 0;
        IReadOnlyList<int> counts = _fleet.RowCounts;
        for (int shard = 0; shard < counts.Count; shard++)
        {
            if (counts[shard] > 0)
            {
                total = (await _fleet.ScanAsync(shard, new ScanWork { Scan = ShardScan.WeightTotal, Carry = [total], WeightShift = _weightShift }, _cancellationToken)
                    .ConfigureAwait(false))[0];
            }
        }

        return total;
    }

    /// <summary>
    /// The (sample-weighted) data moments of the concatenated rows, each shard
    /// continuing the running moments of the shards before it — on shards that start at multiples of
    /// <see cref="WeightedMoments.ChunkSize"/> rows, the bits of <see cref="WeightedMoments.FromRows"/> on all the rows.
    /// </summary>
    /// <remarks>Call after <see cref="FrameAsync"/> (the moments are those of the rows in its units).</remarks>
    /// <exception cref="ArgumentException">The weights sum to zero.</exception>
    public async Task<WeightedMoments> MomentsAsync(bool fullScatter)
    {
        var running = new WeightedMoments(_columns, fullScatter);
        IReadOnlyList<int> counts = _fleet.RowCounts;
        var pass = new GaussianPass();
        for (int shard = 0; shard < counts.Count; shard++)
        {
            if (counts[shard] > 0)
            {
                running = await _fleet.ComputeOnAsync<WeightedMoments>(shard, running, pass, _cancellationToken).ConfigureAwait(false);
            }
        }

        if (!(running.Weight > 0))
        {
            throw new ArgumentException("The weights sum to zero; at least one row must have a positive weight.", "sampleWeights");
        }

        _lastReturn = Stopwatch.GetTimestamp();
        return running;
    }

    /// <summary>
    /// The engine's E-step of its current components through the shards: <paramref name="model"/> (those components as a
    /// model the shards can rebuild them from) with the engine's centre and block size to every shard, the parts folded into
    /// <c>engine.Totals</c>; returns the mean log-likelihood (as <see cref="GaussianMixtureEngine.EStep"/>).
    /// </summary>
    public double EStep(GaussianMixtureEngine engine, object model)
    {
        _fleet.AddDriverTime(Stopwatch.GetTimestamp() - _lastReturn); // the M-step and bound since the last E-step
        (GaussianMixtureStatistics[] parts, long[] partRows) = _fleet.RoundAsync<GaussianMixtureStatistics>(model, _round++, _cancellationToken,
            gaussian: new GaussianPass(engine.Current.Shift, engine.BlockSize)).GetAwaiter().GetResult();
        long started = Stopwatch.GetTimestamp();
        MixtureStatistics totals = engine.Totals;
        totals.Reset();
        var fold = new MixtureSuperblockFold(totals.K, totals.D, totals.FullScatter, engine.BlockSize);
        long first = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            fold.AddPart(totals, parts[p].Totals, first / KMeansStatistics.SuperblockRows);
            first += partRows[p];
        }

        fold.Finish(totals);
        _lastReturn = Stopwatch.GetTimestamp();
        _fleet.AddDriverTime(_lastReturn - started);
        return totals.LogLikelihood / totals.SampleWeight;
    }

    /// <summary>Row <paramref name="row"/> of the concatenated rows, fetched from its shard.</summary>
    public double[] RowAt(int row)
    {
        IReadOnlyList<int> counts = _fleet.RowCounts;
        int shard = 0, local = row;
        while (local >= counts[shard])
        {
            local -= counts[shard++];
        }

        SeedingReply reply = _fleet.SeedAsync(shard, new SeedingWork { Step = SeedingStep.Rows, Indices = [local], Dimension = _columns }, _cancellationToken)
            .GetAwaiter().GetResult();
        return reply.Rows; // in the fit's units: the fleet's frame went with the call
    }
}
