using System.Diagnostics;
using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.SparseCoding;

/// <summary>
/// Binary sparse coding fitted by variational EM (Goodfellow et al., <i>Deep Learning</i> §19.4.1): the E-step runs
/// mean-field inference to its fixed point for every row (<see cref="BinarySparseCodingOptions.Inference"/>), the
/// M-step sets W, b and β in closed form from E[h] and E[hhᵀ]. Each iteration raises the lower bound (the ELBO) once
/// annealing is over; the trace reports the mean ELBO per row after each iteration.
/// </summary>
/// <remarks>
/// Each start draws Wₖᵢ = (standard deviation of dimension k) × 𝒩(0, 1), prior probabilities 1/H (at most ½) and the
/// data's variances as noise. At low noise the mean-field posteriors are nearly 0 or 1 and EM freezes at poor optima
/// (atoms holding sums or differences of two true atoms, or halves of two): deterministic annealing of the likelihood,
/// pair moves at the fixed points (<see cref="BinarySparseCodingOptions.PairMoves"/>) and several starts keeping the best
/// bound escape them.
/// </remarks>
public sealed class BinarySparseCoding : IEstimator<BinarySparseCodingModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings; validated when fitting.</param>
    public BinarySparseCoding(BinarySparseCodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public BinarySparseCodingOptions Options { get; }

    /// <summary>Fits the model to the rows of <paramref name="data"/> (never modified).</summary>
    /// <param name="data">n × d observations, finite, n ≥ 1.</param>
    /// <param name="progress">Receives the mean ELBO per row after every iteration of every start.</param>
    /// <param name="cancellationToken">Checked between iterations and sweeps.</param>
    /// <exception cref="ArgumentException">The data or the options are invalid (the message names which).</exception>
    /// <exception cref="FittingException">The M-step's system is singular even with a ridge.</exception>
    public FitResult<BinarySparseCodingModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        Options.Validate(data.GetLength(0), data.GetLength(1));
        var watch = Stopwatch.StartNew();
        var run = new Run(Options, data);
        var master = new Random(Options.Seed);
        var seeds = new int[Options.Starts];
        for (int s = 0; s < seeds.Length; s++)
        {
            seeds[s] = master.Next();
        }

        BinarySparseCodingParameters? best = null;
        List<double>? bestTrace = null;
        bool bestConverged = false;
        double bestElbo = double.NegativeInfinity;
        for (int s = 0; s < seeds.Length; s++)
        {
            var trace = new List<double>();
            bool converged = run.Start(new Random(seeds[s]), s, trace, progress, cancellationToken, out double final);
            if (best is null || final > bestElbo)
            {
                best = run.Parameters.Clone();
                bestTrace = trace;
                bestConverged = converged;
                bestElbo = final;
            }
        }

        var model = new BinarySparseCodingModel(best!, bestElbo);
        var report = new FitReport("meanElbo", bestTrace!.Count, bestConverged, bestTrace, watch.Elapsed);
        return new FitResult<BinarySparseCodingModel>(model, report);
    }

    /// <summary>The largest H for which pair moves are tried (they cost 2·H·(H − 1) E-steps per round).</summary>
    public const int MaxMoveComponents = 32;

    /// <summary>Rows of the subsample on which pair moves are scored.</summary>
    private const int MoveRows = 256;

    /// <summary>The smallest gain of the mean ELBO per row (nats) for which a pair move is taken.</summary>
    private const double MoveGain = 1e-3;

    /// <summary>The state of one fit: parameters, q for every row, per-batch statistics and the workspaces.</summary>
    private sealed class Run
    {
        private readonly BinarySparseCodingOptions _options;
        private readonly double[,] _data;
        private readonly int _n, _d, _h, _batch, _batches;
        private readonly BinarySparseCodingEngine _engine;
        private readonly BinarySparseCodingMStep _mStep;
        private readonly BinarySparseCodingStatistics[] _parts;
        private readonly BinarySparseCodingStatistics _totals;
        private readonly double[] _logits, _means, _rowBounds, _deviation, _floor;
        private bool _preparedAll;
        private BinarySparseCodingEngine? _moveEngine;
        private double[]? _moveRows, _moveLogits, _moveMeans, _moveBounds;
        private BinarySparseCodingStatistics? _moveStatistics;
        private BinarySparseCodingParameters? _moveScratch, _moveCandidate;

        public Run(BinarySparseCodingOptions options, double[,] data)
        {
            _options = options;
            _data = data;
            _n = data.GetLength(0);
            _d = data.GetLength(1);
            _h = _options.Components;
            _batch = Math.Min(_options.BatchSize ?? _n, _n);
            _batches = ParallelBlocks.BlockCount(_n, _batch);
            _engine = new BinarySparseCodingEngine(_h, _d, _batch, _options.MaxDegreeOfParallelism);
            _mStep = new BinarySparseCodingMStep(_h);
            _parts = new BinarySparseCodingStatistics[_batches];
            for (int b = 0; b < _batches; b++)
            {
                _parts[b] = new BinarySparseCodingStatistics(_h, _d);
            }

            _totals = _batches == 1 ? _parts[0] : new BinarySparseCodingStatistics(_h, _d);
            Parameters = new BinarySparseCodingParameters(_h, _d);
            _logits = new double[_n * _h];
            _means = new double[_n * _h];
            _rowBounds = new double[_n];
            _deviation = ColumnDeviations(data);
            double meanVariance = 0;
            for (int k = 0; k < _d; k++)
            {
                meanVariance += _deviation[k] * _deviation[k] / _d;
            }

            double floorValue = _options.NoiseVarianceFloor * (meanVariance > 0 ? meanVariance : 1.0);
            _floor = Enumerable.Repeat(floorValue, _d).ToArray();
        }

        public BinarySparseCodingParameters Parameters { get; }

        /// <summary>Runs one start; returns whether it converged.</summary>
        /// <remarks>
        /// With pair moves, the parameters of the best EM fixed point so far are kept: when a move does not lead to a
        /// better fixed point (by more than <see cref="MoveGain"/>), or the iterations run out after a move, the run ends
        /// at that best fixed point, so <paramref name="final"/> (its mean ELBO) is never worse than the first fixed point's.
        /// </remarks>
        public bool Start(Random random, int start, List<double> trace, IProgress<FitProgress>? progress, CancellationToken cancellationToken, out double final)
        {
            Initialise(random);
            double previous = double.NaN, elbo = double.NaN, fixedElbo = double.NegativeInfinity;
            BinarySparseCodingParameters? fixedPoint = null;
            int reseedUntil = _options.MaxIterations / 2;
            for (int t = 1; t <= _options.MaxIterations; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double scale = 1.0 / _options.Temperature(t);

                for (int b = 0; b < _batches; b++)
                {
                    int first = b * _batch, count = Math.Min(_batch, _n - first);
                    ReadOnlySpan<double> rows = _data.AsSpan().Slice(first * _d, count * _d);
                    if (!(_batches == 1 && _preparedAll))
                    {
                        _engine.SetParameters(Parameters);
                        _engine.Prepare(rows, count);
                    }

                    _engine.Infer(_logits, _means, first, count, _options.Inference, scale, cancellationToken);
                    _parts[b].Compute(rows, count, _logits, _means, first, _options.MaxDegreeOfParallelism);
                    if (_batches > 1)
                    {
                        _totals.SetSum(_parts);
                    }

                    _mStep.Apply(_totals, _floor, Parameters);
                    _preparedAll = false;
                }

                elbo = CurrentElbo();
                trace.Add(elbo);
                progress?.Report(new FitProgress(start, t, _options.MaxIterations, elbo));
                bool annealed = t >= (_options.Anneals ? _options.AnnealingIterations : 0);
                if (_options.ReseedUnusedAtoms && t <= reseedUntil && Reseed())
                {
                    previous = double.NaN;
                    continue;
                }

                if (annealed && Math.Abs(elbo - previous) < _options.Tolerance)
                {
                    if (fixedPoint is not null && elbo <= fixedElbo + MoveGain)
                    {
                        // The last move led nowhere better: end at the best fixed point.
                        final = Math.Max(elbo, fixedElbo);
                        if (fixedElbo > elbo)
                        {
                            fixedPoint.CopyTo(Parameters);
                        }

                        return true;
                    }

                    if (_options.PairMoves && _h <= MaxMoveComponents && t < _options.MaxIterations)
                    {
                        fixedPoint ??= new BinarySparseCodingParameters(_h, _d);
                        Parameters.CopyTo(fixedPoint);
                        fixedElbo = elbo;
                        if (TryPairMoves(cancellationToken))
                        {
                            previous = double.NaN;
                            continue;
                        }
                    }

                    final = elbo;
                    return true;
                }

                previous = elbo;
            }

            if (fixedPoint is not null && fixedElbo > elbo)
            {
                fixedPoint.CopyTo(Parameters);
                final = fixedElbo;
            }
            else
            {
                final = double.IsNaN(elbo) ? CurrentElbo() : elbo;
            }

            return false;
        }

        /// <summary>
        /// At a fixed point of EM, tries the moves W:,ⱼ ← W:,ⱼ ± W:,ᵢ (i ≠ j) and W:,ⱼ ← the residual of one of the
        /// worst-explained rows (without atom j's part). Each candidate is scored on a fixed subsample of at most
        /// <see cref="MoveRows"/> rows (evenly spaced): q from the prior, one E-step, one M-step, the mean ELBO; the
        /// unchanged parameters are scored the same way. The best candidate is taken if it gains more than
        /// <see cref="MoveGain"/> nats per row, and EM continues from it with q back at the prior. Frozen optima of low-noise
        /// data (atoms holding sums, differences or halves of two true atoms) are left this way. Returns whether a move was taken.
        /// </summary>
        private bool TryPairMoves(CancellationToken cancellationToken)
        {
            int m = Math.Min(_n, MoveRows);
            if (_moveEngine is null)
            {
                _moveEngine = new BinarySparseCodingEngine(_h, _d, m, _options.MaxDegreeOfParallelism);
                _moveRows = new double[m * _d];
                for (int r = 0; r < m; r++)
                {
                    int source = (int)((long)r * _n / m);
                    for (int k = 0; k < _d; k++)
                    {
                        _moveRows[r * _d + k] = _data[source, k];
                    }
                }

                _moveLogits = new double[m * _h];
                _moveMeans = new double[m * _h];
                _moveBounds = new double[m];
                _moveStatistics = new BinarySparseCodingStatistics(_h, _d);
                _moveScratch = new BinarySparseCodingParameters(_h, _d);
                _moveCandidate = new BinarySparseCodingParameters(_h, _d);
            }

            var inference = _options.Inference with
            {
                MaxSweeps = Math.Min(_options.Inference.MaxSweeps, 10),
                Tolerance = Math.Max(_options.Inference.Tolerance, 1e-3),
            };
            BinarySparseCodingParameters start = Parameters, candidate = _moveCandidate!;
            double bestScore = ScoreCandidate(start, inference, cancellationToken) + MoveGain;
            BinarySparseCodingParameters? best = null;
            int[] worst = Enumerable.Range(0, _n).OrderBy(r => _rowBounds[r]).ThenBy(r => r).Take(Math.Min(_n, _h)).ToArray();
            for (int j = 0; j < _h; j++)
            {
                for (int c = 0; c <= 2 * _h; c++)
                {
                    int i = c / 2, sign = c % 2 == 0 ? -1 : 1;
                    if (i == j)
                    {
                        continue;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    start.CopyTo(candidate);
                    double[] w = candidate.Weights;
                    int row = worst[j % worst.Length];
                    for (int k = 0; k < _d; k++)
                    {
                        if (i < _h)
                        {
                            w[k * _h + j] += sign * w[k * _h + i];
                        }
                        else
                        {
                            double reconstruction = 0;
                            for (int a = 0; a < _h; a++)
                            {
                                reconstruction += a == j ? 0 : start.Weights[k * _h + a] * _means[row * _h + a];
                            }

                            w[k * _h + j] = _data[row, k] - reconstruction;
                        }
                    }

                    double score = ScoreCandidate(candidate, inference, cancellationToken);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best ??= new BinarySparseCodingParameters(_h, _d);
                        candidate.CopyTo(best);
                    }
                }
            }

            if (best is null)
            {
                return false;
            }

            best.CopyTo(Parameters);
            BinarySparseCodingModel.InitialiseToPrior(Parameters.Bias, _logits, _means);
            _preparedAll = false;
            return true;
        }

        /// <summary>The subsample's mean ELBO after one E-step from the prior and one M-step from <paramref name="parameters"/>.</summary>
        private double ScoreCandidate(BinarySparseCodingParameters parameters, BinarySparseCodingInference inference, CancellationToken cancellationToken)
        {
            BinarySparseCodingEngine engine = _moveEngine!;
            int m = engine.Capacity;
            engine.SetParameters(parameters);
            engine.Prepare(_moveRows, m);
            BinarySparseCodingModel.InitialiseToPrior(parameters.Bias, _moveLogits, _moveMeans);
            engine.Infer(_moveLogits!, _moveMeans!, 0, m, inference, 1.0, cancellationToken);
            _moveStatistics!.Compute(_moveRows, m, _moveLogits!, _moveMeans!, 0, _options.MaxDegreeOfParallelism);
            try
            {
                _mStep.Apply(_moveStatistics, _floor, _moveScratch!);
            }
            catch (FittingException)
            {
                return double.NegativeInfinity;
            }

            engine.SetParameters(_moveScratch!);
            engine.Prepare(_moveRows, m);
            return engine.Elbo(_moveLogits!, _moveMeans!, 0, m, _moveBounds) / m;
        }

        /// <summary>The mean ELBO per row of the current q under the current parameters (leaves the whole data prepared when it is one batch).</summary>
        public double CurrentElbo()
        {
            _engine.SetParameters(Parameters);
            double sum = 0;
            for (int b = 0; b < _batches; b++)
            {
                int first = b * _batch, count = Math.Min(_batch, _n - first);
                _engine.Prepare(_data.AsSpan().Slice(first * _d, count * _d), count);
                sum += _engine.Elbo(_logits, _means, first, count, _rowBounds);
            }

            _preparedAll = _batches == 1;
            return sum / _n;
        }

        private void Initialise(Random random)
        {
            BinarySparseCodingParameters p = Parameters;
            var z = new double[_d * _h];
            StandardNormal.Fill(random, z);
            for (int k = 0; k < _d; k++)
            {
                for (int i = 0; i < _h; i++)
                {
                    p.Weights[k * _h + i] = _deviation[k] * z[k * _h + i];
                }

                p.NoiseVariance[k] = Math.Max(_deviation[k] * _deviation[k], _floor[k]);
            }

            double prior = Math.Min(0.5, 1.0 / _h);
            Array.Fill(p.Bias, Math.Log(prior) - Math.Log(1 - prior));
            BinarySparseCodingModel.InitialiseToPrior(p.Bias, _logits, _means);
            _preparedAll = false;
        }

        /// <summary>
        /// Re-seeds every atom that explains nothing — Σₙ ĥₙᵢ &lt; 1 (used by no row), or W:,ᵢᵀβW:,ᵢ &lt; 1 (too small to
        /// matter against the noise, an atom the prior keeps on for nothing) — at the residual v − Wĥ of the worst-explained rows (lowest bound first,
        /// one row per atom), with the initial prior; that atom's q returns to its prior. Returns whether any was re-seeded.
        /// </summary>
        private bool Reseed()
        {
            BinarySparseCodingParameters p = Parameters;
            List<int>? unused = null;
            for (int i = 0; i < _h; i++)
            {
                double used = 0, energy = 0;
                for (int r = 0; r < _n; r++)
                {
                    used += _means[r * _h + i];
                }

                for (int k = 0; k < _d; k++)
                {
                    energy += p.Weights[k * _h + i] * p.Weights[k * _h + i] / p.NoiseVariance[k];
                }

                if (used < 1 || energy < 1)
                {
                    (unused ??= []).Add(i);
                }
            }

            if (unused is null)
            {
                return false;
            }

            int[] order = Enumerable.Range(0, _n).OrderBy(r => _rowBounds[r]).ThenBy(r => r).Take(unused.Count).ToArray();
            double prior = Math.Min(0.5, 1.0 / _h);
            double bias = Math.Log(prior) - Math.Log(1 - prior);
            for (int u = 0; u < unused.Count && u < order.Length; u++)
            {
                int i = unused[u], row = order[u];
                for (int k = 0; k < _d; k++)
                {
                    double reconstruction = 0;
                    for (int j = 0; j < _h; j++)
                    {
                        reconstruction += p.Weights[k * _h + j] * _means[row * _h + j];
                    }

                    p.Weights[k * _h + i] = _data[row, k] - reconstruction;
                }

                p.Bias[i] = bias;
                for (int r = 0; r < _n; r++)
                {
                    _logits[r * _h + i] = bias;
                    _means[r * _h + i] = BernoulliMeanField.Sigmoid(bias);
                }
            }

            _preparedAll = false;
            return true;
        }

        /// <summary>The standard deviation (1/n) of every column, by Welford's update (stable for data far from zero).</summary>
        private static double[] ColumnDeviations(double[,] data)
        {
            int n = data.GetLength(0), d = data.GetLength(1);
            var mean = new double[d];
            var m2 = new double[d];
            for (int r = 0; r < n; r++)
            {
                for (int k = 0; k < d; k++)
                {
                    double delta = data[r, k] - mean[k];
                    mean[k] += delta / (r + 1);
                    m2[k] += delta * (data[r, k] - mean[k]);
                }
            }

            return m2.Select(v => Math.Sqrt(v / n)).ToArray();
        }
    }
}
