using LatentModels.Persistence;
using Orleans.Placement;
using Orleans.Runtime;

namespace LatentModels.Orleans;

/// <summary>
/// The shard grain: holds its partition's rows in memory and answers the driver's E-steps (see <see cref="IShardGrain"/>).
/// Rows are never persisted: a reactivated grain reloads them from its <see cref="ShardSource"/> when the driver asks.
/// Shards are placed at random, which spreads a fit's shards over the silos.
/// </summary>
[RandomPlacement]
public sealed class ShardGrain : Grain, IShardGrain
{
    private readonly string _silo;
    private ShardData? _data;

    // The rows in the frame of the current K-Means fit (mapped once per frame; null: none mapped yet).
    private ShardData? _framed;
    private ShardFrame? _frame;

    /// <summary>Created by Orleans on activation.</summary>
    /// <param name="silo">The hosting silo (its address is reported with every reply).</param>
    public ShardGrain(ILocalSiloDetails silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _silo = silo.SiloAddress.ToString();
    }

    /// <inheritdoc />
    public async Task<ShardReply> LoadAsync(ShardSource source)
    {
        ArgumentNullException.ThrowIfNull(source);

        // On the thread pool, not the grain's scheduler: a source may block on asynchronous I/O (Parquet.Net's reader
        // does), whose continuations would otherwise queue behind the blocked grain turn and never run.
        _data = await Task.Run(source.Load).ConfigureAwait(true);
        _framed = null;
        _frame = null;
        return LoadedWithRange();
    }

    /// <inheritdoc />
    public Task<ShardReply> SeedAsync(SeedingWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.FromResult(_data is null ? new ShardReply { Loaded = false, Silo = _silo } : Shielded(() => Loaded(ShardSeeding.Compute(work, Data(work.Frame)))));
    }

    /// <summary>The reply to a load: the shape and the shard's part of the range pass (column extremes, largest magnitude and weight).</summary>
    private ShardReply LoadedWithRange()
    {
        ShardData data = _data!;
        int n = data.Count, d = data.Dimension;
        var min = new double[d];
        var max = new double[d];
        min.AsSpan().Fill(double.PositiveInfinity);
        max.AsSpan().Fill(double.NegativeInfinity);
        double largest = Statistics.RangeFrame.AddExtremes(data.Rows.AsSpan(), n, d, min, max);
        double largestWeight = data.SampleWeights is { Length: > 0 } w ? System.Numerics.Tensors.TensorPrimitives.Max(w) : 0;
        return new ShardReply
        {
            Loaded = true,
            Silo = _silo,
            Rows = n,
            Columns = d,
            Weighted = data.SampleWeights is not null,
            ColumnMinima = min,
            ColumnMaxima = max,
            LargestMagnitude = largest,
            LargestWeight = largestWeight,
        };
    }

    /// <summary>The shard's rows in <paramref name="frame"/> (as loaded for null), mapped once per frame.</summary>
    private ShardData Data(ShardFrame? frame)
    {
        if (frame is null)
        {
            return _data!;
        }

        if (!frame.SameAs(_frame))
        {
            _framed = frame.Map(_data!);
            _frame = frame;
        }

        return _framed!;
    }

    private ShardReply Loaded(SeedingReply? seeding = null) =>
        new() { Loaded = true, Silo = _silo, Rows = _data!.Count, Columns = _data.Dimension, Weighted = _data.SampleWeights is not null, Seeding = seeding };

    /// <inheritdoc />
    public Task<ShardReply> ScanAsync(ScanWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.FromResult(_data is null
            ? new ShardReply { Loaded = false, Silo = _silo }
            : Shielded(() => new ShardReply { Loaded = true, Silo = _silo, Rows = _data.Count, Carry = ShardStatistics.Scan(work, _data) }));
    }

    /// <inheritdoc />
    public Task<ShardReply> ComputeAsync(ShardWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_data is null)
        {
            return Task.FromResult(new ShardReply { Loaded = false, Silo = _silo });
        }

        IReadOnlyList<ModelPayload> parts = Shielded(() => ShardStatistics.ComputeParts(work, Data(work.Frame)));
        return Task.FromResult(parts.Count == 1
            ? new ShardReply { Loaded = true, Statistics = parts[0], Silo = _silo, Rows = _data.Count }
            : new ShardReply { Loaded = true, Parts = [.. parts], Silo = _silo, Rows = _data.Count });
    }

    /// <summary>
    /// Runs a shard's computation, re-raising the core library's own exceptions as the framework types they derive from
    /// (same message): Orleans carries framework exceptions back to the driver, but has no codec for the library's types, so
    /// a <see cref="ModelFormatException"/> (e.g. a posterior beyond the payload format's bounds) would reach the driver as
    /// a serialization fault, be retried as one, and end as "failed N times" instead of naming its cause.
    /// </summary>
    private static T Shielded<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (ModelFormatException e)
        {
            throw new FormatException(e.Message);
        }
        catch (FittingException e)
        {
            throw new InvalidOperationException(e.Message);
        }
        catch (Data.RowFormatException e)
        {
            throw new InvalidDataException(e.Message);
        }
    }
}
