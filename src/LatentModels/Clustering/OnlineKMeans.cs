using LatentModels.LinearAlgebra;
using LatentModels.Persistence;
using LatentModels.Randomness;

namespace LatentModels.Clustering;

/// <summary>
/// Online (sequential) K-Means by Robbins–Monro stochastic approximation: each arriving point x is assigned to its nearest
/// center k, which moves by μₖ ← μₖ + ηₖ(x − μₖ). A mini-batch is assigned against the centers as they were when it
/// arrived, then its points update their centers in row order.
/// The complete state (options, centers, counts, buffered points, random generator) saves mid-stream with
/// <see cref="ModelJson.Save(object, string)"/> and, once loaded, continues exactly as the saved estimator would have;
/// only an estimator with a custom <see cref="OnlineKMeansOptions.LearningRate"/> function cannot be saved.
/// </summary>
public sealed class OnlineKMeans : IOnlineEstimator<KMeansModel>
{
    private const int BlockSize = 1024;
    private readonly OnlineKMeansOptions _options;
    private readonly PersistableRandom _random;
    private readonly List<double> _buffer = [];
    private readonly List<double> _bufferWeights = [];
    private readonly int _initializationSize;
    private int _dimension = -1;
    private double[] _centers = [];
    private long[] _counts = [];
    private double[] _weightSums = [];
    private CenterTable? _table;
    private long _sinceReassign;
    private int[] _labels = [];
    private double[] _best = [], _second = [];

    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">Invalid settings (K &lt; 1, bad ratio, explicit centers missing…).</exception>
    public OnlineKMeans(OnlineKMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string p = nameof(options);
        if (options.Clusters < 1)
        {
            throw new ArgumentOutOfRangeException(p, options.Clusters, $"Clusters is {options.Clusters}; at least one cluster is needed.");
        }

        if (!double.IsFinite(options.ReassignmentRatio) || options.ReassignmentRatio < 0 || options.ReassignmentRatio >= 1)
        {
            throw new ArgumentOutOfRangeException(p, options.ReassignmentRatio, $"ReassignmentRatio is {options.ReassignmentRatio}; it must lie in [0, 1).");
        }

        if (!Enum.IsDefined(options.Init))
        {
            throw new ArgumentOutOfRangeException(p, options.Init, $"Init {options.Init} is not a known initialisation.");
        }

        long defaultSize = 3L * options.Clusters;
        if (options.InitializationSize is null && defaultSize > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(p, options.Clusters,
                $"Clusters ({options.Clusters}) makes the default InitializationSize, 3·Clusters = {defaultSize}, larger than {int.MaxValue}; give InitializationSize.");
        }

        _initializationSize = options.InitializationSize ?? (int)defaultSize;
        if (_initializationSize < options.Clusters)
        {
            throw new ArgumentOutOfRangeException(p, _initializationSize, $"InitializationSize ({_initializationSize}) must be at least Clusters ({options.Clusters}).");
        }

        _options = options;
        _random = new PersistableRandom(options.Seed);
        if (options.Init == KMeansInit.Explicit)
        {
            double[,] c = options.InitialCenters ?? throw new ArgumentException("Init is Explicit but InitialCenters is null.", p);
            if (c.GetLength(0) != options.Clusters || c.GetLength(1) == 0)
            {
                throw new ArgumentException($"InitialCenters is {c.GetLength(0)} × {c.GetLength(1)} but must have Clusters = {options.Clusters} rows and at least one column.", p);
            }

            DataValidation.CheckFinite(c.AsSpan(), c.GetLength(1), p);
            Start(c.GetLength(1), c.AsSpan(), initialCount: 0);
        }
        else if (options.InitialCenters is not null)
        {
            throw new ArgumentException($"InitialCenters is set but Init is {options.Init}; set Init = Explicit to use them.", p);
        }
    }

    /// <summary>The settings.</summary>
    public OnlineKMeansOptions Options => _options;

    /// <inheritdoc />
    public long Count { get; private set; }

    /// <summary>Whether the centers exist yet (they do once enough points for the initialisation have arrived).</summary>
    public bool IsInitialized => _table is not null;

    /// <summary>Points won so far by each center (a copy; empty before initialisation).</summary>
    public long[] ClusterCounts => (long[])_counts.Clone();

    /// <summary>
    /// The total sample weight won so far by each center (a copy; empty before initialisation); equal to
    /// <see cref="ClusterCounts"/> when every point has weight 1. The default step of a point of weight w is w / (this sum).
    /// </summary>
    public double[] ClusterWeights => (double[])_weightSums.Clone();

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong dimension or non-finite values.</exception>
    public void Update(ReadOnlySpan<double> point) => Update(point, 1.0);

    /// <summary>
    /// Consumes one point of sample weight <paramref name="weight"/>: it counts as <paramref name="weight"/> copies of itself
    /// (with the default learning rate the center moves by w / Wₖ, Wₖ its total weight, the new point's included; a
    /// point of weight 0 moves nothing).
    /// </summary>
    /// <param name="point">The point; its length must equal the model dimension.</param>
    /// <param name="weight">A finite non-negative weight.</param>
    /// <exception cref="ArgumentException">Wrong dimension, non-finite values, a negative or non-finite weight, or a weight
    /// other than 1 with a custom <see cref="OnlineKMeansOptions.LearningRate"/>.</exception>
    public void Update(ReadOnlySpan<double> point, double weight)
    {
        CheckWeight(weight, nameof(weight));
        int dimension = _dimension;
        StreamInput.CheckPoint(point, ref dimension);
        if (MayFail(1))
        {
            // An initialisation or a custom learning rate can still fail: all-or-nothing through the captured state.
            State saved = Capture();
            try
            {
                UpdatePoint(point, weight, dimension);
            }
            catch
            {
                Restore(saved);
                throw;
            }

            return;
        }

        UpdatePoint(point, weight, dimension);
    }

    /// <summary>One checked point (the default learning rate on initialised centers cannot fail, so nothing is captured then).</summary>
    private void UpdatePoint(ReadOnlySpan<double> point, double weight, int dimension)
    {
        _dimension = dimension;
        Count++;
        if (_table is null)
        {
            Buffer(point, [weight]);
            return;
        }

        if (weight == 0)
        {
            return;
        }

        Span<int> row = [0];
        Span<int> label = stackalloc int[1];
        Span<double> best = stackalloc double[1], second = stackalloc double[1];
        Span<double> scratch = _table.ScratchLength <= 1024 ? stackalloc double[_table.ScratchLength] : new double[_table.ScratchLength];
        _table.Nearest(point, row, label, best, second, scratch);
        label[0] = ScaledNearest.Certified(label[0], best[0], second[0], point, _table, _centers, ScaledNearest.MaxAbs(_centers));

        Move(label[0], point, weight);
        _table.SetCenter(label[0], _centers.AsSpan(label[0] * _dimension, _dimension));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Wrong number of columns or non-finite values.</exception>
    public void Update(double[,] batch) => UpdateCore(batch, null);

    /// <summary>
    /// Consumes a mini-batch of weighted rows (scikit-learn's <c>partial_fit</c> with <c>sample_weight</c>): each row counts
    /// as its weight's worth of copies of itself, so integer weights give the same centers as repeating the rows (up to
    /// rounding), and re-seeding compares the centers' total weights (<see cref="ClusterWeights"/>).
    /// </summary>
    /// <param name="batch">The mini-batch, one point per row.</param>
    /// <param name="sampleWeights">One finite non-negative weight per row (not modified).</param>
    /// <exception cref="ArgumentException">Wrong number of columns or weights, non-finite values, a negative weight (the
    /// message names its row), or weights other than 1 with a custom <see cref="OnlineKMeansOptions.LearningRate"/>.</exception>
    public void Update(double[,] batch, double[] sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        if (sampleWeights.Length != batch.GetLength(0))
        {
            throw new ArgumentException($"There are {sampleWeights.Length} weights for {batch.GetLength(0)} rows.", nameof(sampleWeights));
        }

        for (int i = 0; i < sampleWeights.Length; i++)
        {
            CheckWeight(sampleWeights[i], nameof(sampleWeights), i);
        }

        UpdateCore(batch, sampleWeights);
    }

    private void UpdateCore(double[,] batch, double[]? weights)
    {
        int dimension = _dimension;
        if (!StreamInput.CheckBatch(batch, ref dimension))
        {
            return;
        }

        if (MayFail(batch.GetLength(0)))
        {
            State saved = Capture();
            try
            {
                UpdateChecked(batch, weights, dimension);
            }
            catch
            {
                Restore(saved);
                throw;
            }

            return;
        }

        UpdateChecked(batch, weights, dimension);
    }

    /// <summary>
    /// Whether consuming <paramref name="rows"/> checked rows can still fail after the input checks — the buffered start's
    /// initialisation, or a custom learning rate (user code, checked per move) — so the call captures the state first.
    /// </summary>
    private bool MayFail(int rows) => _options.LearningRate is not null || (_table is null && (_buffer.Count / Math.Max(_dimension, 1)) + rows >= Needed());

    private void UpdateChecked(double[,] batch, double[]? weights, int dimension)
    {
        _dimension = dimension;
        int rows = batch.GetLength(0);
        Count += rows;
        if (_table is null)
        {
            Buffer(batch.AsSpan(), weights);
            return;
        }

        Step(batch.AsSpan(), weights, rows);
    }

    private void CheckWeight(double weight, string paramName, int row = -1)
    {
        string where = row < 0 ? "The weight" : $"The weight of row {row}";
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentException($"{where} is {weight}; weights must be finite and non-negative.", paramName);
        }

        if (weight != 1 && _options.LearningRate is not null)
        {
            throw new ArgumentException($"{where} is {weight}, but a custom LearningRate takes unit weights only.", paramName);
        }
    }

    /// <summary>Consumes the rows of a batch in order, <paramref name="batchSize"/> at a time (a convenience for whole data sets).</summary>
    /// <param name="data">The rows.</param>
    /// <param name="batchSize">Rows per mini-batch (1 = point by point).</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <remarks>All-or-nothing: the whole data set is checked first, and when a mini-batch fails (a custom learning rate) or the
    /// token is cancelled the estimator is restored to its state before the call.</remarks>
    /// <exception cref="ArgumentException">Wrong number of columns or a non-finite value (named with its row and column in <paramref name="data"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the estimator is as before the call.</exception>
    public void UpdateAll(double[,] data, int batchSize, CancellationToken cancellationToken = default)
    {
        State saved = Capture();
        try
        {
            StreamInput.UpdateAll(data, batchSize, _dimension, chunk =>
            {
                // The rows were checked as a whole; each chunk only fixes the dimension and is consumed.
                int dimension = chunk.GetLength(1);
                if (batchSize == 1)
                {
                    UpdatePoint(chunk.AsSpan(), 1.0, dimension);
                }
                else
                {
                    UpdateChecked(chunk, null, dimension);
                }
            }, cancellationToken);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <summary>The complete mutable state (what the codec saves): captured before a call that can fail after its checks.</summary>
    private sealed record State(long Count, int Dimension, double[] Buffered, double[] BufferedWeights, double[]? Centers, long[] Counts, double[] WeightSums, long SinceReassignment, ulong[] Random);

    private State Capture() => new(Count, _dimension, BufferedValues, BufferedWeights, CenterValues, ClusterCounts, ClusterWeights, _sinceReassign, _random.GetState());

    private void Restore(State s) => Restore(s.Count, s.Dimension, s.Buffered, s.BufferedWeights, s.Centers, s.Counts, s.WeightSums, s.SinceReassignment, s.Random);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Fewer points than the initialisation needs have arrived.</exception>
    public KMeansModel Snapshot()
    {
        if (_table is null)
        {
            throw new InvalidOperationException($"The centers are not initialised yet: {Count} points have arrived but the initialisation needs {Needed()}.");
        }

        var c = new double[_options.Clusters, _dimension];
        _centers.AsSpan().CopyTo(c.AsWritableSpan());
        return new KMeansModel(c, double.NaN);
    }

    // The complete mutable state, for Persistence/Clustering/OnlineKMeansCodec.cs (scratch arrays and the center table are derived).
    internal int Dimension => _dimension;

    internal double[] BufferedValues => [.. _buffer];

    /// <summary>The weights of the buffered points (one per point; 1 for points given without a weight).</summary>
    internal double[] BufferedWeights => [.. _bufferWeights];

    internal double[]? CenterValues => _table is null ? null : (double[])_centers.Clone();

    internal long SinceReassignment => _sinceReassign;

    internal PersistableRandom Random => _random;

    /// <summary>Replaces the state with one saved from an estimator with the same options (checked by the codec).</summary>
    /// <remarks><paramref name="bufferedWeights"/> and <paramref name="weightSums"/> are null in states saved before weighted
    /// updates existed: every buffered point then has weight 1 and every center's weight equals its count.</remarks>
    internal void Restore(long count, int dimension, double[] buffered, double[]? bufferedWeights, double[]? centers, long[]? counts, double[]? weightSums, long sinceReassignment, ulong[] randomState)
    {
        Count = count;
        _dimension = dimension;
        _buffer.Clear();
        _buffer.AddRange(buffered);
        _bufferWeights.Clear();
        if (bufferedWeights is null)
        {
            _bufferWeights.AddRange(Enumerable.Repeat(1.0, dimension > 0 ? buffered.Length / dimension : 0));
        }
        else
        {
            _bufferWeights.AddRange(bufferedWeights);
        }

        if (centers is null)
        {
            (_centers, _counts, _weightSums, _table) = ([], [], [], null);
        }
        else
        {
            Start(dimension, centers, initialCount: 0);
            counts!.CopyTo(_counts, 0);
            for (int j = 0; j < _counts.Length; j++)
            {
                _weightSums[j] = weightSums is null ? _counts[j] : weightSums[j];
            }
        }

        _sinceReassign = sinceReassignment;
        _random.SetState(randomState);
    }

    internal int Needed() => _options.Init == KMeansInit.First ? _options.Clusters : _initializationSize;

    private void Buffer(ReadOnlySpan<double> rows, ReadOnlySpan<double> weights)
    {
        foreach (double v in rows)
        {
            _buffer.Add(v);
        }

        int added = rows.Length / _dimension;
        for (int i = 0; i < added; i++)
        {
            _bufferWeights.Add(weights.IsEmpty ? 1.0 : weights[i]);
        }

        int buffered = _buffer.Count / _dimension;
        if (buffered < Needed())
        {
            return;
        }

        double[] all = [.. _buffer];
        double[] allWeights = [.. _bufferWeights];
        _buffer.Clear();
        _bufferWeights.Clear();
        bool weighted = allWeights.Any(w => w != 1);
        int k = _options.Clusters, d = _dimension;
        if (_options.Init == KMeansInit.First)
        {
            Start(d, all.AsSpan(0, k * d), initialCount: 1);
            allWeights.AsSpan(0, k).CopyTo(_weightSums); // each seed counts with its own weight
            if (buffered > k)
            {
                Step(all.AsSpan(k * d), weighted ? allWeights.AsSpan(k) : default, buffered - k);
            }

            return;
        }

        var data = new double[buffered, d];
        all.AsSpan().CopyTo(data.AsWritableSpan());
        double[,] seeds;
        if (_options.Init == KMeansInit.RandomRows)
        {
            seeds = KMeansSeeding.RandomRowsCore(data, k, _random);
        }
        else
        {
            // k-means++ weighs rows by squared distances: in the buffer's range frame (the identity for ordinary data).
            var frame = Statistics.RangeFrame.ForRows(data);
            seeds = KMeansSeeding.PlusPlusCore(frame.IsIdentity ? data : frame.ToFrame(data), k, _random, weighted ? allWeights : null, _options.MaxDegreeOfParallelism);
            frame.FromFrame(seeds.AsWritableSpan(), d);
        }

        // Each seed is one of the buffered points: count it as won by its center (as the first-K-rows start does).
        Start(d, seeds.AsSpan(), initialCount: 1);
        Step(all, weighted ? allWeights : default, buffered);
    }

    private void Start(int d, ReadOnlySpan<double> centers, long initialCount)
    {
        _dimension = d;
        _centers = centers.ToArray();
        _counts = new long[_options.Clusters];
        _counts.AsSpan().Fill(initialCount);
        _weightSums = new double[_options.Clusters];
        _weightSums.AsSpan().Fill(initialCount);
        _table = new CenterTable(_options.Clusters, d);
        _table.Load(_centers);
    }

    /// <summary>
    /// One mini-batch for <see cref="MiniBatchKMeans"/>: as <see cref="Update(double[,], double[])"/> on already checked rows
    /// (<paramref name="weights"/> empty means all 1), returning Σ wᵢ‖xᵢ − c(xᵢ)‖² of the batch against the centers it was
    /// assigned to (before they move), as scikit-learn's <c>_mini_batch_step</c> does.
    /// </summary>
    internal double StepChecked(ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int count)
    {
        Count += count;
        return Step(rows, weights, count, withInertia: true);
    }

    /// <summary>Copies the K·d centers (row-major) into <paramref name="destination"/>.</summary>
    internal void CopyCentersTo(Span<double> destination) => _centers.CopyTo(destination);

    /// <summary>Σₖ‖μₖ − previousₖ‖² of the current centers against a copy taken by <see cref="CopyCentersTo"/>.</summary>
    internal double SquaredShiftFrom(ReadOnlySpan<double> previous) => RowReductions.SquaredDistance(_centers, previous);

    /// <summary>One mini-batch: parallel assignment against the current centers, then sequential moves in row order.</summary>
    /// <returns>The batch's weighted inertia against the centers before the moves (0 unless <paramref name="withInertia"/>).</returns>
    private double Step(ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int count, bool withInertia = false)
    {
        CenterTable table = _table!;
        int d = _dimension;
        if (_labels.Length < count)
        {
            _labels = new int[count];
            _best = new double[count];
            _second = new double[count];
        }

        // The caller's batch is pinned and read in place (no copy); each block assigns its rows against the centers.
        unsafe
        {
            fixed (double* pinned = rows)
            {
                var job = new AssignJob { Rows = pinned, Length = rows.Length, Table = table, Labels = _labels, Best = _best, Second = _second, Centers = _centers, Dimension = d };
                ParallelBlocks.For(count, BlockSize, _options.MaxDegreeOfParallelism, job, static (j, _, start, end) => j.Assign(start, end));
            }
        }

        // The batch's inertia against the centers it was assigned to, before any of them moves.
        double inertia = 0;
        for (int i = 0; withInertia && i < count; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            inertia += w * RowReductions.SquaredDistance(rows.Slice(i * d, d), _centers.AsSpan(_labels[i] * d, d));
        }

        for (int i = 0; i < count; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if (w > 0)
            {
                Move(_labels[i], rows.Slice(i * d, d), w);
            }
        }

        Reassign(rows, count);
        table.Load(_centers);
        return inertia;
    }

    /// <summary>The parallel assignment of one mini-batch: pinned rows, the center table and the output arrays.</summary>
    private readonly unsafe struct AssignJob
    {
        public double* Rows { get; init; }

        public int Length { get; init; }

        public CenterTable Table { get; init; }

        public int[] Labels { get; init; }

        public double[] Best { get; init; }

        public double[] Second { get; init; }

        public double[] Centers { get; init; }

        public int Dimension { get; init; }

        public void Assign(int start, int end)
        {
            var scratch = new double[Table.ScratchLength];
            int m = end - start, d = Dimension;
            var x = new ReadOnlySpan<double>(Rows, Length);
            Table.NearestRange(x, start, end, Labels.AsSpan(start, m), Best.AsSpan(start, m), Second.AsSpan(start, m), scratch);
            // A label the table's rounding bound does not prove (near-ties; data far from the origin; values beyond 2^200):
            // the exact arg-min instead.
            double centersMax = ScaledNearest.MaxAbs(Centers);
            for (int i = start; i < end; i++)
            {
                Labels[i] = ScaledNearest.Certified(Labels[i], Best[i], Second[i], x.Slice(i * d, d), Table, Centers, centersMax);
            }
        }
    }

    private void Move(int j, ReadOnlySpan<double> x, double w)
    {
        int d = _dimension;
        long nj = ++_counts[j];
        double wj = _weightSums[j] += w;
        // Unit weights: wj = nj exactly, so the default step is 1/nj to the last bit.
        double eta = _options.LearningRate is null ? w / wj : _options.LearningRate(nj);
        if (!double.IsFinite(eta) || eta < 0 || eta > 1)
        {
            throw new InvalidOperationException($"The learning rate for count {nj} is {eta}; it must lie in [0, 1].");
        }

        Span<double> c = _centers.AsSpan(j * d, d);
        for (int p = 0; p < d; p++)
        {
            double step = x[p] - c[p];
            // A difference beyond double (values near ±1.8e308 of opposite signs): the same convex combination, unexpanded.
            c[p] = double.IsFinite(step) ? c[p] + eta * step : (1 - eta) * c[p] + eta * x[p];
        }
    }

    /// <summary>scikit-learn's MiniBatchKMeans re-seeding of centers that win (almost) nothing.</summary>
    private void Reassign(ReadOnlySpan<double> batch, int count)
    {
        _sinceReassign += count;
        int k = _options.Clusters;
        bool anyEmpty = Array.IndexOf(_weightSums, 0.0) >= 0;
        if (_options.ReassignmentRatio <= 0 || (!anyEmpty && _sinceReassign < 10L * k))
        {
            return;
        }

        _sinceReassign = 0;
        double max = 0;
        foreach (double c in _weightSums)
        {
            max = Math.Max(max, c);
        }

        // As scikit-learn, on the centers' total weights (their counts when every weight is 1).
        double threshold = _options.ReassignmentRatio * max;
        var weak = new List<int>();
        for (int j = 0; j < k; j++)
        {
            if (_weightSums[j] < threshold)
            {
                weak.Add(j);
            }
        }

        if (weak.Count > count / 2)
        {
            // Keep only the weakest ⌊batch/2⌋ (ties by index).
            weak.Sort((a, b) => _weightSums[a] != _weightSums[b] ? _weightSums[a].CompareTo(_weightSums[b]) : a.CompareTo(b));
            weak.RemoveRange(count / 2, weak.Count - count / 2);
            weak.Sort();
        }

        if (weak.Count == 0)
        {
            return;
        }

        long floor = long.MaxValue;
        double floorWeight = double.PositiveInfinity;
        for (int j = 0; j < k; j++)
        {
            if (!weak.Contains(j))
            {
                floor = Math.Min(floor, _counts[j]);
                floorWeight = Math.Min(floorWeight, _weightSums[j]);
            }
        }

        // Distinct batch rows, uniformly (partial Fisher–Yates).
        int d = _dimension;
        var index = new int[count];
        for (int i = 0; i < count; i++)
        {
            index[i] = i;
        }

        for (int q = 0; q < weak.Count; q++)
        {
            int r = _random.Next(q, count);
            (index[q], index[r]) = (index[r], index[q]);
            batch.Slice(index[q] * d, d).CopyTo(_centers.AsSpan(weak[q] * d, d));
            _counts[weak[q]] = floor == long.MaxValue ? 0 : floor;
            _weightSums[weak[q]] = double.IsPositiveInfinity(floorWeight) ? 0 : floorWeight;
        }
    }
}
