using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.SparseCoding;

/// <summary>
/// A fitted binary sparse coding model (Goodfellow et al., <i>Deep Learning</i> §19.4.1): p(hᵢ = 1) = σ(bᵢ) independently
/// for i = 1 … H, and v | h ~ 𝒩(Wh, β⁻¹) with β diagonal. Immutable. Inference is mean-field: <see cref="Transform"/>
/// gives the posterior means ĥ, <see cref="Elbo"/> the lower bound of each row; for H ≤ <see cref="MaxExactComponents"/>
/// <see cref="ExactLogLikelihood"/> and <see cref="ExactPosteriorMeans"/> enumerate the 2ᴴ states.
/// </summary>
public sealed class BinarySparseCodingModel : ISampler, ILatentTransform
{
    /// <summary>The largest H for which the exact log-likelihood and posterior are computed (2ᴴ states per row).</summary>
    public const int MaxExactComponents = 16;

    /// <summary>Rows handled at once by the model's methods (bounds their workspace).</summary>
    private const int ChunkRows = 4096;

    private readonly BinarySparseCodingParameters _parameters;

    /// <summary>Creates a model from its parameters (copied).</summary>
    /// <param name="dictionary">H × d: row i is atom i, the column W:,ᵢ of W.</param>
    /// <param name="priorLogits">H prior logits bᵢ, p(hᵢ = 1) = σ(bᵢ); finite, |bᵢ| ≤ 700.</param>
    /// <param name="noiseVariance">d noise variances βₖ⁻¹; positive and finite.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is not finite or not positive where it must be.</exception>
    public BinarySparseCodingModel(double[,] dictionary, double[] priorLogits, double[] noiseVariance)
        : this(FromArguments(dictionary, priorLogits, noiseVariance), double.NaN)
    {
    }

    /// <summary>Wraps parameters the estimator produced (taken over, not copied) and the fit's final mean lower bound.</summary>
    internal BinarySparseCodingModel(BinarySparseCodingParameters parameters, double trainingElbo)
    {
        _parameters = parameters;
        TrainingElbo = trainingElbo;
    }

    /// <summary>Rebuilds a saved model: the public constructor's checks, plus the fit's final bound (NaN when unknown).</summary>
    internal static BinarySparseCodingModel Restore(double[,] dictionary, double[] priorLogits, double[] noiseVariance, double trainingElbo) =>
        new(FromArguments(dictionary, priorLogits, noiseVariance), trainingElbo);

    /// <summary>Number of latents H.</summary>
    public int Components => _parameters.Components;

    /// <summary>Dimension d of an observation.</summary>
    public int Dimension => _parameters.Dimension;

    /// <inheritdoc/>
    int ILatentTransform.LatentDimension => Components;

    /// <inheritdoc/>
    double[,] ILatentTransform.Transform(double[,] data) => Transform(data);

    /// <summary>The atoms as rows (H × d): row i is the column W:,ᵢ. A copy.</summary>
    public double[,] Dictionary
    {
        get
        {
            int h = Components, d = Dimension;
            var atoms = new double[h, d];
            for (int k = 0; k < d; k++)
            {
                for (int i = 0; i < h; i++)
                {
                    atoms[i, k] = _parameters.Weights[k * h + i];
                }
            }

            return atoms;
        }
    }

    /// <summary>The prior logits b (a copy).</summary>
    public double[] PriorLogits => (double[])_parameters.Bias.Clone();

    /// <summary>The prior probabilities p(hᵢ = 1) = σ(bᵢ).</summary>
    public double[] PriorProbabilities => _parameters.Bias.Select(BernoulliMeanField.Sigmoid).ToArray();

    /// <summary>The noise variances βₖ⁻¹, one per dimension (a copy).</summary>
    public double[] NoiseVariance => (double[])_parameters.NoiseVariance.Clone();

    /// <summary>
    /// The mean lower bound per row on the training data at the end of the fit (these parameters with the fit's last q);
    /// NaN for a model built from parameters.
    /// </summary>
    public double TrainingElbo { get; }

    /// <summary>The parameters (not a copy: internal users must not modify them).</summary>
    internal BinarySparseCodingParameters Parameters => _parameters;

    /// <summary>
    /// The posterior means ĥ (n × H) of every row under mean-field inference, started from the prior. The data is not modified.
    /// </summary>
    /// <param name="data">n × d observations, finite.</param>
    /// <param name="inference">Update, damping, sweeps and tolerance; null for the defaults.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value, or the inference settings are invalid.</exception>
    public double[,] Transform(double[,] data, BinarySparseCodingInference? inference = null, int maxDegreeOfParallelism = 0)
    {
        var means = new double[CheckData(data, ref inference), Components];
        Infer(data, inference!, maxDegreeOfParallelism, means, null);
        return means;
    }

    /// <summary>
    /// The mean-field lower bound (ELBO) of every row: E_q[ln p(h) + ln p(v | h)] + H(q) ≤ ln p(v), q from
    /// <see cref="Transform"/>'s inference.
    /// </summary>
    /// <param name="data">n × d observations, finite.</param>
    /// <param name="inference">Update, damping, sweeps and tolerance; null for the defaults.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value, or the inference settings are invalid.</exception>
    public double[] Elbo(double[,] data, BinarySparseCodingInference? inference = null, int maxDegreeOfParallelism = 0)
    {
        var bounds = new double[CheckData(data, ref inference)];
        Infer(data, inference!, maxDegreeOfParallelism, null, bounds);
        return bounds;
    }

    /// <summary>The exact ln p(v) of every row, by enumerating the 2ᴴ latent states (H ≤ <see cref="MaxExactComponents"/>).</summary>
    /// <param name="data">n × d observations, finite.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">H exceeds <see cref="MaxExactComponents"/>.</exception>
    public double[] ExactLogLikelihood(double[,] data, int maxDegreeOfParallelism = 0)
    {
        var result = new double[CheckExact(data)];
        BinarySparseCodingExact.Run(this, data, maxDegreeOfParallelism, result, null);
        return result;
    }

    /// <summary>The exact posterior marginals p(hᵢ = 1 | v) (n × H), by enumerating the 2ᴴ states (H ≤ <see cref="MaxExactComponents"/>).</summary>
    /// <param name="data">n × d observations, finite.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">H exceeds <see cref="MaxExactComponents"/>.</exception>
    public double[,] ExactPosteriorMeans(double[,] data, int maxDegreeOfParallelism = 0)
    {
        int n = CheckExact(data);
        var result = new double[n];
        var marginals = new double[n, Components];
        BinarySparseCodingExact.Run(this, data, maxDegreeOfParallelism, result, marginals);
        return marginals;
    }

    /// <summary>Draws h from the prior and v = Wh + noise; returns the v (count × d).</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] Sample(int count, Random random) => Sample(count, random, out _);

    /// <summary>Draws h from the prior and v = Wh + noise, returning both.</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source.</param>
    /// <param name="latents">The drawn h (count × H, entries 0 or 1).</param>
    public double[,] Sample(int count, Random random, out double[,] latents)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int h = Components, d = Dimension;
        double[] p = PriorProbabilities;
        var sd = _parameters.NoiseVariance.Select(Math.Sqrt).ToArray();
        var rows = new double[count, d];
        latents = new double[count, h];
        Span<double> noise = d <= 1024 ? stackalloc double[d] : new double[d];
        for (int r = 0; r < count; r++)
        {
            for (int i = 0; i < h; i++)
            {
                latents[r, i] = random.NextDouble() < p[i] ? 1 : 0;
            }

            StandardNormal.Fill(random, noise);
            for (int k = 0; k < d; k++)
            {
                double v = 0;
                for (int i = 0; i < h; i++)
                {
                    v += _parameters.Weights[k * h + i] * latents[r, i];
                }

                rows[r, k] = v + sd[k] * noise[k];
            }
        }

        return rows;
    }

    /// <summary>
    /// The expected sufficient statistics of <paramref name="data"/> under this model (mean-field q of every row, started
    /// from the prior, in fixed blocks of <see cref="BinarySparseCodingStatistics.BlockRows"/> rows): what a partition
    /// computes where its data lives. Merge the parts in a fixed order (<see cref="MergeableStatistics.Merge{T}"/>) and
    /// take <see cref="BinarySparseCodingStatistics.ToModel"/> for the next model (one variational EM step).
    /// </summary>
    /// <param name="data">n × d observations, finite (n may be 0). Not modified.</param>
    /// <param name="inference">Update, damping, sweeps and tolerance; null for the defaults.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value, or the inference settings are invalid.</exception>
    public BinarySparseCodingStatistics ComputeStatistics(double[,] data, BinarySparseCodingInference? inference = null, int maxDegreeOfParallelism = 0)
    {
        int n = CheckData(data, ref inference), h = Components, d = Dimension;
        const int block = BinarySparseCodingStatistics.BlockRows;
        var total = new BinarySparseCodingStatistics(h, d);
        if (n == 0)
        {
            return total;
        }

        int capacity = Math.Min(n, block);
        var engine = new BinarySparseCodingEngine(h, d, capacity, maxDegreeOfParallelism);
        engine.SetParameters(_parameters);
        var part = new BinarySparseCodingStatistics(h, d);
        var logits = new double[capacity * h];
        var q = new double[capacity * h];
        ReadOnlySpan<double> x = data.AsSpan();
        for (int start = 0; start < n; start += block)
        {
            int count = Math.Min(block, n - start);
            ReadOnlySpan<double> rows = x.Slice(start * d, count * d);
            InitialiseToPrior(_parameters.Bias, logits.AsSpan(0, count * h), q.AsSpan(0, count * h));
            engine.Prepare(rows, count);
            engine.Infer(logits, q, 0, count, inference!, 1.0);
            part.Compute(rows, count, logits, q, 0, maxDegreeOfParallelism);
            total.Add(part);
        }

        return total;
    }

    /// <summary>Runs inference chunk by chunk, writing means and/or row bounds.</summary>
    private void Infer(double[,] data, BinarySparseCodingInference inference, int maxDegreeOfParallelism, double[,]? means, double[]? bounds)
    {
        int n = data.GetLength(0), h = Components, d = Dimension;
        int capacity = Math.Max(1, Math.Min(n, ChunkRows));
        var engine = new BinarySparseCodingEngine(h, d, capacity, maxDegreeOfParallelism);
        engine.SetParameters(_parameters);
        var logits = new double[capacity * h];
        var q = new double[capacity * h];
        var rowBounds = bounds is null ? null : new double[capacity];
        ReadOnlySpan<double> x = data.AsSpan();
        for (int start = 0; start < n; start += capacity)
        {
            int count = Math.Min(capacity, n - start);
            InitialiseToPrior(_parameters.Bias, logits.AsSpan(0, count * h), q.AsSpan(0, count * h));
            engine.Prepare(x.Slice(start * d, count * d), count);
            engine.Infer(logits, q, 0, count, inference, 1.0);
            if (means is not null)
            {
                q.AsSpan(0, count * h).CopyTo(means.AsWritableSpan().Slice(start * h, count * h));
            }

            if (bounds is not null)
            {
                engine.Elbo(logits, q, 0, count, rowBounds);
                rowBounds.AsSpan(0, count).CopyTo(bounds.AsSpan(start));
            }
        }
    }

    /// <summary>Sets every row's logits to the prior's and its means to σ(b).</summary>
    internal static void InitialiseToPrior(ReadOnlySpan<double> bias, Span<double> logits, Span<double> means)
    {
        int h = bias.Length;
        for (int r = 0; r < logits.Length; r += h)
        {
            for (int i = 0; i < h; i++)
            {
                logits[r + i] = bias[i];
                means[r + i] = BernoulliMeanField.Sigmoid(bias[i]);
            }
        }
    }

    private int CheckData(double[,] data, ref BinarySparseCodingInference? inference)
    {
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        inference ??= new BinarySparseCodingInference();
        inference.Validate(nameof(inference));
        return data.GetLength(0);
    }

    private int CheckExact(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        if (Components > MaxExactComponents)
        {
            throw new InvalidOperationException($"Exact enumeration needs 2^H states per row; H = {Components} exceeds {MaxExactComponents}.");
        }

        return data.GetLength(0);
    }

    private static BinarySparseCodingParameters FromArguments(double[,] dictionary, double[] priorLogits, double[] noiseVariance)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(priorLogits);
        ArgumentNullException.ThrowIfNull(noiseVariance);
        int h = dictionary.GetLength(0), d = dictionary.GetLength(1);
        if (h == 0 || d == 0)
        {
            throw new ArgumentException($"The dictionary is {h} × {d}; it needs at least one atom and one dimension.", nameof(dictionary));
        }

        DataValidation.CheckFinite(dictionary.AsSpan(), d, nameof(dictionary));
        if (priorLogits.Length != h)
        {
            throw new ArgumentException($"There are {priorLogits.Length} prior logits but {h} atoms.", nameof(priorLogits));
        }

        if (noiseVariance.Length != d)
        {
            throw new ArgumentException($"There are {noiseVariance.Length} noise variances but the atoms have dimension {d}.", nameof(noiseVariance));
        }

        var p = new BinarySparseCodingParameters(h, d);
        for (int i = 0; i < h; i++)
        {
            if (!(Math.Abs(priorLogits[i]) <= BernoulliMeanField.LogitLimit))
            {
                throw new ArgumentException($"The prior logit of atom {i} is {priorLogits[i]}; it must be finite and within ±{BernoulliMeanField.LogitLimit}.", nameof(priorLogits));
            }

            p.Bias[i] = priorLogits[i];
            for (int k = 0; k < d; k++)
            {
                p.Weights[k * h + i] = dictionary[i, k];
            }
        }

        for (int k = 0; k < d; k++)
        {
            if (!(noiseVariance[k] > 0) || !double.IsFinite(noiseVariance[k]))
            {
                throw new ArgumentException($"The noise variance of dimension {k} is {noiseVariance[k]}; it must be positive and finite.", nameof(noiseVariance));
            }

            p.NoiseVariance[k] = noiseVariance[k];
        }

        return p;
    }
}
