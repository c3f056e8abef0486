using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>
/// One batch K-Means workspace: Lloyd or Hamerly iterations over fixed row blocks. All buffers are allocated once per
/// fit; an iteration allocates nothing but the parallel loop's bookkeeping. Per-block partial sums are merged in block
/// order, so results are bit-identical for any degree of parallelism, and both algorithms evaluate every distance they
/// need with the same arithmetic, so they produce the same assignments.
/// </summary>
internal sealed class LloydEngine
{
    private const double Slack = 1e-12;
    private const int TargetBlocks = 64;
    private const int MinBlockSize = 256;

    private readonly double[,] _data;
    private readonly double[]? _weights;
    private readonly int _n, _d, _k, _blockSize, _blocks, _dop;
    private readonly bool _accelerated;
    private readonly CenterTable _table;
    private readonly int[] _labels, _newLabels, _pending;
    private readonly double[] _rowNorms, _dist2, _best, _second;
    private readonly double[] _upper, _lower, _halfGap, _shift, _lowerShift, _twiceHalfGap;
    private readonly double[] _partialSums, _partialWeights, _partialSquares, _partialInertia;
    private readonly double[] _dataMean, _centeredNorms, _totalSums, _totalWeights, _totalSquares;
    private bool _recount = true;
    private readonly int[] _partialChanged;
    private readonly double[] _sums, _clusterWeights;
    private double[] _centers, _nextCenters;
    private readonly Action<int, int, int> _blockBody;

    // Pass settings, read by the block body.
    private bool _passAssign, _passFull;
    private int _passStats; // 0 none, 1 exact inertia only, 2 cluster statistics (counted afresh or by label changes)
    private bool _passRecount;
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
        _table = new CenterTable(_k, _d);
        _labels = new int[_n];
        _newLabels = new int[_n];
        _best = new double[_n];
        _second = new double[_n];
        _dist2 = new double[_n];
        _rowNorms = new double[_n];
        _pending = _accelerated ? new int[_n] : [];
        _upper = _accelerated ? new double[_n] : [];
        _lower = _accelerated ? new double[_n] : [];
        _halfGap = new double[_k];
        _lowerShift = new double[_k];
        _twiceHalfGap = new double[_k];
        _shift = new double[_k];
        _partialSums = new double[_blocks * _k * _d];
        _partialWeights = new double[_blocks * _k];
        _partialSquares = new double[_blocks * _k];
        _totalSums = new double[_k * _d];
        _totalWeights = new double[_k];
        _totalSquares = new double[_k];
        _dataMean = new double[_d];
        _centeredNorms = new double[_n];
        _partialInertia = new double[_blocks];
        _partialChanged = new int[_blocks];
        _sums = new double[_k * _d];
        _clusterWeights = new double[_k];
        _centers = new double[_k * _d];
        _nextCenters = new double[_k * _d];
        _blockBody = Block;

        // Row norms and per-block column sums in one pass; the data mean from the sums in block order (so the same bits
        // for any thread count). The cluster statistics are kept about this mean, so the per-iteration inertia needs no
        // pass over the data (see ClusterInertia).
        ParallelBlocks.For(_n, _blockSize, _dop, (block, start, end) =>
        {
            ReadOnlySpan<double> x = _data.AsSpan();
            _partialSums.AsSpan(block * _k * _d, _d).Clear();
            ref double sums = ref _partialSums[block * _k * _d];
            for (int i = start; i < end; i++)
            {
                double s = 0;
                ReadOnlySpan<double> row = x.Slice(i * _d, _d);
                for (int p = 0; p < _d; p++)
                {
                    s = Math.FusedMultiplyAdd(row[p], row[p], s);
                }

                _rowNorms[i] = s;
                RowReductions.Add(ref sums, ref MemoryMarshal.GetReference(row), _d);
            }
        });
        for (int b = 0; b < _blocks; b++)
        {
            RowReductions.Add(ref _dataMean[0], ref _partialSums[b * _k * _d], _d);
        }

        for (int p = 0; p < _d; p++)
        {
            _dataMean[p] /= _n;
        }

        ParallelBlocks.For(_n, _blockSize, _dop, (_, start, end) =>
        {
            ReadOnlySpan<double> x = _data.AsSpan();
            for (int i = start; i < end; i++)
            {
                _centeredNorms[i] = RowReductions.SquaredDistance(x.Slice(i * _d, _d), _dataMean);
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

    /// <summary>Runs one start from the given K × d centers.</summary>
    public Outcome Run(double[,] initial, int maxIterations, double absoluteTolerance, int start, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        initial.AsSpan().CopyTo(_centers);
        _table.Load(_centers);
        _labels.AsSpan().Fill(-1);
        _recount = true;
        var trace = new List<double>();
        bool strict = false, shiftConverged = false;
        int iteration = 0;
        while (iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Pass(assign: true, full: iteration == 0, stats: 2);
            long changed = 0;
            for (int b = 0; b < _blocks; b++)
            {
                changed += _partialChanged[b];
            }

            double inertia = MergeClusterStatistics();

            trace.Add(inertia);
            iteration++;
            progress?.Report(new FitProgress(start, iteration, maxIterations, inertia));
            double shiftTotal = UpdateCenters();
            if (changed == 0)
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

        // As scikit-learn: unless labels stopped changing, a last assignment step makes labels match the final centers.
        Pass(assign: !strict, full: iteration == 0, stats: 1); // no iteration (a cap of 0): a full assignment to the start
        double finalInertia = 0;
        for (int b = 0; b < _blocks; b++)
        {
            finalInertia += _partialInertia[b];
        }

        var result = new double[_k, _d];
        _centers.AsSpan().CopyTo(result.AsWritableSpan());
        return new Outcome(result, finalInertia, iteration, strict || shiftConverged, trace.ToArray());
    }

    /// <summary>The labels of the last pass.</summary>
    public int[] Labels => _labels;

    private void Pass(bool assign, bool full, int stats)
    {
        _passAssign = assign;
        _passFull = full;
        _passStats = stats;
        _passRecount = stats == 2 && _recount;
        ParallelBlocks.For(_n, _blockSize, _dop, _blockBody);
        if (stats == 2)
        {
            _recount = false;
        }
    }

    /// <summary>
    /// Folds the blocks' statistics into the cluster totals in block order (replacing them after a recount, adding the
    /// label changes' deltas otherwise) and returns the inertia of the current labels against the current centers.
    /// </summary>
    private double MergeClusterStatistics()
    {
        int kd = _k * _d;
        if (_passRecount)
        {
            Array.Clear(_totalSums);
            Array.Clear(_totalWeights);
            Array.Clear(_totalSquares);
        }

        for (int b = 0; b < _blocks; b++)
        {
            RowReductions.Add(ref _totalSums[0], ref _partialSums[b * kd], kd);
            for (int j = 0; j < _k; j++)
            {
                _totalWeights[j] += _partialWeights[b * _k + j];
                _totalSquares[j] += _partialSquares[b * _k + j];
            }
        }

        double inertia = 0;
        for (int j = 0; j < _k; j++)
        {
            inertia += ClusterInertia(j);
        }

        return inertia;
    }

    /// <summary>
    /// Σ wᵢ‖xᵢ − cⱼ‖² over cluster j from its statistics about the data mean m: Qⱼ − 2(cⱼ − m)·Tⱼ + Nⱼ‖cⱼ − m‖², with
    /// Tⱼ = Σ wᵢ(xᵢ − m) and Qⱼ = Σ wᵢ‖xᵢ − m‖² (never below 0). Rows are centered on the data mean, so the terms are of
    /// the size of the data's spread, not of its distance from the origin.
    /// </summary>
    private double ClusterInertia(int j)
    {
        double dot = 0, norm = 0;
        for (int p = 0; p < _d; p++)
        {
            double c = _centers[j * _d + p] - _dataMean[p];
            dot += c * _totalSums[j * _d + p];
            norm += c * c;
        }

        return Math.Max(0, _totalSquares[j] - 2 * dot + _totalWeights[j] * norm);
    }

    private void Block(int b, int start, int end)
    {
        int count = end - start;
        ReadOnlySpan<double> x = _data.AsSpan();
        int changed = 0;
        if (_passStats == 2 && !_passRecount)
        {
            ClearBlockStatistics(b);
        }

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
                        Move(b, i, _labels[i], a);
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
        if (_passStats == 1)
        {
            ExactInertia(b, start, end, x);
        }
        else if (_passStats == 2 && _passRecount)
        {
            Recount(b, start, end);
        }
    }

    /// <summary>Clears block b's statistics before its rows are assigned (deltas) or counted afresh.</summary>
    private void ClearBlockStatistics(int b)
    {
        _partialSums.AsSpan(b * _k * _d, _k * _d).Clear();
        _partialWeights.AsSpan(b * _k, _k).Clear();
        _partialSquares.AsSpan(b * _k, _k).Clear();
    }

    /// <summary>Row i moves from cluster <paramref name="from"/> (−1: none) to <paramref name="to"/>: block b's deltas.</summary>
    private void Move(int b, int i, int from, int to)
    {
        if (_passStats != 2 || _passRecount)
        {
            return;
        }

        double w = _weights is null ? 1.0 : _weights[i];
        ref double xi = ref Unsafe.Add(ref MemoryMarshal.GetReference(_data.AsSpan()), (nint)i * _d);
        ref double m = ref _dataMean[0];
        int kd = _k * _d;
        if (from >= 0)
        {
            RowReductions.AddCentered(ref _partialSums[b * kd + from * _d], ref xi, ref m, -w, _d);
            _partialWeights[b * _k + from] -= w;
            _partialSquares[b * _k + from] -= w * _centeredNorms[i];
        }

        RowReductions.AddCentered(ref _partialSums[b * kd + to * _d], ref xi, ref m, w, _d);
        _partialWeights[b * _k + to] += w;
        _partialSquares[b * _k + to] += w * _centeredNorms[i];
    }

    /// <summary>Block b's statistics of every row by its current label (the first pass, and after empty-cluster moves).</summary>
    private void Recount(int b, int start, int end)
    {
        ClearBlockStatistics(b);
        int kd = _k * _d;
        ref double xr = ref MemoryMarshal.GetReference(_data.AsSpan());
        ref double m = ref _dataMean[0];
        for (int i = start; i < end; i++)
        {
            int a = _labels[i];
            double w = _weights is null ? 1.0 : _weights[i];
            RowReductions.AddCentered(ref _partialSums[b * kd + a * _d], ref Unsafe.Add(ref xr, (nint)i * _d), ref m, w, _d);
            _partialWeights[b * _k + a] += w;
            _partialSquares[b * _k + a] += w * _centeredNorms[i];
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
                Move(b, i, _labels[i], a);
                _labels[i] = a;
            }

            SetBounds(i, _best[start + q], _second[start + q]);
        }

        return changed;
    }

    /// <summary>Block b's inertia computed row by row (the final pass); also each row's squared distance to its center.</summary>
    private void ExactInertia(int b, int start, int end, ReadOnlySpan<double> x)
    {
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(_centers);
        double inertia = 0;
        for (int i = start; i < end; i++)
        {
            double dd = RowReductions.SquaredDistance(ref Unsafe.Add(ref xr, (nint)i * _d), ref Unsafe.Add(ref cr, (nint)_labels[i] * _d), _d);
            _dist2[i] = dd;
            inertia += _weights is null ? dd : _weights[i] * dd;
        }

        _partialInertia[b] = inertia;
    }

    /// <summary>Merges block statistics in block order, re-seeds empty clusters, moves the centers; returns Σ shift².</summary>
    private double UpdateCenters()
    {
        // Work on copies of the totals: a relocation moves a row between clusters for this update only (its label
        // changes at the next assignment), after which the statistics are counted afresh.
        _totalSums.CopyTo(_sums, 0);
        _totalWeights.CopyTo(_clusterWeights, 0);
        RelocateEmptyClusters();

        double total = 0;
        for (int j = 0; j < _k; j++)
        {
            Span<double> next = _nextCenters.AsSpan(j * _d, _d);
            ReadOnlySpan<double> old = _centers.AsSpan(j * _d, _d);
            double wj = _clusterWeights[j];
            if (wj > 0)
            {
                ReadOnlySpan<double> sj = _sums.AsSpan(j * _d, _d);
                for (int p = 0; p < _d; p++)
                {
                    next[p] = _dataMean[p] + sj[p] / wj;
                }
            }
            else
            {
                old.CopyTo(next);
            }

            double moved = RowReductions.SquaredDistance(next, old);
            total += moved;
            _shift[j] = Math.Sqrt(moved) * (1 + Slack);
        }

        (_centers, _nextCenters) = (_nextCenters, _centers);
        _table.Load(_centers);
        if (_accelerated)
        {
            UpdateBoundData();
        }

        return total;
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

    /// <summary>Every row's squared distance to its assigned center (needed only to re-seed empty clusters).</summary>
    private void ComputeDistancesToCenters()
    {
        ReadOnlySpan<double> x = _data.AsSpan();
        for (int i = 0; i < _n; i++)
        {
            _dist2[i] = RowReductions.SquaredDistance(x.Slice(i * _d, _d), _centers.AsSpan(_labels[i] * _d, _d));
        }
    }

    /// <summary>
    /// Each cluster that won no weight takes the positive-weight row farthest from its center (lowest index on ties) from
    /// a cluster that keeps some weight, as scikit-learn does; labels are left for the next assignment step.
    /// </summary>
    private void RelocateEmptyClusters()
    {
        List<int>? chosen = null;
        for (int e = 0; e < _k; e++)
        {
            if (_clusterWeights[e] > 0)
            {
                continue;
            }

            if (chosen is null)
            {
                chosen = [];
                _recount = true;
                ComputeDistancesToCenters();
            }

            int far = -1;
            double farDistance = double.NegativeInfinity;
            for (int i = 0; i < _n; i++)
            {
                double wi = _weights is null ? 1.0 : _weights[i];
                if (wi <= 0 || _dist2[i] <= farDistance || !(_clusterWeights[_labels[i]] - wi > 0) || chosen.Contains(i))
                {
                    continue;
                }

                far = i;
                farDistance = _dist2[i];
            }

            if (far < 0)
            {
                continue; // Fewer distinct donors than empty clusters: the center stays where it was.
            }

            chosen.Add(far);
            int donor = _labels[far];
            double w = _weights is null ? 1.0 : _weights[far];
            ReadOnlySpan<double> row = _data.AsSpan().Slice(far * _d, _d);
            Span<double> donorSum = _sums.AsSpan(donor * _d, _d);
            Span<double> emptySum = _sums.AsSpan(e * _d, _d);
            for (int p = 0; p < _d; p++)
            {
                donorSum[p] -= w * (row[p] - _dataMean[p]);
                emptySum[p] = w * (row[p] - _dataMean[p]);
            }

            _clusterWeights[donor] -= w;
            _clusterWeights[e] = w;
        }
    }
}
