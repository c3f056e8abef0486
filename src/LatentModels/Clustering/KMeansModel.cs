using LatentModels.LinearAlgebra;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>A fitted K-Means model: K centers in d dimensions. Immutable; never refers to its training data.</summary>
public sealed class KMeansModel : IClusteringModel
{
    private const int BlockSize = 1024;
    private readonly double[,] _centers;

    // The centers in the model's own frame (see RangeFrame): the same array as _centers when the frame is the identity,
    // i.e. for every model whose centers are in the ordinary range and not far from the origin relative to their spread.
    private readonly RangeFrame _frame;
    private readonly double[] _framed;
    private readonly double _framedMax;

    /// <summary>Creates a model from given centers (copied), e.g. to predict with centers computed elsewhere.</summary>
    /// <param name="centers">K × d centers, finite.</param>
    /// <exception cref="ArgumentException">Null, empty or non-finite centers.</exception>
    public KMeansModel(double[,] centers)
    {
        DataValidation.CheckMatrix(centers, nameof(centers));
        _centers = (double[,])centers.Clone();
        Inertia = double.NaN;
        (_frame, _framed, _framedMax) = Frame(_centers);
    }

    internal KMeansModel(double[,] ownedCenters, double inertia)
    {
        _centers = ownedCenters;
        Inertia = inertia;
        (_frame, _framed, _framedMax) = Frame(_centers);
    }

    private static (RangeFrame Frame, double[] Framed, double Max) Frame(double[,] centers)
    {
        RangeFrame frame = RangeFrame.ForRows(centers);
        double[] framed = frame.IsIdentity ? [] : new double[centers.Length];
        if (!frame.IsIdentity)
        {
            frame.ToFrame(centers.AsSpan(), framed, centers.GetLength(1));
        }

        ReadOnlySpan<double> f = frame.IsIdentity ? centers.AsSpan() : framed;
        return (frame, framed, Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(f)));
    }

    /// <summary>The centers in the model's frame (the centers themselves under the identity frame).</summary>
    private ReadOnlySpan<double> Framed => _frame.IsIdentity ? _centers.AsSpan() : _framed;

    /// <summary>A copy of the K × d centers.</summary>
    public double[,] Centers => (double[,])_centers.Clone();

    /// <inheritdoc />
    public int Clusters => _centers.GetLength(0);

    /// <summary>Dimension d of one observation.</summary>
    public int Dimension => _centers.GetLength(1);

    /// <summary>Σᵢ wᵢ‖xᵢ − μ(xᵢ)‖² on the training data at the end of the fit (NaN for a model built from given centers).</summary>
    public double Inertia { get; }

    /// <summary>The value of one coordinate of one center.</summary>
    /// <param name="cluster">Zero-based cluster index.</param>
    /// <param name="column">Zero-based coordinate.</param>
    public double this[int cluster, int column] => _centers[cluster, column];

    /// <summary>The nearest center of each row (first center on exact ties).</summary>
    /// <param name="data">n × d observations.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or non-finite values.</exception>
    public int[] Predict(double[,] data)
    {
        Check(data);
        int n = data.GetLength(0);
        var labels = new int[n];
        Assign(data, labels, maxDegreeOfParallelism: 0);
        return labels;
    }

    /// <summary>The nearest center of one point.</summary>
    /// <param name="point">d values.</param>
    /// <exception cref="ArgumentException">Wrong length or non-finite values.</exception>
    public int Predict(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        ReadOnlySpan<double> x = point;
        if (!_frame.IsIdentity)
        {
            var framed = new double[point.Length];
            _frame.ToFrame(point, framed, Dimension);
            x = framed;
        }

        if (OutOfRange(x))
        {
            return ExactNearest(x);
        }

        var table = Table();
        Span<int> label = stackalloc int[1];
        Span<double> best = stackalloc double[1], second = stackalloc double[1];
        var scratch = new double[table.ScratchLength];
        Span<int> row = stackalloc int[] { 0 };
        table.Nearest(x, row, label, best, second, scratch);
        return label[0];
    }

    /// <summary>Euclidean distances from every row to every center (n × K).</summary>
    /// <param name="data">n × d observations.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or non-finite values.</exception>
    public double[,] Transform(double[,] data)
    {
        Check(data);
        int n = data.GetLength(0), d = Dimension, k = Clusters;
        var result = new double[n, k];
        ParallelBlocks.For(n, BlockSize, 0, (_, start, end) =>
        {
            ReadOnlySpan<double> x = FramedRows(data, start, end);
            ReadOnlySpan<double> c = Framed;
            Span<double> r = result.AsWritableSpan();
            for (int i = start; i < end; i++)
            {
                ReadOnlySpan<double> xi = x.Slice((i - start) * d, d);
                for (int j = 0; j < k; j++)
                {
                    r[i * k + j] = OutOfRange(xi)
                        ? Math.ScaleB(Math.Sqrt(ScaledSquaredDistance(xi, c.Slice(j * d, d), out int e)), e + _frame.Exponent)
                        : Math.ScaleB(Math.Sqrt(RowReductions.SquaredDistance(xi, c.Slice(j * d, d))), _frame.Exponent);
                }
            }
        });
        return result;
    }

    /// <summary>
    /// Σᵢ‖xᵢ − μ(xᵢ)‖², the inertia of <paramref name="data"/> under this model (each row to its nearest center). Computed
    /// as every K-Means fit computes its final inertia — from the statistics of the assignment
    /// (<see cref="KMeansStatistics.Inertia"/>: Σⱼ Sⱼ + Nⱼ‖mⱼ − cⱼ‖², 1024-row blocks in the fixed superblock fold) — so on the
    /// (unweighted) training data it equals <see cref="Inertia"/> to the last bit. Data beyond the ordinary range (about
    /// 1e±150) are summed row by row in a scaled space instead.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    public double InertiaOf(double[,] data)
    {
        Check(data);
        var labels = new int[data.GetLength(0)];
        Assign(data, labels, 0);
        return WeightedInertiaOf(data, labels, null);
    }

    /// <summary>
    /// <see cref="InertiaOf(double[,])"/> of rows read in chunks (bounded memory): the same statistics in the same fixed
    /// blocks, so the same bits as the array of the same rows. The row-by-row fallback for data beyond the ordinary range
    /// sums in blocks that depend on the number of rows: give it when known (e.g. counted by an earlier pass), otherwise
    /// the source is read once more to count them.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="rows">The number of rows of <paramref name="source"/> when known; checked at the end.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">A chunk has the wrong width, or <paramref name="rows"/> is not the source's number of rows.</exception>
    /// <exception cref="Data.RowFormatException">The source is empty or malformed.</exception>
    public double InertiaOf(Data.IRowChunkSource source, int? rows = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        int n = rows ?? checked((int)Data.RowChunks.Shape(source, cancellationToken).Rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(rows));
        return InertiaOf(new Data.WeightedRowChunks(source, null), n, cancellationToken);
    }

    /// <summary>
    /// The weighted inertia Σ wᵢ‖xᵢ − μ(xᵢ)‖² of n rows read in chunks with their weights read in lockstep (null: all 1),
    /// computed as <see cref="WeightedInertiaOf"/> does — the in-memory fit's final inertia, bit for bit (× 2^<paramref name="weightExponent"/>,
    /// the power of two the weights were divided by, applied with the frame's scale in one step).
    /// </summary>
    internal double InertiaOf(Data.WeightedRowChunks source, int n, CancellationToken cancellationToken, int weightExponent = 0)
    {
        int blockSize = LloydEngine.BlockSizeFor(n), d = Dimension;
        var partial = new double[ParallelBlocks.BlockCount(n, blockSize)];
        var fold = new KMeansFold(Clusters, d);
        bool ordinary = _frame.IsIdentity;
        int[] labels = [];
        long seen = 0;
        foreach ((double[,] chunk, double[]? w, _) in KMeansOutOfCore.Read(source, Dimension, cancellationToken))
        {
            Check(chunk);
            int m = chunk.GetLength(0);
            if (seen + m > n)
            {
                throw new ArgumentException($"{source.Name} has more than the {n} rows given.", "rows");
            }

            if (labels.Length != m)
            {
                labels = new int[m];
            }

            Assign(chunk, labels, 0);
            ordinary = ordinary && !OutOfRange(chunk.AsSpan());
            if (ordinary)
            {
                // Chunks of KMeansOutOfCore.ChunkRows: whole statistics blocks, so the fold is that of the whole data.
                KMeansStatistics.Summarize(chunk, w, labels, 0, m, fold, 0);
            }

            ReadOnlySpan<double> x = FramedRows(chunk, 0, m);
            ReadOnlySpan<double> c = Framed;
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<double> xi = x.Slice(i * d, d);
                double dd = SquaredDistance(xi, c.Slice(labels[i] * d, d));

                partial[(seen + i) / blockSize] += w is null ? dd : w[i] * dd;
            }

            seen += m;
        }

        if (seen != n)
        {
            throw new ArgumentException($"{source.Name} has {seen} rows, not the {n} given.", "rows");
        }

        if (ordinary)
        {
            fold.Finish();
            return Math.ScaleB(KMeansStatistics.InertiaOf(fold.Weights, fold.Means, fold.Scatters, _centers.AsSpan(), d), weightExponent);
        }

        double total = 0;
        foreach (double p in partial)
        {
            total += p;
        }

        return Math.ScaleB(total, 2 * _frame.Exponent + weightExponent);
    }

    /// <summary>
    /// Σᵢ wᵢ‖xᵢ − μ(labelᵢ)‖² of checked data with given labels: from the statistics' fold (every K-Means fit's final
    /// inertia), or row by row in fixed blocks for data beyond the ordinary range; × 2^<paramref name="weightExponent"/> (the
    /// power of two the weights were divided by) in the same step as the frame's scale, so only a sum beyond the largest
    /// double saturates (not an intermediate one).
    /// </summary>
    internal double WeightedInertiaOf(double[,] data, int[] labels, double[]? weights, int weightExponent = 0)
    {
        int n = data.GetLength(0), d = Dimension;
        if (_frame.IsIdentity && !OutOfRange(data.AsSpan()))
        {
            // The statistics' inertia, Σⱼ Sⱼ + Nⱼ‖mⱼ − cⱼ‖² from the fixed fold: every K-Means fit's final inertia.
            var fold = new KMeansFold(Clusters, d);
            KMeansStatistics.Summarize(data, weights, labels, 0, n, fold, 0);
            fold.Finish();
            return Math.ScaleB(KMeansStatistics.InertiaOf(fold.Weights, fold.Means, fold.Scatters, _centers.AsSpan(), d), weightExponent);
        }

        int blockSize = LloydEngine.BlockSizeFor(n); // the fit's blocks: the same sum, to the last bit, as KMeans reports
        int blocks = ParallelBlocks.BlockCount(n, blockSize);
        var partial = new double[blocks];
        ParallelBlocks.For(n, blockSize, 0, (b, start, end) =>
        {
            ReadOnlySpan<double> x = FramedRows(data, start, end);
            ReadOnlySpan<double> c = Framed;
            double s = 0;
            for (int i = start; i < end; i++)
            {
                ReadOnlySpan<double> xi = x.Slice((i - start) * d, d);
                double dd = SquaredDistance(xi, c.Slice(labels[i] * d, d));

                s += weights is null ? dd : weights[i] * dd;
            }

            partial[b] = s;
        });
        double total = 0;
        foreach (double p in partial)
        {
            total += p;
        }

        return Math.ScaleB(total, 2 * _frame.Exponent + weightExponent);
    }

    /// <summary>
    /// True when <see cref="WeightedInertiaOf"/> sums data whose largest magnitude is <paramref name="dataMaxAbs"/> from the
    /// statistics' fold (the model's frame is the identity and nothing can overflow the distance form); false when it sums
    /// row by row (<see cref="RowInertiaParts"/>).
    /// </summary>
    internal bool InertiaFromStatistics(double dataMaxAbs) =>
        _frame.IsIdentity && !(Math.Max(dataMaxAbs, _framedMax) > Math.ScaleB(1.0, RangeFrame.SafeExponent));

    /// <summary>The power of two <see cref="WeightedInertiaOf"/>'s row-by-row sum is scaled by (twice its frame's exponent).</summary>
    internal int RowInertiaExponent => 2 * _frame.Exponent;

    /// <summary>
    /// <see cref="WeightedInertiaOf"/>'s row-by-row sums continued over rows whose first has global index
    /// <paramref name="firstRow"/>: the weighted squared distance of every row to its nearest center (in the model's frame)
    /// added in row order to the sum of its global block of <paramref name="blockSize"/> rows, the first block continuing
    /// from <paramref name="carry"/> (the rows of that block before these). Returns the sums of the blocks the rows touch, in
    /// order; over pieces visited in row order, the blocks' final sums are the single pass's to the bit.
    /// </summary>
    internal double[] RowInertiaParts(double[,] data, double[]? weights, long firstRow, int blockSize, double carry)
    {
        int n = data.GetLength(0), d = Dimension;
        if (n == 0)
        {
            return [];
        }

        var labels = new int[n];
        Assign(data, labels, 0);
        long firstBlock = firstRow / blockSize;
        var parts = new double[(int)((firstRow + n - 1) / blockSize - firstBlock + 1)];
        parts[0] = carry;
        ReadOnlySpan<double> x = FramedRows(data, 0, n);
        ReadOnlySpan<double> c = Framed;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> xi = x.Slice(i * d, d);
            double dd = SquaredDistance(xi, c.Slice(labels[i] * d, d));

            parts[(int)((firstRow + i) / blockSize - firstBlock)] += weights is null ? dd : weights[i] * dd;
        }

        return parts;
    }

    /// <summary>
    /// The statistics of one assignment step on <paramref name="data"/> (per cluster: weight, mean, centered scatter):
    /// compute them on each partition, merge them in a fixed order and take the Lloyd update with
    /// <see cref="KMeansStatistics.ToModel"/>. The same as <see cref="KMeansStatistics.Compute"/>.
    /// </summary>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad.</exception>
    public KMeansStatistics ComputeStatistics(double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0) =>
        KMeansStatistics.Compute(this, data, sampleWeights, maxDegreeOfParallelism);

    /// <summary>The negative inertia of <paramref name="data"/> (higher is better), as scikit-learn's <c>score</c>.</summary>
    /// <param name="data">n × d observations.</param>
    public double Score(double[,] data) => -InertiaOf(data);

    internal ReadOnlySpan<double> CentersSpan => _centers.AsSpan();

    internal CenterTable Table()
    {
        var table = new CenterTable(Clusters, Dimension);
        table.Load(Framed);
        return table;
    }

    internal void Assign(double[,] data, int[] labels, int maxDegreeOfParallelism)
    {
        var table = Table();
        int n = data.GetLength(0);
        var best = new double[n];
        var second = new double[n];
        int d = Dimension;
        ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (_, start, end) =>
        {
            var scratch = new double[table.ScratchLength];
            ReadOnlySpan<double> x = FramedRows(data, start, end);
            table.NearestRange(x, 0, end - start, labels.AsSpan(start, end - start), best.AsSpan(start, end - start), second.AsSpan(start, end - start), scratch);
            if (OutOfRange(x))
            {
                // Rows whose squared norms could overflow the distance form: the exact arg-min in a scaled space.
                for (int i = start; i < end; i++)
                {
                    ReadOnlySpan<double> xi = x.Slice((i - start) * d, d);
                    if (OutOfRange(xi))
                    {
                        labels[i] = ExactNearest(xi);
                    }
                }
            }
        });
    }

    /// <summary>Rows [start, end) of checked data in the model's frame (a view of the data under the identity frame).</summary>
    private ReadOnlySpan<double> FramedRows(double[,] data, int start, int end)
    {
        int d = Dimension;
        ReadOnlySpan<double> x = data.AsSpan().Slice(start * d, (end - start) * d);
        if (_frame.IsIdentity)
        {
            return x;
        }

        var framed = new double[x.Length];
        _frame.ToFrame(x, framed, d);
        return framed;
    }

    /// <summary>
    /// True when values of <paramref name="x"/> (frame units) or the framed centers are so large that ‖x‖², ‖c‖² or x·c
    /// could overflow: the distance form then cannot be trusted.
    /// </summary>
    private bool OutOfRange(ReadOnlySpan<double> x) =>
        x.Length > 0 && Math.Max(Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x)), _framedMax) > Math.ScaleB(1.0, RangeFrame.SafeExponent);

    /// <summary>The nearest center (first on ties) of a row in frame units too large for the distance form.</summary>
    private int ExactNearest(ReadOnlySpan<double> x) => ScaledNearest.Nearest(x, Framed, Clusters, Dimension, _framedMax);

    /// <summary>‖x − c‖² in frame units: by the distance kernel, or scaled (<see cref="ScaledSquaredDistance"/>) for a row out of its range.</summary>
    private double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        if (OutOfRange(x))
        {
            double scaled = ScaledSquaredDistance(x, c, out int e);
            return Math.ScaleB(scaled, 2 * e);
        }

        return RowReductions.SquaredDistance(x, c);
    }

    /// <summary>‖x − c‖² · 2^(−2e) with 2^e the scale of the larger operand: no overflow for any finite values.</summary>
    private double ScaledSquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> c, out int exponent)
    {
        double a = Math.Max(Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x)), _framedMax);
        exponent = a > 0 ? Math.ILogB(a) : 0;
        double s = 0;
        for (int p = 0; p < x.Length; p++)
        {
            double diff = Math.ScaleB(x[p], -exponent) - Math.ScaleB(c[p], -exponent);
            s += diff * diff;
        }

        return s;
    }

    private void Check(double[,] data)
    {
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        DataValidation.CheckFinite(data.AsSpan(), Dimension, nameof(data));
    }
}
