using LatentModels.Randomness;
using LatentModels.Statistics;

namespace LatentModels.SparseCoding;

/// <summary>
/// Online dictionary learning by mini-batches (Mairal, Bach, Ponce and Sapiro 2009, Algorithm 1): each mini-batch is
/// coded on the current atoms, its statistics A = Σ zzᵀ and B = Σ xzᵀ (<see cref="DictionaryStatistics"/>) are added to
/// the running ones, and one pass of block coordinate descent over the atoms on the running A and B gives the next
/// dictionary (unused atoms re-seeded from the mini-batch's rows, from the seed). The running statistics are the spine's
/// mergeable statistics: <see cref="Update(DictionaryStatistics)"/> takes statistics computed elsewhere (on the
/// <see cref="Snapshot"/>), so partitions can code their rows where they live and a driver learns from the merged sums.
/// The starting atoms come from the first K rows seen (<see cref="DictionaryLearningOptions.Init"/>; rows are buffered
/// until there are K), or from an initial model.
/// </summary>
/// <remarks>Every update is all-or-nothing: its input is checked first, and the state (count, buffered rows, atoms,
/// statistics and the generator, a <see cref="PersistableRandom"/> seeded by <see cref="DictionaryLearningOptions.Seed"/>)
/// is captured before the work and put back when it fails or is cancelled.</remarks>
public sealed class OnlineDictionaryLearning : IOnlineEstimator<DictionaryModel>
{
    private readonly PersistableRandom _random;
    private readonly List<double[]> _buffer = [];
    private LassoProblem? _problem;
    private SparseCodingEngine? _engine;
    private DictionaryStatistics? _statistics;
    private double[] _scratch = [];

    /// <summary>Creates the learner.</summary>
    /// <param name="options">The settings (<see cref="DictionaryLearningOptions.Atoms"/> is required).</param>
    /// <param name="initialModel">Starting atoms (K must match; its α is ignored for the options' one), or null to start from the data.</param>
    /// <exception cref="ArgumentException">An option is out of range, or the initial model has another K.</exception>
    public OnlineDictionaryLearning(DictionaryLearningOptions options, DictionaryModel? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
        _random = new PersistableRandom(options.Seed);
        if (initialModel is not null)
        {
            if (initialModel.Atoms != options.Atoms)
            {
                throw new ArgumentException($"The initial model has {initialModel.Atoms} atoms; the options ask for {options.Atoms}.", nameof(initialModel));
            }

            Start(initialModel.AtomsSpan.ToArray(), initialModel.Dimension);
        }
    }

    /// <summary>The settings.</summary>
    public DictionaryLearningOptions Options { get; }

    /// <inheritdoc />
    public long Count { get; private set; }

    /// <summary>Whether the dictionary exists yet (after K rows, or from an initial model).</summary>
    public bool IsInitialized => _problem is not null;

    /// <summary>The running statistics of every mini-batch so far (null before the dictionary exists).</summary>
    public DictionaryStatistics? Statistics => _statistics;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The point has the wrong length or a non-finite value.</exception>
    public void Update(ReadOnlySpan<double> point)
    {
        int d = Dimension ?? point.Length;
        if (d == 0)
        {
            throw new ArgumentException("The point has no values.", nameof(point));
        }

        DataValidation.CheckPoint(point, d, nameof(point));
        var batch = new double[1, d];
        point.CopyTo(batch.AsWritableSpan());
        Guarded(batch);
    }

    /// <summary>The dimension fixed by the atoms or the first buffered row (null before any row).</summary>
    private int? Dimension => _problem?.Dimension ?? (_buffer.Count > 0 ? _buffer[0].Length : null);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The batch has the wrong width or a non-finite value (the message names the row and column).</exception>
    public void Update(double[,] batch)
    {
        DataValidation.CheckMatrix(batch, nameof(batch), minRows: 0);
        DataValidation.CheckDimension(batch, Dimension ?? batch.GetLength(1), nameof(batch));
        Guarded(batch);
    }

    /// <summary>
    /// Adds statistics computed elsewhere — by partitions, on the current <see cref="Snapshot"/>, merged — to the running
    /// ones and takes the dictionary step (unused atoms are kept: there are no rows here to re-seed them from).
    /// </summary>
    /// <param name="statistics">Statistics of the same K and d.</param>
    /// <exception cref="InvalidOperationException">The dictionary does not exist yet.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Update(DictionaryStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (_problem is null || _statistics is null)
        {
            throw new InvalidOperationException("The dictionary does not exist yet: give it rows or an initial model first.");
        }

        if (statistics.Atoms != _problem.Atoms || statistics.Dimension != _problem.Dimension)
        {
            throw new ArgumentException($"The statistics are of {statistics.Atoms} atoms in dimension {statistics.Dimension}; the dictionary has {_problem.Atoms} atoms in dimension {_problem.Dimension}.", nameof(statistics));
        }

        DictionaryStatistics merged = _statistics.Merge(statistics);
        State saved = Capture();
        try
        {
            _statistics = merged;
            Count += (long)statistics.TotalWeight;
            DictionaryAtomUpdate.Pass(_problem.Dictionary, _statistics.ASpan, _statistics.BTransposedSpan, _problem.Atoms, _problem.Dimension, _scratch, reseed: null);
            _problem.RefreshGram(Options.MaxDegreeOfParallelism);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <summary>Streams the rows <paramref name="passes"/> times in mini-batches of <see cref="DictionaryLearningOptions.BatchSize"/>, in order.</summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="passes">Passes over the rows (≥ 1).</param>
    /// <param name="cancellationToken">Checked before each mini-batch.</param>
    /// <remarks>All-or-nothing: the rows are checked first, and when a mini-batch fails or the token is cancelled the learner
    /// is restored to its state before the call.</remarks>
    /// <exception cref="ArgumentException">Bad data (the wrong width, or a non-finite value named with its row and column) or passes.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the learner is as before the call.</exception>
    public void UpdateAll(double[,] data, int passes = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        int n = data.GetLength(0), d = data.GetLength(1), size = Options.BatchSize;
        DataValidation.CheckDimension(data, Dimension ?? d, nameof(data));
        State saved = Capture();
        try
        {
            for (int pass = 0; pass < passes; pass++)
            {
                for (int start = 0; start < n; start += size)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int rows = Math.Min(size, n - start);
                    var batch = new double[rows, d];
                    Array.Copy(data, (long)start * d, batch, 0, (long)rows * d);
                    Consume(batch);
                }
            }
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <summary>The complete mutable state: count, buffered rows (each an immutable copy), atoms (a copy), the statistics
    /// (immutable: an update replaces them) and the generator's state.</summary>
    private sealed record State(long Count, double[][] Buffered, double[]? Atoms, DictionaryStatistics? Statistics, ulong[] Random);

    private State Capture() => new(Count, [.. _buffer], _problem is null ? null : (double[])_problem.Dictionary.Clone(), _statistics, _random.GetState());

    private void Restore(State s)
    {
        Count = s.Count;
        _buffer.Clear();
        _buffer.AddRange(s.Buffered);
        if (s.Atoms is null)
        {
            (_problem, _engine, _statistics, _scratch) = (null, null, null, []);
        }
        else
        {
            _problem!.Update(s.Atoms, Options.MaxDegreeOfParallelism);
            _statistics = s.Statistics;
        }

        _random.SetState(s.Random);
    }

    /// <summary>Consumes a checked mini-batch all-or-nothing.</summary>
    private void Guarded(double[,] batch)
    {
        State saved = Capture();
        try
        {
            Consume(batch);
        }
        catch
        {
            Restore(saved);
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The dictionary does not exist yet.</exception>
    public DictionaryModel Snapshot()
    {
        if (_problem is null)
        {
            throw new InvalidOperationException($"The dictionary does not exist yet: {_buffer.Count} of {Options.Atoms} starting rows seen.");
        }

        return new DictionaryModel((double[])_problem.Dictionary.Clone(), _problem.Atoms, _problem.Dimension, Options.Alpha, Options.PositiveCodes);
    }

    private void Consume(double[,] batch)
    {
        int n = batch.GetLength(0), d = batch.GetLength(1);
        if (n == 0)
        {
            return;
        }

        if (_problem is null)
        {
            for (int i = 0; i < n; i++)
            {
                _buffer.Add(batch.Row(i).ToArray());
            }

            if (_buffer.Count < Options.Atoms)
            {
                return;
            }

            batch = new double[_buffer.Count, d];
            for (int i = 0; i < _buffer.Count; i++)
            {
                _buffer[i].CopyTo(batch.AsWritableSpan().Slice(i * d, d));
            }

            _buffer.Clear();
            Start(DictionaryLearning.InitialAtoms(batch, Options, _random), d);
        }

        Learn(batch);
    }

    private void Start(double[] atoms, int d)
    {
        _problem = new LassoProblem(Options.Atoms, d);
        _problem.Update(atoms, Options.MaxDegreeOfParallelism);
        _engine = new SparseCodingEngine(_problem, Options.CoderOptions);
        _statistics = new DictionaryStatistics(Options.Atoms, d);
        _scratch = new double[d];
    }

    private void Learn(double[,] batch)
    {
        LassoProblem p = _problem!;
        int n = batch.GetLength(0), k = p.Atoms, d = p.Dimension;
        var codes = new double[n, k];
        _engine!.Encode(batch, codes, warm: false, CancellationToken.None);
        DictionaryStatistics part = DictionaryStatistics.FromCodes(batch.AsSpan(), codes.AsSpan(), n, k, d, Options.MaxDegreeOfParallelism);
        _statistics = _statistics!.Merge(part);
        Count += n;
        DictionaryAtomUpdate.Pass(p.Dictionary, _statistics.ASpan, _statistics.BTransposedSpan, k, d, _scratch,
            atom => DictionaryAtomUpdate.ReseedFromRow(p.Dictionary, atom, d, batch.Row(_random.Next(n)), _random));
        p.RefreshGram(Options.MaxDegreeOfParallelism);
    }
}
