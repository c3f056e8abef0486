using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentModels.LinearAlgebra;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// One batch K-Means workspace: Lloyd or Hamerly iterations. The assignment runs over row blocks in parallel; the update
/// is the one fold every K-Means driver takes (<see cref="KMeansFold"/>): each chunk of
/// <see cref="KMeansStatistics.ChunkSize"/> rows has its <see cref="KMeansStatistics"/> (recomputed only when a label in it
/// changed: they are a function of the labels), merged in the fixed superblock structure, and the empty-cluster rule of
/// <see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/>. So an iteration here has the bits of
/// <see cref="KMeansStatistics.Compute"/> on the whole array and of the out-of-core and distributed drivers, for any degree
/// of parallelism; both algorithms evaluate every distance they need with the same arithmetic, so they produce the same
/// assignments. All buffers are allocated once per fit.
/// </summary>
internal sealed class LloydEngine
{
    private const double Slack = 1e-12;
    private const int TargetBlocks = 64;
    private const int MinBlockSize = 256;

    private readonly double[,] _data;
    private readonly double[]? _weights;
    private readonly int _n, _d, _k, _blockSize, _blocks, _chunks, _dop;
    private readonly bool _accelerated;
    private readonly CenterTable _table;
    private readonly int[] _labels, _newLabels, _pending;
    private readonly double[] _rowNorms, _best, _second;
    private readonly double[] _upper, _lower, _halfGap, _shift, _lowerShift, _twiceHalfGap;
    private readonly int[] _partialChanged;
    private readonly double[] _chunkWeights, _chunkMeans, _chunkScatters, _chunkTotals;
    private readonly bool[] _dirty, _dirtyAll, _dirtyClusters;
    private readonly KMeansFold _fold;
    private readonly double[] _sums, _clusterWeights;
    private double[] _centers, _nextCenters;
    private readonly Action<int, int, int> _blockBody, _chunkBody;

    // Pass settings, read by the block body.
    private bool _passAssign, _passFull;
    private double _maxShift, _secondMaxShift;
    private int _maxShiftIndex;

    public LloydEngine(double[,] data, double[]? weights, int clusters, KMeansAlgorithm algorithm, int maxDegreeOfParallelism)
    {
        _data = data;
        _weights = weights;
        _n = data.GetLength(0);
        _d = data.GetLength(1);
        _k = clusters;
        _dop = maxDegreeOfParallelism;
        _accelerated = algorithm == KMeansAlgorithm.Accelerated;
        _blockSize = BlockSizeFor(_n);
        _blocks = ParallelBlocks.BlockCount(_n, _blockSize);
        _chunks = ParallelBlocks.BlockCount(_n, KMeansStatistics.ChunkSize);
        _table = new CenterTable(_k, _d);
        _labels = new int[_n];
        _newLabels = new int[_n];
        _best = new double[_n];
        _second = new double[_n];
        _rowNorms = new double[_n];
        _pending = _accelerated ? new int[_n] : [];
        _upper = _accelerated ? new double[_n] : [];
        _lower = _accelerated ? new double[_n] : [];
        _halfGap = new double[_k];
        _lowerShift = new double[_k];
        _twiceHalfGap = new double[_k];
        _shift = new double[_k];
        _partialChanged = new int[_blocks];
        _chunkWeights = new double[_chunks * _k];
        _chunkMeans = new double[_chunks * _k * _d];
        _chunkScatters = new double[_chunks * _k];
        _chunkTotals = new double[_chunks];
        _dirty = new bool[_chunks];
        _dirtyAll = new bool[_chunks];
        _dirtyClusters = new bool[_chunks * _k];
        _fold = new KMeansFold(_k, _d);
        _sums = new double[_k * _d];
        _clusterWeights = new double[_k];
        _centers = new double[_k * _d];
        _nextCenters = new double[_k * _d];
        _blockBody = Block;
        _chunkBody = SummarizeChunk;

        // Row norms (for the accelerated bounds).
        ParallelBlocks.For(_n, _blockSize, _dop, (_, start, end) =>
        {
            ReadOnlySpan<double> x = _data.AsSpan();
            for (int i = start; i < end; i++)
            {
                double s = 0;
                ReadOnlySpan<double> row = x.Slice(i * _d, _d);
                for (int p = 0; p < _d; p++)
                {
                    s = Math.FusedMultiplyAdd(row[p], row[p], s);
                }

                _rowNorms[i] = s;
            }
        });
    }

    /// <summary>
    /// Rows per block for n rows. <see cref="KMeansModel.InertiaOf(double[,])"/> sums in the same blocks, so a fitted model's
    /// <see cref="KMeansModel.Inertia"/> equals its inertia recomputed on the training data to the last bit.
    /// </summary>
    internal static int BlockSizeFor(int n) => Math.Max(MinBlockSize, (n + TargetBlocks - 1) / TargetBlocks);

    /// <summary>The outcome of one start.</summary>
    public sealed record Outcome(double[,] Centers, double Inertia, int Iterations, bool Converged, double[] Trace);

    /// <summary>
    /// Runs one start from the given K × d centers; the fit stops when the total squared center shift is at most
    /// <paramref name="relativeTolerance"/> × the mean column variance pooled from the first assignment step's statistics
    /// (<see cref="KMeansStatistics.MeanColumnVariance"/>: every K-Means driver's threshold).
    /// </summary>
    public Outcome Run(double[,] initial, int maxIterations, double relativeTolerance, int start, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        double absoluteTolerance = 0;
        initial.AsSpan().CopyTo(_centers);
        _table.Load(_centers);
        _labels.AsSpan().Fill(-1);
        var trace = new List<double>();
        bool strict = false, shiftConverged = false;
        int iteration = 0;
        while (iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Pass(assign: true, full: iteration == 0);
            long changed = 0;
            for (int b = 0; b < _blocks; b++)
            {
                changed += _partialChanged[b];
            }

            double inertia = FoldStatistics();
            if (iteration == 0 && relativeTolerance > 0)
            {
                absoluteTolerance = relativeTolerance * KMeansStatistics.MeanColumnVarianceOf(_fold.Weights, _fold.Means, _fold.Scatters, _d);
            }

            trace.Add(inertia);
            iteration++;
            progress?.Report(new FitProgress(start, iteration, maxIterations, inertia));
            (double shiftTotal, bool relocated) = UpdateCenters();
            if (changed == 0 && !relocated)
            {
                strict = true;
                break;
            }

            if (shiftTotal <= absoluteTolerance)
            {
                shiftConverged = true;
                break;
            }
        }

        // As scikit-learn: unless labels stopped changing, a last assignment step makes labels match the final centers; the
        // inertia is that of the statistics (every driver's final inertia, and KMeansModel.InertiaOf's).
        Pass(assign: !strict, full: iteration == 0); // no iteration (a cap of 0): a full assignment to the start
        double finalInertia = FoldStatistics();

        var result = new double[_k, _d];
        _centers.AsSpan().CopyTo(result.AsWritableSpan());
        return new Outcome(result, finalInertia, iteration, strict || shiftConverged, trace.ToArray());
    }

    /// <summary>
    /// The statistics of the chunks whose labels changed, then the fixed fold of all the chunks; returns the inertia of the
    /// current labels against the current centers from the statistics (<see cref="KMeansStatistics.Inertia"/>).
    /// </summary>
    private double FoldStatistics()
    {
        ParallelBlocks.For(_n, KMeansStatistics.ChunkSize, _dop, _chunkBody);
        _fold.Clear();
        for (int c = 0; c < _chunks; c++)
        {
            _fold.AddChunk(_chunkWeights.AsSpan(c * _k, _k), _chunkMeans.AsSpan(c * _k * _d, _k * _d), _chunkScatters.AsSpan(c * _k, _k), _chunkTotals[c]);
        }

        _fold.Finish();
        return KMeansStatistics.InertiaOf(_fold.Weights, _fold.Means, _fold.Scatters, _centers, _d);
    }

    /// <summary>The labels of the last pass.</summary>
    public int[] Labels => _labels;

    private void Pass(bool assign, bool full)
    {
        _passAssign = assign;
        _passFull = full;
        ParallelBlocks.For(_n, _blockSize, _dop, _blockBody);
    }

    /// <summary>Chunk c's statistics under the current labels, when one of its labels changed since they were computed.</summary>
    private void SummarizeChunk(int c, int start, int end)
    {
        if (!_dirty[c])
        {
            return;
        }

        if (_dirtyAll[c])
        {
            KMeansStatistics.SummarizeChunk(_data, _weights, _labels, start, end, _k,
                _chunkWeights.AsSpan(c * _k, _k), _chunkMeans.AsSpan(c * _k * _d, _k * _d), _chunkScatters.AsSpan(c * _k, _k), out _chunkTotals[c]);
        }
        else
        {
            // Only the clusters a row left or joined: each cluster's statistics are a function of its own rows.
            KMeansStatistics.SummarizeClusters(_data, _weights, _labels, start, end, _k, _dirtyClusters.AsSpan(c * _k, _k),
                _chunkWeights.AsSpan(c * _k, _k), _chunkMeans.AsSpan(c * _k * _d, _k * _d), _chunkScatters.AsSpan(c * _k, _k));
        }

        _dirty[c] = false;
        _dirtyAll[c] = false;
        _dirtyClusters.AsSpan(c * _k, _k).Clear();
    }

    private void Block(int b, int start, int end)
    {
        int count = end - start;
        ReadOnlySpan<double> x = _data.AsSpan();
        int changed = 0;
        if (_passAssign)
        {
            Span<double> scratch = _table.ScratchLength <= 1024 ? stackalloc double[_table.ScratchLength] : new double[_table.ScratchLength];
            if (!_accelerated || _passFull)
            {
                _table.NearestRange(x, start, end, _newLabels.AsSpan(start, count), _best.AsSpan(start, count), _second.AsSpan(start, count), scratch);
                for (int i = start; i < end; i++)
                {
                    int a = _newLabels[i];
                    if (a != _labels[i])
                    {
                        changed++;
                        MarkChanged(i, _labels[i], a);
                        _labels[i] = a;
                    }

                    if (_accelerated)
                    {
                        SetBounds(i, _best[i], _second[i]);
                    }
                }
            }
            else
            {
                changed = HamerlyBlock(b, x, start, end, scratch);
            }
        }

        _partialChanged[b] = changed;
    }

    /// <summary>Row i moved from cluster <paramref name="from"/> (−1: not yet assigned) to <paramref name="to"/>.</summary>
    private void MarkChanged(int i, int from, int to)
    {
        int c = i / KMeansStatistics.ChunkSize;
        _dirty[c] = true;
        if (from < 0)
        {
            _dirtyAll[c] = true;
        }
        else
        {
            _dirtyClusters[c * _k + from] = true;
            _dirtyClusters[c * _k + to] = true;
        }
    }

    private void SetBounds(int i, double bestValue, double secondValue)
    {
        double delta = _table.ErrorBound(_rowNorms[i]);
        _upper[i] = Math.Sqrt(Math.Max(0, _rowNorms[i] + bestValue) + delta) * (1 + Slack);
        _lower[i] = Math.Sqrt(Math.Max(0, _rowNorms[i] + secondValue - delta)) * (1 - Slack);
    }

    /// <summary>A hint to bring the cache lines of one row (d doubles) into the cache; no effect on results.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(ref double row) => ScalarKernels.Prefetch(ref row, _d);

    /// <summary>
    /// True when the bounds prove that the assigned center is strictly nearest even after rounding: with
    /// m = max(l, 2·halfGap − u), m(1 − slack) &gt; 0 and (u(1 + slack))² + 2δ &lt; (m(1 − slack))². Branch-free; the bounds
    /// are finite or +∞, never NaN, so the plain maxsd (no branch to mispredict) replaces Math.Max.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Proven(double u, double l, double twiceHalfGap, double delta)
    {
        double g = twiceHalfGap - u;
        double m = ScalarKernels.MaxNoNaN(l, g);
        double uu = u * (1 + Slack), mm = m * (1 - Slack);
        return (mm > 0) & (uu * uu + 2 * delta < mm * mm);
    }

    private int HamerlyBlock(int b, ReadOnlySpan<double> x, int start, int end, Span<double> scratch)
    {
        int m = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(_centers);
        // The block's rows and the per-cluster bound data as local references: no field reloads, no bounds checks and
        // one branch per row in the common case (Math.Max's NaN handling is not needed: bounds are never NaN).
        int count = end - start, d = _d;
        ref int labels = ref _labels[start];
        ref double norms = ref _rowNorms[start];
        ref double upper = ref _upper[start];
        ref double lower = ref _lower[start];
        ref double shift = ref _shift[0];
        ref double lowerShift = ref _lowerShift[0];
        ref double gap = ref _twiceHalfGap[0];
        double errorScale = _table.ErrorScale, maxNorm = _table.MaxNorm;
        // Pass 1, no data access: rows whose bounds prove their label are done; the others are listed.
        ref int candidates = ref _pending[start];
        int c = 0;
        for (int r = 0; r < count; r++)
        {
            int a = Unsafe.Add(ref labels, r);
            double u = Unsafe.Add(ref upper, r) + Unsafe.Add(ref shift, a);
            double l = Unsafe.Add(ref lower, r) - Unsafe.Add(ref lowerShift, a);
            Unsafe.Add(ref upper, r) = u;
            Unsafe.Add(ref lower, r) = l;
            double delta = errorScale * (Unsafe.Add(ref norms, r) + maxNorm); // = _table.ErrorBound(norm), bit for bit
            Unsafe.Add(ref candidates, c) = r;
            c += Proven(u, l, Unsafe.Add(ref gap, a), delta) ? 0 : 1;
        }

        // Pass 2: tighten each listed row's upper bound with the distance to its center, computed directly (its rounding
        // error, at most γ_d‖x − c‖², is covered by delta). The rows are scattered through the data, so each is
        // prefetched a few candidates ahead and the short loop keeps several memory accesses in flight.
        const int Ahead = 8;
        for (int q = 0; q < c; q++)
        {
            if (q + Ahead < c)
            {
                Prefetch(ref Unsafe.Add(ref xr, (nint)(start + Unsafe.Add(ref candidates, q + Ahead)) * d));
            }

            int r = Unsafe.Add(ref candidates, q);
            int a = Unsafe.Add(ref labels, r);
            int i = start + r;
            double delta = errorScale * (Unsafe.Add(ref norms, r) + maxNorm);
            double u = Math.Sqrt(RowReductions.SquaredDistance(ref Unsafe.Add(ref xr, (nint)i * d), ref Unsafe.Add(ref cr, (nint)a * d), d) + delta) * (1 + Slack);
            Unsafe.Add(ref upper, r) = u;
            if (!Proven(u, Unsafe.Add(ref lower, r), Unsafe.Add(ref gap, a), delta))
            {
                _pending[start + m++] = i;
            }
        }

        if (m == 0)
        {
            return 0;
        }

        _table.Nearest(x, _pending.AsSpan(start, m), _newLabels.AsSpan(start, m), _best.AsSpan(start, m), _second.AsSpan(start, m), scratch);
        int changed = 0;
        for (int q = 0; q < m; q++)
        {
            int i = _pending[start + q];
            int a = _newLabels[start + q];
            if (a != _labels[i])
            {
                changed++;
                MarkChanged(i, _labels[i], a);
                _labels[i] = a;
            }

            SetBounds(i, _best[start + q], _second[start + q]);
        }

        return changed;
    }

    /// <summary>
    /// The update from the folded statistics: each cluster's mean, with the empty-cluster rule of
    /// <see cref="KMeansStatistics.NextCenters(KMeansFarRows)"/>; moves the centers and returns Σ shift² and whether a
    /// cluster was re-seeded.
    /// </summary>
    private (double Shift, bool Relocated) UpdateCenters()
    {
        _fold.Weights.CopyTo(_clusterWeights);
        _fold.Means.CopyTo(_sums);
        int relocated = 0;
        if (HasEmpty())
        {
            int empty = 0;
            foreach (double w in _clusterWeights)
            {
                empty += w > 0 ? 0 : 1;
            }

            for (int capacity = empty + _k + 16; ; capacity = (int)Math.Min((long)capacity * 8, Math.Max(_n, 1)))
            {
                var far = new KMeansFarRows(capacity, _d);
                far.OfferAll(_data, _weights, _labels, _centers, 0);
                _fold.Weights.CopyTo(_clusterWeights);
                _fold.Means.CopyTo(_sums);
                relocated = KMeansStatistics.Relocate(_clusterWeights, _sums, _d, far);
                if (relocated >= 0)
                {
                    break;
                }
            }
        }

        KMeansStatistics.NextCentersInto(_clusterWeights, _sums, _centers, _nextCenters);
        double total = KMeansStatistics.SquaredShift(_centers, _nextCenters);
        for (int j = 0; j < _k; j++)
        {
            _shift[j] = Math.Sqrt(RowReductions.SquaredDistance(_nextCenters.AsSpan(j * _d, _d), _centers.AsSpan(j * _d, _d))) * (1 + Slack);
        }

        (_centers, _nextCenters) = (_nextCenters, _centers);
        _table.Load(_centers);
        if (_accelerated)
        {
            UpdateBoundData();
        }

        return (total, relocated > 0);
    }

    private bool HasEmpty()
    {
        foreach (double w in _clusterWeights)
        {
            if (!(w > 0))
            {
                return true;
            }
        }

        return false;
    }

    private void UpdateBoundData()
    {
        _maxShift = 0;
        _secondMaxShift = 0;
        _maxShiftIndex = 0;
        for (int j = 0; j < _k; j++)
        {
            double s = _shift[j];
            if (s > _maxShift)
            {
                _secondMaxShift = _maxShift;
                _maxShift = s;
                _maxShiftIndex = j;
            }
            else if (s > _secondMaxShift)
            {
                _secondMaxShift = s;
            }
        }

        _halfGap.AsSpan().Fill(double.PositiveInfinity);
        for (int j = 0; j < _k; j++)
        {
            ReadOnlySpan<double> cj = _centers.AsSpan(j * _d, _d);
            for (int q = j + 1; q < _k; q++)
            {
                double gap = 0.5 * Math.Sqrt(RowReductions.SquaredDistance(cj, _centers.AsSpan(q * _d, _d))) * (1 - Slack);
                _halfGap[j] = Math.Min(_halfGap[j], gap);
                _halfGap[q] = Math.Min(_halfGap[q], gap);
            }
        }

        for (int j = 0; j < _k; j++)
        {
            _lowerShift[j] = j == _maxShiftIndex ? _secondMaxShift : _maxShift;
            _twiceHalfGap[j] = 2 * _halfGap[j];
        }
    }

}
