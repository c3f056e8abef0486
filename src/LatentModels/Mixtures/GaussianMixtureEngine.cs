using System.Collections.Concurrent;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM machinery over one data set: fused E-step + statistics over fixed-size row blocks (parallel, merged in
/// block order, so bit-identical for any thread count), closed-form M-step (MLE or MAP), initialisations and the
/// re-seeding of empty components. All buffers are allocated once per fit.
/// </summary>
internal sealed class GaussianMixtureEngine
{
    private readonly double[,]? _data;
    private readonly Func<int, double[]>? _rowAt;
    private readonly double[]? _sampleWeights;
    private readonly int _n, _d, _k;
    private readonly double _regularization;
    private readonly int _dop;
    private readonly int _blockSize;
    private readonly MixtureStatistics[] _blockStats;
    private readonly MixtureSuperblockFold _fold;
    private readonly ConcurrentBag<MixtureWorkspace> _pool = [];
    private readonly Action<int, int, int> _eStepBody;
    private readonly Action<int, int, int> _respBody;
    private readonly double[] _mStepScratch;
    private double[]? _initialResponsibilities;

    /// <param name="data">The rows.</param>
    /// <param name="sampleWeights">Optional row weights.</param>
    /// <param name="options">Components, covariance form, regularisation, parallelism (and the rule when no factory is given).</param>
    /// <param name="ruleFactory">Optional update rule from the data moments and the shift (the variational rule); by default the options' rule.</param>
    public GaussianMixtureEngine(double[,] data, double[]? sampleWeights, GaussianMixtureOptions options,
        Func<WeightedMoments, double[], IGaussianUpdateRule>? ruleFactory = null)
        : this(data, null, sampleWeights, data.GetLength(0), data.GetLength(1), options,
            // The data's d × d scatter only where the covariance form is a matrix (or a prior needs its default matrix
            // scale): a diagonal or spherical fit never needs d² (it would fail from d = 46,341 and cost d² memory before).
            WeightedMoments.FromRowsChecked(data, sampleWeights, fullScatter: NeedsFullDataScatter(options)), ruleFactory)
    {
    }

    /// <summary>
    /// The engine of a fit whose rows are not in memory (out of core): the caller computes the data moments (with the
    /// in-memory summation order), fills <see cref="Totals"/> block by block with <see cref="EStepInto"/>, and the engine
    /// takes the M-step; <paramref name="rowAt"/> fetches one row by index (the "first" start and the re-seeding of an
    /// empty component). <see cref="EStep"/> and the starts from responsibilities or labels are not available;
    /// <paramref name="ruleFactory"/> is as for the in-memory engine (the variational rule).
    /// </summary>
    public GaussianMixtureEngine(int rows, int dimension, WeightedMoments dataMoments, GaussianMixtureOptions options, Func<int, double[]> rowAt,
        Func<WeightedMoments, double[], IGaussianUpdateRule>? ruleFactory = null)
        : this(null, rowAt, null, rows, dimension, options, dataMoments, ruleFactory)
    {
    }

    private GaussianMixtureEngine(double[,]? data, Func<int, double[]>? rowAt, double[]? sampleWeights, int rows, int dimension, GaussianMixtureOptions options,
        WeightedMoments dataMoments, Func<WeightedMoments, double[], IGaussianUpdateRule>? ruleFactory)
    {
        _data = data;
        _rowAt = rowAt;
        _sampleWeights = sampleWeights;
        _n = rows;
        _d = dimension;
        _k = options.Components;
        _regularization = options.Regularization;
        _dop = options.MaxDegreeOfParallelism;
        DataMoments = dataMoments;
        TotalWeight = DataMoments.Weight;
        Current = new GaussianComponents(options.Covariance, _k, _d);
        DataMoments.MeanSpan.CopyTo(Current.Shift);
        Rule = ruleFactory?.Invoke(DataMoments, Current.Shift) ?? GaussianUpdateRules.For(options, DataMoments, Current.Shift);
        bool full = Current.Form.FullScatter;
        // A data set smaller than one block is one block either way; sizing it to the rows keeps small batches cheap.
        _blockSize = Math.Min(BlockSizeFor(_k, _d), Math.Max(_n, 1));
        int blocks = data is null ? 0 : ParallelBlocks.BlockCount(_n, _blockSize);
        _blockStats = new MixtureStatistics[blocks];
        for (int b = 0; b < blocks; b++)
        {
            _blockStats[b] = new MixtureStatistics(_k, _d, full);
        }

        Totals = new MixtureStatistics(_k, _d, full);
        _fold = new MixtureSuperblockFold(_k, _d, full, _blockSize);
        _mStepScratch = new double[Current.UpdateScratchLength];
        _eStepBody = EStepBlock;
        _respBody = ResponsibilityBlock;
    }

    /// <summary>Whether the data moments keep the d × d scatter (a matrix covariance form).</summary>
    public static bool NeedsFullDataScatter(GaussianMixtureOptions options) => CovarianceForm.For(options.Covariance).IsMatrix;

    /// <summary>Rows per block of the E-step (the data's size capped, so a data set smaller than one block is one block).</summary>
    public int BlockSize => _blockSize;

    /// <summary>Rows per block: a function of K and d only (never of the thread count).</summary>
    public static int BlockSizeFor(int k, int d)
    {
        int perRow = k * d + 2 * d + k + 1;
        int size = 16;
        while (size * 2 * perRow <= 32768 && size < 1024)
        {
            size *= 2;
        }

        return size;
    }

    public WeightedMoments DataMoments { get; }

    public double TotalWeight { get; }

    /// <summary>The update rule of the M-step (maximum likelihood or MAP).</summary>
    public IGaussianUpdateRule Rule { get; }

    public GaussianComponents Current { get; }

    public MixtureStatistics Totals { get; }

    public int Rows => _n;

    /// <summary>E-step on <see cref="Current"/>: fills <see cref="Totals"/> and returns the mean log-likelihood.</summary>
    public double EStep()
    {
        ParallelBlocks.For(_n, _blockSize, _dop, _eStepBody);
        MergeBlocks();
        return Totals.LogLikelihood / Totals.SampleWeight;
    }

    /// <summary>The objective EM maximises: mean log-likelihood, plus log-prior / total weight under a prior.</summary>
    public double Objective(double meanLogLikelihood) => Rule.Objective(meanLogLikelihood, Current, TotalWeight);

    /// <summary>The blocks' statistics into <see cref="Totals"/> in the fixed superblock structure (<see cref="MixtureSuperblockFold"/>).</summary>
    private void MergeBlocks()
    {
        Totals.Reset();
        _fold.Reset();
        foreach (MixtureStatistics s in _blockStats)
        {
            _fold.Add(Totals, s);
        }

        _fold.Finish(Totals);
    }

    private MixtureWorkspace Rent() =>
        _pool.TryTake(out MixtureWorkspace? ws) ? ws : new MixtureWorkspace(_blockSize, _k, _d);

    /// <summary>
    /// The fit's token, checked before every block of the E-step (so a cancelled EM or variational iteration stops within
    /// one block of rows, not at the end of the pass); the run that owns the engine sets it.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    private void EStepBlock(int block, int start, int end)
    {
        Cancellation.ThrowIfCancellationRequested();
        MixtureWorkspace ws = Rent();
        ReadOnlySpan<double> x = _data!.AsSpan().Slice(start * _d, (end - start) * _d);
        EStepInto(Current, x, end - start, _sampleWeights is null ? default : _sampleWeights.AsSpan(start, end - start), start, _blockStats[block], ws);
        _pool.Add(ws);
    }

    /// <summary>
    /// The fused E-step of one block: log-joints of the rows of <paramref name="x"/> (row-major, <paramref name="rows"/>
    /// × d) under <paramref name="p"/>, responsibilities, and the block's statistics (centered on <c>p.Shift</c>) written
    /// over <paramref name="stats"/>. Row i (row <c>firstRow + i</c> of the data) has sample weight <c>sampleWeights[i]</c>
    /// (1 when empty). The workspace's block size is the row stride.
    /// </summary>
    internal static void EStepInto(GaussianComponents p, ReadOnlySpan<double> x, int rows, ReadOnlySpan<double> sampleWeights, int firstRow, MixtureStatistics stats, MixtureWorkspace ws)
    {
        int k = p.K, stride = ws.BlockSize, start = firstRow;
        Span<double> resp = ws.LogProb;
        Span<double> lse = ws.LogNormalizer.AsSpan(0, rows);
        p.LogJoint(x, rows, resp, stride, ws);
        ColumnLogSumExp.Normalize(resp, k, rows, stride, lse, ws.Temp);
        double ll = 0, sw = 0, worst = double.PositiveInfinity;
        int worstRow = -1;
        for (int i = 0; i < rows; i++)
        {
            double w = sampleWeights.IsEmpty ? 1.0 : sampleWeights[i];
            if (w != 1.0)
            {
                for (int c = 0; c < k; c++)
                {
                    resp[c * stride + i] *= w;
                }
            }

            if (w > 0)
            {
                ll += w * lse[i];
                sw += w;
                if (lse[i] < worst)
                {
                    worst = lse[i];
                    worstRow = start + i;
                }
            }
        }

        stats.SetFromBlock(ws.Centered, resp, rows, stride, ws);
        stats.LogLikelihood = ll;
        stats.SampleWeight = sw;
        stats.WorstValue = worst;
        stats.WorstRow = worstRow;
    }

    /// <summary>
    /// The E-step of <paramref name="p"/> on a partition of the rows (a shard) whose first row is global row
    /// <paramref name="firstRow"/>: cut at the global multiples of <see cref="KMeansStatistics.SuperblockRows"/>
    /// (<see cref="KMeansStatistics.PartRows"/>), each piece's blocks of <paramref name="blockSize"/> rows (the engine's
    /// <see cref="BlockSize"/> for all the rows) computed with <see cref="EStepInto"/> (worst rows numbered globally) and
    /// merged in order from empty statistics — the open superblock of the engine's fold. Folded by
    /// <see cref="MixtureSuperblockFold.AddPart"/> in row order, the parts of partitions that start at superblock boundaries,
    /// or of one block each, give the engine's <see cref="Totals"/> bit for bit; other cuts agree to rounding.
    /// </summary>
    internal static List<MixtureStatistics> EStepParts(GaussianComponents p, double[,] data, double[]? sampleWeights, long firstRow, int blockSize, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = p.D, k = p.K;
        bool full = p.Form.FullScatter;
        var parts = new List<MixtureStatistics>();
        var pool = new ConcurrentBag<MixtureWorkspace>();
        foreach ((int start, int count) in KMeansStatistics.PartRows(firstRow, n))
        {
            var blocks = new MixtureStatistics[ParallelBlocks.BlockCount(count, blockSize)];
            ParallelBlocks.For(count, blockSize, maxDegreeOfParallelism, (block, from, to) =>
            {
                MixtureWorkspace ws = pool.TryTake(out MixtureWorkspace? w) ? w : new MixtureWorkspace(blockSize, k, d);
                int rows = to - from, at = start + from;
                var stats = new MixtureStatistics(k, d, full);
                EStepInto(p, data.AsSpan().Slice(at * d, rows * d), rows, sampleWeights is null ? default : sampleWeights.AsSpan(at, rows),
                    checked((int)(firstRow + at)), stats, ws);
                blocks[block] = stats;
                pool.Add(ws);
            });
            var part = new MixtureStatistics(k, d, full);
            foreach (MixtureStatistics block in blocks)
            {
                part.Merge(block);
            }

            parts.Add(part);
        }

        return parts;
    }

    private void ResponsibilityBlock(int block, int start, int end)
    {
        MixtureWorkspace ws = Rent();
        int rows = end - start, k = _k, d = _d, stride = _blockSize;
        ReadOnlySpan<double> x = _data!.AsSpan().Slice(start * d, rows * d);
        Span<double> resp = ws.LogProb;
        double sw = 0;
        for (int i = 0; i < rows; i++)
        {
            double w = _sampleWeights?[start + i] ?? 1.0;
            sw += w;
            for (int c = 0; c < k; c++)
            {
                resp[c * stride + i] = w * _initialResponsibilities![(start + i) * k + c];
            }
        }

        ResponsibilitiesInto(Current.Shift, x, rows, sw, _blockStats[block], ws);
        _pool.Add(ws);
    }

    /// <summary>
    /// The statistics of one block of rows (row-major in <paramref name="x"/>) under the weighted responsibilities already
    /// in <c>ws.LogProb</c> (component-major, the workspace's block size as stride), centered on <paramref name="shift"/>,
    /// written over <paramref name="stats"/>; <paramref name="sampleWeight"/> is the block's total row weight.
    /// </summary>
    internal static void ResponsibilitiesInto(ReadOnlySpan<double> shift, ReadOnlySpan<double> x, int rows, double sampleWeight, MixtureStatistics stats, MixtureWorkspace ws)
    {
        int stride = ws.BlockSize;
        CenterTranspose.Run(x, rows, shift.Length, shift, ws.Centered, stride);
        stats.SetFromBlock(ws.Centered, ws.LogProb, rows, stride, ws);
        stats.LogLikelihood = 0;
        stats.SampleWeight = sampleWeight;
        stats.WorstValue = double.PositiveInfinity;
        stats.WorstRow = -1;
    }

    /// <summary>Initialises <see cref="Current"/> with an M-step from the given n × K responsibilities.</summary>
    public void InitializeFromResponsibilities(double[] responsibilities, Random random)
    {
        ComputeStatistics(responsibilities);
        MStep(random);
    }

    /// <summary>Initialises <see cref="Current"/> with one-hot responsibilities from hard labels.</summary>
    public void InitializeFromLabels(int[] labels, Random random)
    {
        var resp = new double[_n * _k];
        for (int i = 0; i < _n; i++)
        {
            resp[i * _k + labels[i]] = 1;
        }

        InitializeFromResponsibilities(resp, random);
    }

    /// <summary>The "first" start: first K rows as means, equal weights, the data covariance for every component.</summary>
    public void InitializeFirst()
    {
        int k = _k, d = _d;
        for (int c = 0; c < k; c++)
        {
            Current.Weights[c] = 1.0 / k;
            RowAt(c).CopyTo(Current.Means.AsSpan(c * d, d));
            DataCovariance(c, 0.0);
        }

        if (!Current.TryUpdate(_mStepScratch, out _))
        {
            // A degenerate data covariance (e.g. a constant column): fall back to the regularised one.
            double jitter = _regularization > 0 ? _regularization : 1e-6 * Math.Max(MeanDataVariance(), double.Epsilon);
            for (int c = 0; c < k; c++)
            {
                DataCovariance(c, jitter);
            }

            ThrowIfSingular();
        }
    }

    /// <summary>Starts from explicit parameters (a model's weights, means and covariances).</summary>
    public void InitializeFrom(GaussianComponents parameters)
    {
        parameters.Weights.CopyTo(Current.Weights, 0);
        parameters.Means.CopyTo(Current.Means, 0);
        parameters.Covariance.CopyTo(Current.Covariance, 0);
        ThrowIfSingular();
    }

    /// <summary>
    /// Refreshes <see cref="Current"/> through the rule after the rule set the parameters itself (a variational warm
    /// start); a scale that is not positive definite throws the <see cref="FittingException"/> naming its component.
    /// </summary>
    public void Refresh()
    {
        if (!Rule.TryRefresh(Current, _mStepScratch, out int failed))
        {
            ThrowSingular(failed);
        }
    }

    private double MeanDataVariance()
    {
        double s = 0;
        for (int j = 0; j < _d; j++)
        {
            s += DataMoments.DiagonalScatter(j);
        }

        return s / (_d * DataMoments.Weight);
    }

    /// <summary>Writes the data's 1/N covariance (shaped by the covariance form) plus a jitter as component c's covariance.</summary>
    private void DataCovariance(int c, double jitter) =>
        Current.Form.SetFromData(Current.Covariance, _d, c, DataMoments.ScatterSpan, DataMoments.Weight, jitter);

    /// <summary>
    /// M-step from <see cref="Totals"/>: weights, means and covariances (MLE plus <c>Regularization</c> on the diagonal,
    /// or the MAP update under the prior). Components that lost all their weight are re-seeded at the worst-explained row
    /// (then at random rows). Throws <see cref="FittingException"/> naming a component whose covariance is singular.
    /// </summary>
    public void MStep(Random random)
    {
        if (!TryMStep(random, out int failed))
        {
            ThrowSingular(failed);
        }
    }

    /// <summary>
    /// <see cref="MStep"/> that reports a covariance that is not positive definite (−1 for the tied one) instead of
    /// throwing; <see cref="Current"/> then holds the failed parameters.
    /// </summary>
    public bool TryMStep(Random random, out int failedComponent)
    {
        double n = Rule.Apply(Current, Totals);
        if (Rule is not IVariationalGaussianUpdate)
        {
            // An empty component of the variational posterior is its prior (the peer keeps it): nothing to re-seed.
            ReseedEmptyComponents(1e-10 * n, random);
        }

        return Rule.TryRefresh(Current, _mStepScratch, out failedComponent);
    }

    /// <summary>
    /// Fills <see cref="Totals"/> with the statistics of the given n × K responsibilities (row-major; rows centered on
    /// <c>Current.Shift</c>), block by block in block order, so the bits do not depend on the thread count.
    /// </summary>
    public void ComputeStatistics(double[] responsibilities)
    {
        _initialResponsibilities = responsibilities;
        ParallelBlocks.For(_n, _blockSize, _dop, _respBody);
        _initialResponsibilities = null;
        MergeBlocks();
    }

    private void ReseedEmptyComponents(double threshold, Random random)
    {
        int k = _k, d = _d;
        bool any = false;
        bool usedWorst = false;
        for (int c = 0; c < k; c++)
        {
            if (Totals.Weight[c] > threshold)
            {
                continue;
            }

            any = true;
            int row = !usedWorst && Totals.WorstRow >= 0 ? Totals.WorstRow : random.Next(_n);
            usedWorst = true;
            RowAt(row).CopyTo(Current.Means.AsSpan(c * d, d));
            Current.Weights[c] = 1.0 / _n;
            if (!Current.Form.Shared)
            {
                DataCovariance(c, _regularization);
            }
        }

        if (any)
        {
            double sum = Current.Weights.Sum();
            for (int c = 0; c < k; c++)
            {
                Current.Weights[c] /= sum;
            }
        }
    }

    private ReadOnlySpan<double> RowAt(int row) => _data is not null ? _data.Row(row) : _rowAt!(row);

    private void ThrowIfSingular()
    {
        if (!Current.TryUpdate(_mStepScratch, out int failed))
        {
            ThrowSingular(failed);
        }
    }

    /// <summary>Throws the <see cref="FittingException"/> for a covariance that is not positive definite, with the remedies.</summary>
    public static void ThrowSingular(int failed)
    {
        string who = failed < 0 ? "The shared (tied) covariance" : $"The covariance of component {failed}";
        string message = $"{who} is not positive definite (in a fit over a data set: has a conditional variance at most 2^-52 of the data's): its points lie in a lower-dimensional subspace or it collapsed onto too few "
            + "(e.g. duplicated) points. Remedies: set Regularization > 0 (e.g. 1e-6, added to the diagonal), fit MAP EM with a prior "
            + "(Prior = GaussianMixturePrior.Default), use fewer components, or a more constrained covariance type.";
        throw failed < 0 ? new FittingException(message) : new FittingException(message, failed);
    }
}
