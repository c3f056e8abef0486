using LatentModels.Clustering;
using LatentModels.LinearAlgebra;

namespace LatentModels.Statistics;

/// <summary>
/// The rows K-Means re-seeds empty clusters from: of the positive-weight rows, the <see cref="Capacity"/> farthest from
/// their nearest center (squared distance, larger first; the lower global row index first on ties), each with its row,
/// label and weight. Mergeable in any order to the same result (the order is total), so a partition, a chunk of a file
/// and the whole array give the same candidates. <see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/> applies the
/// rule of <see cref="KMeans"/> to them: each cluster without weight, in order, takes the farthest row whose cluster keeps
/// some weight without it. Immutable.
/// </summary>
public sealed class KMeansFarRows : IMergeableStatistics<KMeansFarRows>
{
    private readonly long[] _indices;
    private readonly double[] _distances;
    private readonly int[] _labels;
    private readonly double[] _weights;
    private readonly double[] _rows;
    private int _count;

    internal KMeansFarRows(int capacity, int dimension)
    {
        Capacity = capacity;
        Dimension = dimension;
        _indices = new long[capacity];
        _distances = new double[capacity];
        _labels = new int[capacity];
        _weights = new double[capacity];
        _rows = new double[capacity * dimension];
    }

    /// <summary>The most rows kept.</summary>
    public int Capacity { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The rows kept (at most <see cref="Capacity"/>).</summary>
    public int Count => _count;

    /// <summary>The positive-weight rows offered (kept or not).</summary>
    public long Offered { get; private set; }

    /// <inheritdoc />
    /// <remarks>The weight of the rows offered.</remarks>
    public double TotalWeight { get; private set; }

    /// <summary>True when every row offered was kept (the candidates are then all the rows).</summary>
    public bool IsComplete => Offered == _count;

    /// <summary>
    /// The candidates of a partition whose first row has global index <paramref name="firstRow"/>: every row of positive
    /// weight with its nearest center under <paramref name="model"/> (first on ties) and its squared distance to it.
    /// </summary>
    /// <param name="model">The centers of the assignment step.</param>
    /// <param name="data">The partition's rows (not modified).</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row.</param>
    /// <param name="firstRow">The global index of the first row (≥ 0).</param>
    /// <param name="capacity">The most rows kept (&gt; 0).</param>
    /// <exception cref="ArgumentException">Bad data, weights, first row or capacity.</exception>
    public static KMeansFarRows Compute(KMeansModel model, double[,] data, double[]? sampleWeights, long firstRow, int capacity)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        }

        var result = new KMeansFarRows(capacity, model.Dimension);
        var labels = new int[data.GetLength(0)];
        model.Assign(data, labels, 0);
        result.OfferAll(data, sampleWeights, labels, model.CentersSpan, firstRow);
        return result;
    }

    /// <summary>Offers every positive-weight row of <paramref name="data"/> under its label (the distance to its center computed here).</summary>
    internal void OfferAll(double[,] data, double[]? sampleWeights, ReadOnlySpan<int> labels, ReadOnlySpan<double> centers, long firstRow)
    {
        int d = Dimension;
        ReadOnlySpan<double> x = data.AsSpan();
        for (int i = 0; i < labels.Length; i++)
        {
            double w = sampleWeights?[i] ?? 1.0;
            if (!(w > 0))
            {
                continue;
            }

            ReadOnlySpan<double> row = x.Slice(i * d, d);
            Offer(firstRow + i, RowReductions.SquaredDistance(row, centers.Slice(labels[i] * d, d)), labels[i], w, row);
        }
    }

    /// <summary>Offers one positive-weight row.</summary>
    internal void Offer(long index, double distance, int label, double weight, ReadOnlySpan<double> row)
    {
        Offered++;
        TotalWeight += weight;
        int at = _count;
        while (at > 0 && Before(distance, index, _distances[at - 1], _indices[at - 1]))
        {
            at--;
        }

        if (at >= Capacity)
        {
            return;
        }

        int last = Math.Min(_count, Capacity - 1);
        for (int q = last; q > at; q--)
        {
            Copy(this, q - 1, q);
        }

        _indices[at] = index;
        _distances[at] = distance;
        _labels[at] = label;
        _weights[at] = weight;
        row.CopyTo(_rows.AsSpan(at * Dimension, Dimension));
        _count = Math.Min(_count + 1, Capacity);
    }

    /// <summary>Candidate q: its global row index, squared distance, label, weight and row.</summary>
    internal (long Index, double Distance, int Label, double Weight, ReadOnlyMemory<double> Row) this[int q] =>
        (_indices[q], _distances[q], _labels[q], _weights[q], _rows.AsMemory(q * Dimension, Dimension));

    /// <summary>Candidates of the same capacity and dimension, none offered: the identity of <see cref="Merge"/>.</summary>
    public KMeansFarRows Empty() => new(Capacity, Dimension);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The other candidates have another capacity or dimension.</exception>
    public KMeansFarRows Merge(KMeansFarRows other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Capacity != Capacity || other.Dimension != Dimension)
        {
            throw new ArgumentException($"Candidates of capacity {other.Capacity} and dimension {other.Dimension} cannot merge with capacity {Capacity} and dimension {Dimension}.", nameof(other));
        }

        var result = new KMeansFarRows(Capacity, Dimension);
        int a = 0, b = 0;
        while (result._count < Capacity && (a < _count || b < other._count))
        {
            bool fromA = b >= other._count || (a < _count && Before(_distances[a], _indices[a], other._distances[b], other._indices[b]));
            if (fromA)
            {
                Copy(this, a++, result, result._count++);
            }
            else
            {
                Copy(other, b++, result, result._count++);
            }
        }

        result.Offered = Offered + other.Offered;
        result.TotalWeight = TotalWeight + other.TotalWeight;
        return result;
    }

    /// <summary>True when (distance, index) comes before (other distance, other index): farther first, then the lower index.</summary>
    private static bool Before(double distance, long index, double otherDistance, long otherIndex) =>
        distance > otherDistance || (distance == otherDistance && index < otherIndex);

    private static void Copy(KMeansFarRows source, int from, int to) => Copy(source, from, source, to);

    private static void Copy(KMeansFarRows source, int from, KMeansFarRows target, int to)
    {
        target._indices[to] = source._indices[from];
        target._distances[to] = source._distances[from];
        target._labels[to] = source._labels[from];
        target._weights[to] = source._weights[from];
        source._rows.AsSpan(from * source.Dimension, source.Dimension).CopyTo(target._rows.AsSpan(to * target.Dimension, target.Dimension));
    }
}
