using LatentModels.Data;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Persistence;
using LatentModels.Randomness;
using LatentModels.Statistics;

namespace LatentModels.Variational;

/// <summary>
/// Stochastic variational inference (Hoffman, Blei, Wang &amp; Paisley 2013) for the variational Bayesian Gaussian mixture
/// on a stream of mini-batches: each mini-batch B takes one natural-gradient step λ ← (1 − ρₜ)λ + ρₜλ̂ on the global
/// factors q(π)q(μ, Λ), where λ̂ is the posterior the batch would give were it repeated N/|B| times and
/// ρₜ = (τ + t)^(−κ). The result is the same <see cref="VariationalGaussianMixtureModel"/> the batch fit returns.
/// </summary>
/// <remarks>
/// <para>
/// The natural parameters of the Dirichlet (or stick-breaking Beta) and Normal–Wishart posteriors are the prior's plus the
/// expected sufficient statistics, an affine map; so the natural-gradient step is the same blend of the
/// <em>effective statistics</em> s ← (1 − ρ)s + ρ(N/|B|)s_B, after which the batch fit's variational update rule turns
/// prior + s into the posterior. The statistics are the spine's centred form (per component the weight, the mean relative
/// to a fixed reference point, the scatter about the mean, shaped by the covariance form), and the blend is Chan's exact
/// merge of the two weighted parts, so long streams keep their precision. The E-step of a mini-batch is the spine's fused
/// block E-step (rows weighted by ρN/|B|), parallel over fixed row blocks merged in block order: the same mini-batches give
/// the same bits for any <see cref="VariationalGaussianMixtureOptions.MaxDegreeOfParallelism"/>.
/// </para>
/// <para>
/// The first mini-batch initialises the posterior as the batch fit's start does (<see cref="VariationalGaussianMixtureOptions.Init"/>,
/// or the responsibilities of <see cref="VariationalGaussianMixtureOptions.InitialModel"/>; one variational
/// M-step from its statistics scaled by N/|B|), resolves the prior's unset hyper-parameters from its moments, and then
/// takes the first step. The complete state (options, resolved prior, statistics, step counter, shuffling generator)
/// saves with <see cref="ModelJson.Save(object, string)"/> and continues bit for bit after loading. A rejected mini-batch
/// (wrong width, a non-finite value, a posterior that is not positive definite) leaves the state unchanged.
/// </para>
/// </remarks>
public sealed class StreamingVariationalGaussianMixture : IOnlineEstimator<VariationalGaussianMixtureModel>
{
    private readonly StochasticVariationalGaussianMixtureOptions _options;
    private readonly long _dataSize;
    private readonly PersistableRandom _random;
    private int _dimension = -1;
    private VariationalGaussianUpdate? _rule;
    private GaussianComponents? _posterior;
    private MixtureStatistics? _statistics, _previous;
    private GaussianStreamWorkspace? _workspace;
    private double[] _scratch = [];
    private double[,] _batch = new double[0, 0];
    private double[] _batchWeights = [];
    private int[] _order = [];

    /// <summary>Creates the stream.</summary>
    /// <param name="options">The settings; <see cref="StochasticVariationalGaussianMixtureOptions.DataSize"/> is required.</param>
    /// <exception cref="ArgumentException">Invalid settings (the message names the option).</exception>
    public StreamingVariationalGaussianMixture(StochasticVariationalGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dataSize = options.DataSize ?? throw new ArgumentException("DataSize (N, the number of rows the stream stands for) is required for a stream.", nameof(options));
        _options = options;
        _random = new PersistableRandom(options.Mixture.Seed);
    }

    /// <summary>The settings.</summary>
    public StochasticVariationalGaussianMixtureOptions Options => _options;

    /// <inheritdoc />
    public long Count { get; private set; }

    /// <summary>The number of updates (mini-batches) taken so far, t.</summary>
    public long Steps { get; private set; }

    /// <summary>Whether the posterior exists yet (after the first mini-batch).</summary>
    public bool IsInitialized => _posterior is not null;

    /// <summary>The step size ρₜ₊₁ = (τ + t + 1)^(−κ) the next mini-batch will get.</summary>
    public double NextStepSize => _options.StepSize(Steps + 1);

    /// <summary>Takes one update with a mini-batch of one point.</summary>
    /// <param name="point">d finite values (d fixed by the first point or mini-batch).</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value; or, as the first data, too few rows to initialise.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (the state is left unchanged).</exception>
    public void Update(ReadOnlySpan<double> point)
    {
        int dimension = _dimension;
        StreamInput.CheckPoint(point, ref dimension);
        CheckRange(point, Math.Max(point.Length, 1), nameof(point));
        double[,] buffer = Buffer(1, dimension);
        point.CopyTo(buffer.AsWritableSpan());
        Guarded(buffer, 1, null);
    }

    /// <summary>Takes one update with the rows of <paramref name="batch"/> as the mini-batch (the first one also initialises).</summary>
    /// <param name="batch">The mini-batch, one point per row (not modified); an empty batch does nothing.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or a non-finite value (named with its row and column); or, as the first
    /// mini-batch, fewer rows than the initialisation needs.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (the state is left unchanged).</exception>
    public void Update(double[,] batch)
    {
        int dimension = _dimension;
        if (!StreamInput.CheckBatch(batch, ref dimension))
        {
            return;
        }

        CheckRange(batch.AsSpan(), batch.GetLength(1), nameof(batch));
        Guarded(batch, batch.GetLength(0), null);
    }

    /// <summary>Takes one update with weighted rows: a row of weight w counts as w copies of itself (N/|B| still counts rows).</summary>
    /// <param name="batch">The mini-batch, one point per row (not modified); an empty batch does nothing.</param>
    /// <param name="sampleWeights">One finite non-negative weight per row (not modified); the first mini-batch's may not all be zero.</param>
    /// <exception cref="ArgumentException">Bad rows or weights (named with the row), or a first mini-batch too small to initialise.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (the state is left unchanged).</exception>
    public void Update(double[,] batch, double[] sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        int dimension = _dimension;
        if (!StreamInput.CheckBatch(batch, ref dimension))
        {
            DataValidation.CheckPartitionWeights(sampleWeights, 0, nameof(sampleWeights));
            return;
        }

        CheckBatchWeights(sampleWeights, batch.GetLength(0));
        CheckRange(batch.AsSpan(), batch.GetLength(1), nameof(batch));
        Guarded(batch, batch.GetLength(0), sampleWeights);
    }

    private void CheckBatchWeights(double[] sampleWeights, int rows)
    {
        if (IsInitialized)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, rows, nameof(sampleWeights));
        }
        else
        {
            DataValidation.CheckWeights(sampleWeights, rows, nameof(sampleWeights));
        }
    }

    /// <summary>
    /// One pass over a data set in mini-batches of <see cref="StochasticVariationalGaussianMixtureOptions.BatchSize"/> rows, in an
    /// order shuffled by the stream's own generator (seeded by <see cref="VariationalGaussianMixtureOptions.Seed"/>, saved with
    /// the state). The data are checked once, before anything changes. All-or-nothing: when a mini-batch fails (a posterior
    /// scale that is not positive definite) or the token is cancelled, the stream is restored to its state before the call
    /// (statistics, step and row counts, generator; uninitialised if it was).
    /// </summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or a non-finite value; or, before initialisation, too few rows.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (the stream is as before the call).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the stream is as before the call.</exception>
    public void UpdateEpoch(double[,] data, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        if (_dimension >= 0)
        {
            DataValidation.CheckDimension(data, _dimension, nameof(data));
        }

        CheckRange(data.AsSpan(), Math.Max(data.GetLength(1), 1), nameof(data));
        GuardedEpoch(data, null, cancellationToken);
    }

    /// <summary>
    /// The largest magnitude a stream accepts, 2^468 (about 1.5e141): its statistics are kept in the data's units and
    /// scaled by N/|B| (N up to 2^63), so squares of larger values could overflow the posterior's scales. Larger values
    /// are rejected up front naming their row and column (the stream unchanged); the whole-data fit
    /// (<see cref="StochasticVariationalGaussianMixture"/>) works in the data's range frame instead.
    /// </summary>
    internal const int RangeExponent = 468;

    private static void CheckRange(ReadOnlySpan<double> values, int columns, string paramName, long firstRow = 0) =>
        StreamInput.CheckRange(values, columns, paramName, RangeExponent, "StochasticVariationalGaussianMixture.Fit or VariationalGaussianMixture", firstRow);

    private void GuardedEpoch(double[,] data, double[]? sampleWeights, CancellationToken cancellationToken)
    {
        State saved = Capture();
        try
        {
            UpdateEpochChecked(data, sampleWeights, cancellationToken);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <summary>
    /// One update of checked rows, all-or-nothing: once initialised, <see cref="Step"/> puts its statistics back itself when
    /// the posterior fails (nothing is captured, so a warm update allocates nothing); the first mini-batch, which also
    /// initialises, captures the uninitialised state and returns to it on any failure.
    /// </summary>
    private void Guarded(double[,] batch, int rows, double[]? sampleWeights)
    {
        if (IsInitialized)
        {
            Consume(batch, rows, sampleWeights);
            return;
        }

        State saved = Capture();
        try
        {
            Consume(batch, rows, sampleWeights);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <summary>The complete mutable state (what the codec saves); the posterior is recomputed from the statistics on restore.</summary>
    private sealed record State(long Count, long Steps, int Dimension, ulong[] Random, VariationalGaussianUpdate? Rule, double[]? Reference, MixtureStatistics? Statistics);

    private State Capture() => new(Count, Steps, _dimension, _random.GetState(), _rule, _posterior is null ? null : (double[])_posterior.Shift.Clone(), _statistics?.Clone());

    private void Restore(State s) => Restore(s.Count, s.Steps, s.Dimension, s.Random, s.Rule, s.Reference, s.Statistics);

    /// <summary><see cref="UpdateEpoch(double[,], CancellationToken)"/> over weighted rows (a row of weight w counts as w copies of itself).</summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="sampleWeights">n finite non-negative weights, not all zero (not modified); they go with their rows through the shuffle.</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <exception cref="ArgumentException">Bad rows or weights; or, before initialisation, too few rows.</exception>
    public void UpdateEpoch(double[,] data, double[] sampleWeights, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        if (_dimension >= 0)
        {
            DataValidation.CheckDimension(data, _dimension, nameof(data));
        }

        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        CheckRange(data.AsSpan(), Math.Max(data.GetLength(1), 1), nameof(data));
        GuardedEpoch(data, sampleWeights, cancellationToken);
    }

    /// <summary>
    /// The rows of the data set an epoch over a source holds in memory at once, as bytes: the gathered rows of
    /// <see cref="UpdateEpoch(IRowChunkSource, long?, CancellationToken)"/> (64 MiB; a data set smaller than that is one window).
    /// </summary>
    internal const long WindowBytes = ShuffledWindows.WindowBytes;

    /// <summary>
    /// <see cref="UpdateEpoch(double[,], CancellationToken)"/> over rows read from a source, in bounded memory, with the same
    /// bits: the same shuffle of the n row indices by the stream's generator, the same mini-batches in the same order. The
    /// rows are not held: the epoch walks the shuffled order in windows of whole mini-batches (up to 64 MiB of rows), and
    /// for each window reads the source once, keeping the rows whose shuffled position falls in it; then it takes the
    /// window's steps. Memory: one int per row (the shuffled position of every row; 16 MB for 4 million rows), one window
    /// and one chunk; a data set of at most 64 MiB of rows is read once per epoch, a larger one once per window.
    /// </summary>
    /// <param name="source">The n rows (each pass must give the same rows).</param>
    /// <param name="rows">The number of rows of <paramref name="source"/> when known (e.g. from an earlier pass); otherwise
    /// the source is read once more to count them.</param>
    /// <param name="cancellationToken">Checked before every chunk and every mini-batch.</param>
    /// <remarks>All-or-nothing, as the array epoch: when a row is rejected, a mini-batch fails or the token is cancelled, the
    /// stream is restored to its state before the call. The rows are checked as they are read (the width, and the range a
    /// stream holds); a step may have been computed before a later bad row is reached, but it is undone.</remarks>
    /// <exception cref="ArgumentException">Wrong number of columns, a value beyond the stream's range (named with its row and
    /// column in the source), a source whose number of rows is not <paramref name="rows"/>; or, before initialisation, too few rows.</exception>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite (the stream is as before the call).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the stream is as before the call.</exception>
    public void UpdateEpoch(IRowChunkSource source, long? rows = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        long counted;
        int d;
        if (rows is long given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(rows));
            counted = given;
            d = _dimension >= 0 ? _dimension : FirstChunk(source, 1, cancellationToken).GetLength(1);
        }
        else
        {
            (counted, d) = RowChunks.Shape(source, cancellationToken);
        }

        if (_dimension >= 0 && d != _dimension)
        {
            throw new ArgumentException($"{source.Name} has {d} columns; the stream has dimension {_dimension}.", nameof(source));
        }

        if (counted > Array.MaxLength)
        {
            throw new ArgumentException($"{source.Name} has {counted} rows; an epoch over a source shuffles at most {Array.MaxLength}.", nameof(rows));
        }

        State saved = Capture();
        try
        {
            UpdateEpochStreamed(source, (int)counted, d, WindowBytes, cancellationToken);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    private static double[,] FirstChunk(IRowChunkSource source, int rows, CancellationToken cancellationToken)
    {
        foreach (double[,] chunk in source.ReadChunks(rows, cancellationToken))
        {
            return chunk;
        }

        throw new RowFormatException(source.Name, 0, 0, "has no rows.");
    }

    /// <summary>
    /// The epoch of <see cref="UpdateEpochChecked"/> over a source of <paramref name="n"/> rows of width <paramref name="d"/>,
    /// holding at most <paramref name="windowBytes"/> of rows (rounded down to whole mini-batches, at least one).
    /// </summary>
    internal void UpdateEpochStreamed(IRowChunkSource source, int n, int d, long windowBytes, CancellationToken cancellationToken)
    {
        int size = Math.Min(_options.BatchSize, n);
        ValidateFirstEpoch(size, n, d);

        cancellationToken.ThrowIfCancellationRequested();
        ulong[]? savedRandom = IsInitialized ? null : _random.GetState();

        // The array epoch's shuffle (the same draws), then inverted in place: position[i] is row i's place in the order.
        int[] position = new int[n];
        for (int i = 0; i < n; i++)
        {
            position[i] = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (position[i], position[j]) = (position[j], position[i]);
        }

        ShuffledWindows.InvertInPlace(position);
        int window = ShuffledWindows.Rows(n, d, size, windowBytes);
        var held = new double[(long)window * d];
        var rowsOf = new WeightedRowChunks(source, null);
        for (int first = 0; first < n; first += window)
        {
            int end = (int)Math.Min((long)first + window, n);
            // "data": the rows, named by row and column as the array epoch names them; checked on the first window's pass.
            ShuffledWindows.Gather(rowsOf, position, first, end, d, held, null,
                first == 0 ? (x, row) => CheckRange(x, Math.Max(d, 1), "data", row) : null, cancellationToken);
            for (int start = first; start < end; start += size)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(size, n - start);
                double[,] buffer = Buffer(size, d);
                held.AsSpan((start - first) * d, rows * d).CopyTo(buffer.AsWritableSpan());
                if (IsInitialized)
                {
                    Consume(buffer, rows, null);
                }
                else
                {
                    ulong[] before = savedRandom ?? _random.GetState();
                    try
                    {
                        Consume(buffer, rows, null);
                    }
                    catch
                    {
                        _random.SetState(before);
                        throw;
                    }
                }
            }
        }
    }

    /// <summary>Inverts a permutation in place (<see cref="ShuffledWindows.InvertInPlace"/>).</summary>
    internal static void InvertInPlace(int[] order) => ShuffledWindows.InvertInPlace(order);

    /// <summary>
    /// Before the first epoch (no mixture yet): the first mini-batch of <paramref name="size"/> of <paramref name="n"/> rows of
    /// width <paramref name="d"/> must be able to initialise the mixture.
    /// </summary>
    private void ValidateFirstEpoch(int size, int n, int d)
    {
        if (_dimension < 0)
        {
            if (size < _options.Mixture.Components && size < n)
            {
                throw new ArgumentOutOfRangeException(nameof(StochasticVariationalGaussianMixtureOptions.BatchSize), _options.BatchSize,
                    $"BatchSize ({_options.BatchSize}) is smaller than Components ({_options.Mixture.Components}): the first mini-batch initialises the mixture.");
            }

            _options.ValidateFirstBatch(size, d);
        }
    }

    /// <summary>An epoch over rows (and weights) already checked for shape and finiteness (the data-set fit checks them once).</summary>
    internal void UpdateEpochChecked(double[,] data, double[]? sampleWeights, CancellationToken cancellationToken)
    {
        int n = data.GetLength(0), d = data.GetLength(1), size = Math.Min(_options.BatchSize, n);
        ValidateFirstEpoch(size, n, d);

        cancellationToken.ThrowIfCancellationRequested();
        ulong[]? savedRandom = IsInitialized ? null : _random.GetState();
        if (_order.Length != n)
        {
            _order = new int[n];
        }

        for (int i = 0; i < n; i++)
        {
            _order[i] = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        ReadOnlySpan<double> x = data.AsSpan();
        if (sampleWeights is not null && _batchWeights.Length != size)
        {
            _batchWeights = new double[size];
        }

        for (int start = 0; start < n; start += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(size, n - start);
            double[,] buffer = Buffer(size, d);
            Span<double> target = buffer.AsWritableSpan();
            for (int i = 0; i < rows; i++)
            {
                x.Slice(_order[start + i] * d, d).CopyTo(target.Slice(i * d, d));
            }

            if (sampleWeights is not null)
            {
                for (int i = 0; i < rows; i++)
                {
                    _batchWeights[i] = sampleWeights[_order[start + i]];
                }
            }

            if (IsInitialized)
            {
                Consume(buffer, rows, sampleWeights is null ? null : _batchWeights);
            }
            else
            {
                // The first mini-batch: a failed initialisation (e.g. weights of zero) leaves the generator as it was.
                ulong[] before = savedRandom ?? _random.GetState();
                try
                {
                    Consume(buffer, rows, sampleWeights is null ? null : _batchWeights);
                }
                catch
                {
                    _random.SetState(before);
                    throw;
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The snapshot's <see cref="VariationalGaussianMixtureModel.Elbo"/> and <see cref="VariationalGaussianMixtureModel.LowerBound"/>
    /// are NaN: a stream has no data set to bound; <see cref="Snapshot(double[,])"/> computes them on one.</remarks>
    /// <exception cref="InvalidOperationException">No mini-batch has arrived yet.</exception>
    public VariationalGaussianMixtureModel Snapshot() => SnapshotWithBounds(double.NaN, double.NaN);

    /// <summary>
    /// The current posterior with its evidence lower bound on <paramref name="data"/>, which should be the data set of N rows the
    /// stream stands for: the full ELBO of (the optimal responsibilities of these rows, the current global factors) — one E-step
    /// over the rows — and the same bound in the peer's convention (see <see cref="VariationalGaussianMixtureModel.LowerBound"/>).
    /// </summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <exception cref="InvalidOperationException">No mini-batch has arrived yet.</exception>
    /// <exception cref="ArgumentException">Wrong number of columns or a non-finite value.</exception>
    public VariationalGaussianMixtureModel Snapshot(double[,] data)
    {
        GaussianComponents p = Posterior;
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, p.D, nameof(data));
        (double elbo, double lowerBound) = Bounds(data, null);
        return SnapshotWithBounds(elbo, lowerBound);
    }

    /// <summary><see cref="Snapshot(double[,])"/> with the bound of weighted rows (a row of weight w counts as w copies of itself).</summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="sampleWeights">n finite non-negative weights, not all zero (not modified).</param>
    /// <exception cref="InvalidOperationException">No mini-batch has arrived yet.</exception>
    /// <exception cref="ArgumentException">Bad rows or weights.</exception>
    public VariationalGaussianMixtureModel Snapshot(double[,] data, double[] sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        GaussianComponents p = Posterior;
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, p.D, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        (double elbo, double lowerBound) = Bounds(data, sampleWeights);
        return SnapshotWithBounds(elbo, lowerBound);
    }

    /// <summary>
    /// <see cref="Snapshot(double[,])"/> with the bound of rows read from a source in chunks (bounded memory): the same
    /// E-step blocks merged in the same order, so the same bits as the array of the same rows.
    /// </summary>
    /// <param name="source">The rows (should be the data set of N rows the stream stands for).</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="InvalidOperationException">No mini-batch has arrived yet.</exception>
    /// <exception cref="ArgumentException">Wrong number of columns.</exception>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    public VariationalGaussianMixtureModel Snapshot(IRowChunkSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        _ = Posterior;
        (double elbo, double lowerBound) = Bounds(source, cancellationToken);
        return SnapshotWithBounds(elbo, lowerBound);
    }

    /// <summary><see cref="Bounds(double[,], double[])"/> over a source: the blocks of <c>GaussianMixtureStatistics.ComputeCore</c>, chunk by chunk, merged in row order.</summary>
    private (double Elbo, double LowerBound) Bounds(IRowChunkSource source, CancellationToken cancellationToken)
    {
        GaussianComponents p = Posterior;
        int k = p.K, d = p.D, threads = _options.Mixture.MaxDegreeOfParallelism;
        bool full = p.Form.FullScatter;
        int blockSize = GaussianMixtureEngine.BlockSizeFor(k, d);
        var totals = new MixtureStatistics(k, d, full);
        MixtureStatistics[] parts = [];
        long row = 0;
        foreach (double[,] chunk in source.ReadChunks(RowChunks.DefaultChunkRows, cancellationToken))
        {
            int m = chunk.GetLength(0);
            if (chunk.GetLength(1) != d)
            {
                throw new ArgumentException($"{source.Name} has {chunk.GetLength(1)} columns at row {row}; the stream has dimension {d}.", nameof(source));
            }

            // A data set smaller than one block is one block (DefaultChunkRows is a multiple of every block size).
            int size = row == 0 ? Math.Min(blockSize, m) : blockSize;
            int blocks = ParallelBlocks.BlockCount(m, size);
            if (parts.Length < blocks)
            {
                parts = new MixtureStatistics[blocks];
            }

            int offset = checked((int)row);
            ParallelBlocks.For(m, size, threads, (block, start, end) =>
            {
                var ws = new MixtureWorkspace(size, k, d);
                var stats = new MixtureStatistics(k, d, full);
                GaussianMixtureEngine.EStepInto(p, chunk.AsSpan().Slice(start * d, (end - start) * d), end - start, null, offset + start, stats, ws);
                parts[block] = stats;
            });
            for (int b = 0; b < blocks; b++)
            {
                totals.Merge(parts[b]);
            }

            row += m;
        }

        return BoundsOf(p, totals);
    }

    private GaussianComponents Posterior => _posterior ?? throw new InvalidOperationException("The stream has no posterior yet: no mini-batch has arrived.");

    /// <summary>The current posterior as a model carrying the given bounds.</summary>
    internal VariationalGaussianMixtureModel SnapshotWithBounds(double elbo, double lowerBound) =>
        VariationalGaussianMixtureModel.FromPosterior(_rule!, Posterior, elbo, lowerBound);

    /// <summary>
    /// The full ELBO and the peer's bound of (the optimal responsibilities of the checked <paramref name="data"/>, the current
    /// posterior). The posterior's natural parameters are the prior's plus the effective statistics s, so
    /// ELBO = Σᵢ ln Σₖ exp E[ln πₖ𝒩(xᵢ | μₖ, Λₖ)] − E_q[ln p(s-weighted data | θ)] + (the batch bound of q at entropy 0 and weight N(s)),
    /// which is the batch fit's bound whenever s are the statistics of the responsibilities themselves.
    /// </summary>
    internal (double Elbo, double LowerBound) Bounds(double[,] data, double[]? sampleWeights)
    {
        GaussianComponents p = Posterior;
        MixtureStatistics full = GaussianMixtureStatistics.ComputeCore(p, data, sampleWeights, _options.Mixture.MaxDegreeOfParallelism).Totals;
        return BoundsOf(p, full);
    }

    /// <summary>The bounds from the E-step totals <paramref name="full"/> of the data set under the posterior.</summary>
    private (double Elbo, double LowerBound) BoundsOf(GaussianComponents p, MixtureStatistics full)
    {
        VariationalGaussianUpdate rule = _rule!;
        MixtureStatistics s = _statistics!;
        double effective = 0;
        for (int c = 0; c < s.K; c++)
        {
            effective += s.Weight[c];
        }

        double elbo = full.LogLikelihood - rule.ExpectedLogJoint(p, s) + rule.Bounds(0, effective).Elbo;
        (double e, double peer) = rule.Bounds(0, full.SampleWeight);
        return (elbo, elbo - (e - peer));
    }

    // The complete mutable state, for Persistence/Variational/StreamingVariationalGaussianMixtureCodec.cs.
    internal int Dimension => _dimension;

    internal PersistableRandom Random => _random;

    internal VariationalGaussianUpdate? Rule => _rule;

    /// <summary>The reference point of the statistics' means (the posterior's shift).</summary>
    internal double[]? Reference => _posterior?.Shift;

    internal MixtureStatistics? Statistics => _statistics;

    /// <summary>Replaces the state with a saved one (checked by the codec): the posterior is recomputed from the statistics;
    /// without a rule the stream returns to uninitialised.</summary>
    internal void Restore(long count, long steps, int dimension, ulong[] random, VariationalGaussianUpdate? rule, double[]? reference, MixtureStatistics? statistics)
    {
        _random.SetState(random);
        if (rule is not null)
        {
            var p = new GaussianComponents(_options.Mixture.Covariance, _options.Mixture.Components, dimension);
            reference!.CopyTo(p.Shift, 0);
            Refresh(rule, p, statistics!);
            Start(rule, p, statistics!);
        }
        else
        {
            (_rule, _posterior, _statistics, _previous, _workspace) = (null, null, null, null, null);
        }

        Count = count;
        Steps = steps;
        _dimension = dimension;
    }

    /// <summary>Applies the rule to <paramref name="s"/> and refreshes the expectations; throws (naming the component) if a scale is not positive definite.</summary>
    internal static void Refresh(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s)
    {
        rule.Apply(p, s);
        if (!rule.TryRefresh(p, new double[Math.Max(p.UpdateScratchLength, p.D * p.D)], out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }
    }

    private void Start(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s)
    {
        _rule = rule;
        _posterior = p;
        _statistics = s;
        _previous = new MixtureStatistics(s.K, s.D, s.FullScatter);
        _workspace = new GaussianStreamWorkspace(s.K, s.D, s.FullScatter);
        _scratch = new double[Math.Max(p.UpdateScratchLength, p.D * p.D)];
    }

    /// <summary>A reused rows × d buffer (reallocated only when the shape changes).</summary>
    private double[,] Buffer(int rows, int d)
    {
        if (_batch.GetLength(0) != rows || _batch.GetLength(1) != d)
        {
            _batch = new double[rows, d];
        }

        return _batch;
    }

    /// <summary>One update with the first <paramref name="rows"/> checked rows of <paramref name="batch"/>; initialises on the first.</summary>
    private void Consume(double[,] batch, int rows, double[]? sampleWeights)
    {
        int d = batch.GetLength(1);
        if (_posterior is null)
        {
            _options.ValidateFirstBatch(rows, d);
            // Every caller passes a first mini-batch that fills its array (an epoch's first chunk is its full size).
            Initialize(batch, sampleWeights);
            _dimension = d;
        }

        Step(batch, rows, sampleWeights);
    }

    /// <summary>The batch fit's start on the first mini-batch, its statistics scaled by N/|B|, then the posterior of prior + s.</summary>
    private void Initialize(double[,] batch, double[]? sampleWeights)
    {
        VariationalGaussianMixtureOptions o = _options.Mixture;
        int rows = batch.GetLength(0), d = batch.GetLength(1), k = o.Components;
        var engine = new GaussianMixtureEngine(batch, sampleWeights, o.EngineOptions(), (moments, shift) => VariationalGaussianMixture.CreateRule(o, moments, shift, d));
        // The batch fit's first start draws its generator the same way.
        var random = new Random(new Random(o.Seed).Next());
        if (o.InitialModel is { } model)
        {
            double[,] r = model.PredictProbabilities(batch);
            engine.InitializeFromResponsibilities(r.AsSpan().ToArray(), random);
        }
        else if (o.Init == MixtureInit.First)
        {
            engine.InitializeFromLabels(VariationalBatchRun.NearestOfFirstRows(batch, k, o.MaxDegreeOfParallelism), random);
        }
        else
        {
            GaussianMixture.Initialize(engine, batch, sampleWeights, o.EngineOptions(), random);
        }

        var rule = (VariationalGaussianUpdate)engine.Rule;
        var s = new MixtureStatistics(k, d, engine.Totals.FullScatter);
        engine.Totals.CopyTo(s);
        Scale(s, (double)_dataSize / rows);
        GaussianComponents p = engine.Current;
        Refresh(rule, p, s);
        Start(rule, p, s);
    }

    /// <summary>Multiplies the weights and scatters (not the means) by <paramref name="factor"/>: the statistics of every point counted that many times.</summary>
    private static void Scale(MixtureStatistics s, double factor)
    {
        for (int c = 0; c < s.K; c++)
        {
            s.Weight[c] *= factor;
        }

        for (int i = 0; i < s.Scatter.Length; i++)
        {
            s.Scatter[i] *= factor;
        }
    }

    /// <summary>
    /// One natural-gradient step: the E-step of the rows under the current posterior with every row weighted ρN/|B|,
    /// s ← (1 − ρ)s ⊕ that (Chan's merge), the posterior of prior + s. On a failure the statistics and posterior are restored.
    /// No allocation once a mini-batch of this size has been seen (for mini-batches of one E-step block).
    /// </summary>
    private void Step(double[,] batch, int rows, double[]? sampleWeights)
    {
        GaussianComponents p = _posterior!;
        MixtureStatistics s = _statistics!;
        GaussianStreamWorkspace ws = _workspace!;
        long t = Steps + 1;
        double rho = _options.StepSize(t);
        double weight = rho * _dataSize / rows;
        double[] weights = ws.Weights(rows);
        if (sampleWeights is null)
        {
            weights.AsSpan(0, rows).Fill(weight);
        }
        else
        {
            for (int i = 0; i < rows; i++)
            {
                weights[i] = weight * sampleWeights[i];
            }
        }

        ws.EStep(p, batch.AsSpan()[..(rows * p.D)], rows, batch, _options.Mixture.MaxDegreeOfParallelism);
        s.CopyTo(_previous!);
        Scale(s, 1 - rho);
        s.Merge(ws.Batch);
        _rule!.Apply(p, s);
        if (!_rule.TryRefresh(p, _scratch, out int failed))
        {
            _previous!.CopyTo(s);
            _rule.Apply(p, s);
            _rule.TryRefresh(p, _scratch, out _);
            GaussianMixtureEngine.ThrowSingular(failed);
        }

        Steps = t;
        Count += rows;
    }
}
