using LatentModels.Statistics;

namespace LatentModels.Orleans;

/// <summary>The rows of one shard as a shard grain holds them in memory (never sent over the wire).</summary>
public sealed class ShardData
{
    /// <summary>Wraps rows (not copied) and optional sample weights.</summary>
    /// <param name="rows">n × d rows, finite.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row.</param>
    /// <exception cref="ArgumentException">A value is not finite or the weights do not match the rows (the message names the row).</exception>
    public ShardData(double[,] rows, double[]? sampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.GetLength(0), d = rows.GetLength(1);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (!double.IsFinite(rows[i, j]))
                {
                    throw new ArgumentException($"The value at row {i}, column {j} is {rows[i, j]}; values must be finite.", nameof(rows));
                }
            }
        }

        if (sampleWeights is not null)
        {
            if (sampleWeights.Length != n)
            {
                throw new ArgumentException($"There are {sampleWeights.Length} sample weights for {n} rows.", nameof(sampleWeights));
            }

            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(sampleWeights[i]) || sampleWeights[i] < 0)
                {
                    throw new ArgumentException($"The sample weight of row {i} is {sampleWeights[i]}; weights must be finite and non-negative.", nameof(sampleWeights));
                }
            }
        }

        Rows = rows;
        SampleWeights = sampleWeights;
    }

    private readonly object _gate = new();
    private (RangeFrame Frame, int WeightShift, ShardData Data)? _framed;

    /// <summary>
    /// The rows in the units of <paramref name="frame"/> and the weights divided by 2^<paramref name="weightShift"/> (as one
    /// machine maps them for data of extreme range); this data itself for the identity, otherwise a copy kept until
    /// another frame is asked for.
    /// </summary>
    internal ShardData InFrame(RangeFrame frame, int weightShift)
    {
        if (frame.IsIdentity && weightShift == 0)
        {
            return this;
        }

        lock (_gate)
        {
            if (_framed is { } f && f.WeightShift == weightShift && Same(f.Frame, frame))
            {
                return f.Data;
            }

            double[]? weights = SampleWeights;
            if (weights is not null && weightShift != 0)
            {
                weights = (double[])weights.Clone();
                RangeFrame.NormalizeWeights(weights, weightShift);
            }

            var data = new ShardData(frame.IsIdentity ? Rows : frame.ToFrame(Rows), weights);
            _framed = (frame, weightShift, data);
            return data;
        }
    }

    private static bool Same(RangeFrame a, RangeFrame b) =>
        a.Prescale == b.Prescale && a.Scale == b.Scale && (a.Centre is null ? b.Centre is null
            : b.Centre is not null && System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(a.Centre).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(b.Centre)));

    /// <summary>The n × d rows.</summary>
    public double[,] Rows { get; }

    /// <summary>Per-row sample weights, or null (every row weighs 1).</summary>
    public double[]? SampleWeights { get; }

    /// <summary>The number of rows n.</summary>
    public int Count => Rows.GetLength(0);

    /// <summary>The width d.</summary>
    public int Dimension => Rows.GetLength(1);
}
