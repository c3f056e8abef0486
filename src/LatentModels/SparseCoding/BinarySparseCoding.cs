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
/// Each start draws W:,ᵢ = data mean + ¼ data standard deviation × 𝒩(0, 1) per dimension, prior probabilities 1/H (at
/// most ½) and the data's variances as noise. Poor optima (an atom holding two bars, an atom left unused) are escaped by
/// deterministic annealing of the likelihood and by re-seeding unused atoms; several starts keep the best bound.
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
        Options.Validate(data.GetLength(0));
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
            bool converged = run.Start(new Random(seeds[s]), s, trace, progress, cancellationToken);
            double final = trace.Count > 0 ? trace[^1] : run.CurrentElbo();
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
        private readonly double[] _logits, _means, _rowBounds, _mean, _deviation, _floor;
        private bool _preparedAll;

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
            (_mean, _deviation) = ColumnMoments(_data);
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
        public bool Start(Random random, int start, List<double> trace, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
        {
            Initialise(random);
            double previous = double.NaN;
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

                double elbo = CurrentElbo();
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
                    return true;
                }

                previous = elbo;
            }

            return false;
        }

        /// <summary>The _mean ELBO per row of the current q under the current parameters (leaves the whole _data prepared when it is one _batch).</summary>
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
            int[] picks = Enumerable.Range(0, _h).Select(_ => random.Next(_n)).ToArray();
            for (int k = 0; k < _d; k++)
            {
                for (int i = 0; i < _h; i++)
                {
                    p.Weights[k * _h + i] = _options.InitVariant switch
                    {
                        1 => _data[picks[i], k],
                        2 => _deviation[k] * z[k * _h + i],
                        3 => 0.5 * _data[picks[i], k] + 0.1 * _deviation[k] * z[k * _h + i],
                        _ => _mean[k] + 0.25 * _deviation[k] * z[k * _h + i],
                    };
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

        private static (double[] Mean, double[] Deviation) ColumnMoments(double[,] data)
        {
            int n = data.GetLength(0), d = data.GetLength(1);
            var mean = new double[d];
            var m2 = new double[d];
            for (int r = 0; r < n; r++)
            {
                for (int k = 0; k < d; k++)
                {
                    // Welford: stable for data far from zero.
                    double delta = data[r, k] - mean[k];
                    mean[k] += delta / (r + 1);
                    m2[k] += delta * (data[r, k] - mean[k]);
                }
            }

            var deviation = new double[d];
            for (int k = 0; k < d; k++)
            {
                deviation[k] = Math.Sqrt(m2[k] / n);
            }

            return (mean, deviation);
        }
    }
}
