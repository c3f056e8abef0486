using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>
/// The units a distributed K-Means fit works in, sent with every call: the range frame of all the shards' rows
/// (z = (x·2^−<see cref="Prescale"/> − <see cref="Centre"/>)·2^−<see cref="Scale"/>, exact powers of two) and the power of
/// two the sample weights are divided by — what <see cref="Clustering.KMeans"/> works in on one machine when the data lie
/// beyond 2^±200 or far from the origin relative to their spread, or the weights outside [2^−20, 2^20]. A shard maps its
/// rows once per frame and computes on the mapped rows.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed class ShardFrame
{
    /// <summary>e₁: the rows are first multiplied by 2^−e₁.</summary>
    [Id(0)]
    public int Prescale { get; init; }

    /// <summary>m: the per-column centre subtracted after the prescale (null: none).</summary>
    [Id(1)]
    public double[]? Centre { get; init; }

    /// <summary>e₂: the centred rows are multiplied by 2^−e₂.</summary>
    [Id(2)]
    public int Scale { get; init; }

    /// <summary>The sample weights are divided by 2^this (0: unchanged).</summary>
    [Id(3)]
    public int WeightExponent { get; init; }

    /// <summary>The wire form of a frame and weight exponent; null when they change nothing (the rows as given).</summary>
    internal static ShardFrame? Of(RangeFrame frame, int weightExponent) =>
        frame.IsIdentity && weightExponent == 0 ? null : new ShardFrame { Prescale = frame.Prescale, Centre = frame.Centre, Scale = frame.Scale, WeightExponent = weightExponent };

    /// <summary>True when <paramref name="other"/> is the same frame (the shard's cache of mapped rows is still valid).</summary>
    internal bool SameAs(ShardFrame? other) =>
        other is not null && other.Prescale == Prescale && other.Scale == Scale && other.WeightExponent == WeightExponent
        && (Centre is null ? other.Centre is null : other.Centre is not null && Centre.AsSpan().SequenceEqual(other.Centre));

    /// <summary>The shard's rows and weights in this frame (new arrays; the given data are not modified).</summary>
    /// <exception cref="ArgumentException">The centre's length is not the rows' width.</exception>
    internal ShardData Map(ShardData data)
    {
        int d = data.Dimension;
        if (Centre is not null && Centre.Length != d)
        {
            throw new ArgumentException($"The frame's centre has {Centre.Length} columns; the shard's rows have {d}.", nameof(data));
        }

        RangeFrame frame = RangeFrame.Of(Prescale, Centre, Scale);
        var rows = new double[data.Count, d];
        frame.ToFrame(data.Rows.AsSpan(), rows.AsWritableSpan(), d);
        double[]? weights = data.SampleWeights;
        if (weights is not null && WeightExponent != 0)
        {
            weights = (double[])weights.Clone();
            RangeFrame.NormalizeWeights(weights, WeightExponent);
        }

        return new ShardData(rows, weights);
    }
}
