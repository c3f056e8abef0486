using Orleans.Runtime;

namespace LatentModels.Orleans;

/// <summary>
/// The driver's side of the shards: one grain per source, the initial load, and one E-step round — the model sent to
/// every shard at once, each call bounded by the time-out and retried (after reloading the shard when it lost its rows)
/// at most <see cref="DistributedFitOptions.MaxRetriesPerShard"/> times, the replies returned in shard order.
/// </summary>
internal sealed class ShardFleet
{
    private readonly IShardGrain[] _grains;
    private readonly IReadOnlyList<ShardSource> _sources;
    private readonly DistributedFitOptions _options;
    private readonly string[] _shardSilos;
    private readonly int[] _rows;
    private readonly List<string> _silos = [];
    private readonly object _gate = new();
    private int _retries, _reloads;
    private long _bytes, _waitTicks, _driverTicks, _rounds;
    private bool _loaded, _weighted;
    private int[] _rowCounts = [];
    private int _columns;

    public ShardFleet(IGrainFactory grains, IReadOnlyList<ShardSource> sources, DistributedFitOptions options)
    {
        _sources = sources;
        _options = options;
        _grains = new IShardGrain[sources.Count];
        for (int i = 0; i < sources.Count; i++)
        {
            _grains[i] = grains.GetGrain<IShardGrain>($"{options.FitId}/{i}");
        }

        _shardSilos = new string[sources.Count];
        _rows = new int[sources.Count];
        Array.Fill(_shardSilos, "");
    }

    public int Retries => Volatile.Read(ref _retries);

    /// <summary>The thread cap of each shard's computation (<see cref="DistributedFitOptions.MaxDegreeOfParallelismPerShard"/>).</summary>
    public int MaxDegreeOfParallelismPerShard => _options.MaxDegreeOfParallelismPerShard;

    /// <summary>The rows of all the shards (known once they are loaded).</summary>
    public long TotalRows => _rows.Sum(r => (long)r);

    public int Reloads => Volatile.Read(ref _reloads);

    public long StatisticsBytes => Interlocked.Read(ref _bytes);

    /// <summary>Rounds (E-steps on every shard) so far in this fit.</summary>
    public int Rounds => (int)Interlocked.Read(ref _rounds);

    /// <summary>Time spent waiting for the shards' replies (their E-steps, transport, retries).</summary>
    public TimeSpan WaitTime => TimeSpan.FromSeconds((double)Interlocked.Read(ref _waitTicks) / System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Time the driver spent on its own (serialising the model, parsing the replies, merging, updating).</summary>
    public TimeSpan DriverTime => TimeSpan.FromSeconds((double)Interlocked.Read(ref _driverTicks) / System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Adds driver time measured outside the fleet (the merge and the update).</summary>
    public void AddDriverTime(long ticks) => Interlocked.Add(ref _driverTicks, ticks);

    public IReadOnlyList<string> Silos
    {
        get
        {
            lock (_gate)
            {
                return _silos.ToArray();
            }
        }
    }

    public IReadOnlyList<string> ShardSilos
    {
        get
        {
            lock (_gate)
            {
                return (string[])_shardSilos.Clone();
            }
        }
    }

    /// <summary>Resets the counters of a new fit (the grains keep their rows).</summary>
    public void BeginFit()
    {
        lock (_gate)
        {
            _silos.Clear();
            Array.Fill(_shardSilos, "");
        }

        _retries = 0;
        _reloads = 0;
        _bytes = 0;
        _waitTicks = 0;
        _driverTicks = 0;
        _rounds = 0;
    }

    /// <summary>Loads every shard once (the first fit on this fleet); later losses are reloads.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        ShardReply[] replies = await Task.WhenAll(Enumerable.Range(0, _grains.Length).Select(i => WithRetries(i, async Task<ShardReply?> () =>
        {
            ShardReply reply = await Call(_grains[i].LoadAsync(_sources[i]), cancellationToken).ConfigureAwait(false);
            Record(i, reply.Silo);
            _rows[i] = reply.Rows;
            return reply;
        }, cancellationToken))).ConfigureAwait(false);
        _rowCounts = [.. replies.Select(r => r.Rows)];
        MergeRange(replies);
        _columns = replies.FirstOrDefault(r => r.Rows > 0)?.Columns ?? 0;
        _weighted = replies.Any(r => r.Weighted);
        _loaded = true;
    }

    /// <summary>The rows of every shard, in shard order (after <see cref="LoadAsync"/>).</summary>
    public IReadOnlyList<int> RowCounts => _rowCounts;

    /// <summary>
    /// The range frame of all the shards' rows (<see cref="Statistics.RangeFrame.ForRows(double[,])"/> of their
    /// concatenation: the loads' column extremes and largest magnitudes, merged in shard order — exact in any order); the
    /// identity before the load.
    /// </summary>
    public Statistics.RangeFrame DataFrame { get; private set; } = Statistics.RangeFrame.Identity;

    /// <summary>The largest absolute value of all the shards' rows (from the loads).</summary>
    public double LargestMagnitude { get; private set; }

    /// <summary>The power of two the sample weights are divided by (<see cref="Statistics.RangeFrame.WeightExponentOfMax"/> of the largest weight; 0 without weights).</summary>
    public int WeightExponent { get; private set; }

    /// <summary>The largest sample weight of all the shards (from the loads; 0 without weights).</summary>
    public double LargestWeight { get; private set; }

    /// <summary>The per-column minima of all the shards' rows (from the loads; empty before).</summary>
    public IReadOnlyList<double> ColumnMinima { get; private set; } = [];

    /// <summary>The per-column maxima of all the shards' rows (from the loads; empty before).</summary>
    public IReadOnlyList<double> ColumnMaxima { get; private set; } = [];

    /// <summary>
    /// The units every call computes in (null: the rows as given). A K-Means fit sets its frame for its duration; one driver
    /// runs one fit at a time.
    /// </summary>
    public ShardFrame? Frame { get; set; }

    private void MergeRange(ShardReply[] replies)
    {
        double largest = 0, largestWeight = 0;
        double[] min = [], max = [];
        foreach (ShardReply reply in replies)
        {
            if (reply.Rows == 0)
            {
                continue;
            }

            if (reply.ColumnMinima.Length != reply.Columns || reply.ColumnMaxima.Length != reply.Columns)
            {
                throw new DistributedFitException($"A shard returned {reply.ColumnMinima.Length} column minima for {reply.Columns} columns.");
            }

            if (min.Length == 0)
            {
                min = (double[])reply.ColumnMinima.Clone();
                max = (double[])reply.ColumnMaxima.Clone();
            }
            else if (min.Length == reply.Columns)
            {
                for (int p = 0; p < min.Length; p++)
                {
                    min[p] = Math.Min(min[p], reply.ColumnMinima[p]);
                    max[p] = Math.Max(max[p], reply.ColumnMaxima[p]);
                }
            }

            largest = Math.Max(largest, reply.LargestMagnitude);
            largestWeight = Math.Max(largestWeight, reply.LargestWeight);
        }

        LargestMagnitude = largest;
        LargestWeight = largestWeight;
        ColumnMinima = min;
        ColumnMaxima = max;
        DataFrame = min.Length == 0 ? Statistics.RangeFrame.Identity : Statistics.RangeFrame.FromExtremes(largest, min, max);
        WeightExponent = Statistics.RangeFrame.WeightExponentOfMax(largestWeight);
    }

    /// <summary>The width of the rows (after <see cref="LoadAsync"/>; 0 when every shard is empty).</summary>
    public int Columns => _columns;

    /// <summary>Whether any shard's rows carry sample weights (after <see cref="LoadAsync"/>).</summary>
    public bool Weighted => _weighted;

    /// <summary>One seeding step on one shard (reloading it when it lost its rows), with the retries of a round.</summary>
    public async Task<SeedingReply> SeedAsync(int shard, SeedingWork work, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        work.Frame = Frame;
        ShardReply reply = await CallWithReload(shard, grain => grain.SeedAsync(work), cancellationToken).ConfigureAwait(false);
        return reply.Seeding ?? throw new DistributedFitException($"Shard {shard} ({_sources[shard].Describe()}) returned no seeding step.") { Shard = shard };
    }

    /// <summary>
    /// One E-step on every shard: the statistics parts of each, in shard and row order (a K-Means shard cuts its statistics
    /// at the global superblock boundaries), with the rows each part covers; or, with a positive
    /// <paramref name="farRowCapacity"/>, each shard's <see cref="Statistics.KMeansFarRows"/>.
    /// </summary>
    /// <remarks>With a <paramref name="gaussian"/> pass (a Gaussian mixture or variational posterior), every shard returns the
    /// engine's E-step centred on its centre, in blocks of its block size cut at the global superblock boundaries.</remarks>
    public async Task<(T[] Parts, long[] PartRows)> RoundAsync<T>(object model, int iteration, CancellationToken cancellationToken, int farRowCapacity = 0,
        GaussianPass? gaussian = null) where T : class
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        long serializing = System.Diagnostics.Stopwatch.GetTimestamp();
        ModelPayload payload = ModelPayload.Encode(model);
        var works = new ShardWork[_grains.Length];
        long firstRow = 0;
        for (int i = 0; i < works.Length; i++)
        {
            works[i] = gaussian?.Work(payload, _options.MaxDegreeOfParallelismPerShard, iteration, firstRow, Frame) ?? new ShardWork
            {
                Frame = Frame,
                Model = payload,
                MaxDegreeOfParallelism = _options.MaxDegreeOfParallelismPerShard,
                Iteration = iteration,
                FirstRow = firstRow,
                FarRowCapacity = farRowCapacity,
            };
            firstRow += _rows[i];
        }

        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _driverTicks, started - serializing);
        ShardReply[] replies = await Task.WhenAll(Enumerable.Range(0, _grains.Length)
            .Select(i => CallWithReload(i, grain => grain.ComputeAsync(works[i]), cancellationToken))).ConfigureAwait(false);
        long received = System.Diagnostics.Stopwatch.GetTimestamp();
        var parts = new List<T>(replies.Length);
        var partRows = new List<long>(replies.Length);
        for (int i = 0; i < replies.Length; i++)
        {
            ModelPayload[] shardParts = replies[i].Parts
                ?? [replies[i].Statistics ?? throw new DistributedFitException($"Shard {i} ({_sources[i].Describe()}) returned no statistics.") { Shard = i }];
            foreach (ModelPayload part in shardParts)
            {
                Interlocked.Add(ref _bytes, part.Length);
                parts.Add(part.Decode<T>());
            }

            if (shardParts.Length == 1)
            {
                partRows.Add(_rows[i]);
            }
            else
            {
                partRows.AddRange(Statistics.KMeansStatistics.PartRows(works[i].FirstRow, _rows[i]).Select(p => (long)p.Count));
                if (partRows.Count != parts.Count)
                {
                    throw new DistributedFitException($"Shard {i} ({_sources[i].Describe()}) returned {shardParts.Length} parts for {_rows[i]} rows.") { Shard = i };
                }
            }
        }

        var result = (parts.ToArray(), partRows.ToArray());

        long parsed = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _waitTicks, received - started);
        Interlocked.Add(ref _driverTicks, parsed - received);
        Interlocked.Increment(ref _rounds);
        return result;
    }

    /// <summary>
    /// The statistics of <paramref name="model"/> on one shard (with the bounded retries and reloads of a round): the step of
    /// a pass that visits the shards one after another, carrying a running value (the data moments) from shard to shard.
    /// </summary>
    public async Task<T> ComputeOnAsync<T>(int shard, object model, GaussianPass pass, CancellationToken cancellationToken) where T : class
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        ShardWork work = pass.Work(ModelPayload.Encode(model), _options.MaxDegreeOfParallelismPerShard, 0, _rows.Take(shard).Sum(r => (long)r), Frame);
        ShardReply reply = await CallWithReload(shard, grain => grain.ComputeAsync(work), cancellationToken).ConfigureAwait(false);
        ModelPayload statistics = reply.Statistics ?? throw new DistributedFitException($"Shard {shard} ({_sources[shard].Describe()}) returned no statistics.") { Shard = shard };
        Interlocked.Add(ref _bytes, statistics.Length);
        return statistics.Decode<T>();
    }

    /// <summary>A pass that reads one shard's rows without a model (<see cref="ScanWork"/>), with the bounded retries and reloads of a round.</summary>
    public async Task<double[]> ScanAsync(int shard, ScanWork work, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        ShardReply reply = await CallWithReload(shard, grain => grain.ScanAsync(work), cancellationToken).ConfigureAwait(false);
        return reply.Carry ?? throw new DistributedFitException($"Shard {shard} ({_sources[shard].Describe()}) returned no values.") { Shard = shard };
    }

    /// <summary>
    /// A call to one shard with the bounded retries; a grain that answers without rows (it was reactivated, e.g. on another
    /// silo) is reloaded from its source and asked again.
    /// </summary>
    private Task<ShardReply> CallWithReload(int shard, Func<IShardGrain, Task<ShardReply>> call, CancellationToken cancellationToken) =>
        WithRetries(shard, async Task<ShardReply?> () =>
        {
            ShardReply reply = await Call(call(_grains[shard]), cancellationToken).ConfigureAwait(false);
            if (!reply.Loaded)
            {
                Interlocked.Increment(ref _reloads);
                ShardReply loaded = await Call(_grains[shard].LoadAsync(_sources[shard]), cancellationToken).ConfigureAwait(false);
                Record(shard, loaded.Silo);
                return null;
            }

            Record(shard, reply.Silo);
            return reply;
        }, cancellationToken);

    private Task<ShardReply> Call(Task<ShardReply> call, CancellationToken cancellationToken) =>
        call.WaitAsync(_options.ShardTimeout, cancellationToken);

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns a reply; a null reply (a reload) or a fault (time-out, dead or
    /// unreachable silo) costs one retry. Errors of the data or the model (argument, format, fitting errors) are not
    /// retried: they would fail again on any silo.
    /// </summary>
    private async Task<ShardReply> WithRetries(int shard, Func<Task<ShardReply?>> attempt, CancellationToken cancellationToken)
    {
        int failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception? fault = null;
            try
            {
                ShardReply? reply = await attempt().ConfigureAwait(false);
                if (reply is not null)
                {
                    return reply;
                }
            }
            catch (Exception e) when (IsFault(e, cancellationToken))
            {
                fault = e;
                Interlocked.Increment(ref _retries);
            }

            if (++failures > _options.MaxRetriesPerShard)
            {
                string message = $"Shard {shard} ({_sources[shard].Describe()}) failed {failures} times; the limit is {_options.MaxRetriesPerShard} retries.";
                throw fault is null ? new DistributedFitException(message) { Shard = shard } : new DistributedFitException(message, fault) { Shard = shard };
            }

            if (fault is not null)
            {
                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsFault(Exception e, CancellationToken cancellationToken) =>
        e is TimeoutException or OrleansException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private void Record(int shard, string silo)
    {
        lock (_gate)
        {
            _shardSilos[shard] = silo;
            if (!_silos.Contains(silo))
            {
                _silos.Add(silo);
            }
        }
    }
}
