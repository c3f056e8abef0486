using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.NeuralNetworks;

/// <summary>
/// A fitted variational autoencoder: an encoder q(z | x) = 𝒩(μ(x), diag σ²(x)), a standard normal prior p(z) and a
/// decoder p(x | z) (Bernoulli logits or Gaussian means), with float32 weights. Immutable; every stochastic method takes
/// the caller's <see cref="Random"/>.
/// </summary>
public sealed class VariationalAutoencoderModel : ISampler, ILatentTransform
{
    private const int EvaluationBatch = 256;
    private readonly float[] _parameters;

    internal VariationalAutoencoderModel(VaeArchitecture architecture, float[] parameters)
    {
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new ArgumentException($"The network needs {architecture.ParameterCount} parameters but {parameters.Length} were given.", nameof(parameters));
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            if (!float.IsFinite(parameters[i]))
            {
                throw new ArgumentException($"Parameter {i} is {parameters[i]}; every parameter must be finite.", nameof(parameters));
            }
        }

        Architecture = architecture;
        _parameters = parameters;
    }

    /// <summary>Dimension D of one observation.</summary>
    public int Dimension => Architecture.InputDimension;

    /// <summary>Dimension Z of the latent space.</summary>
    public int LatentDimension => Architecture.LatentDimension;

    /// <summary>The encoder's hidden widths (the decoder mirrors them).</summary>
    public IReadOnlyList<int> HiddenSizes => Architecture.HiddenSizes;

    /// <summary>The hidden layers' activation.</summary>
    public HiddenActivation Activation => Architecture.HiddenActivation;

    /// <summary>The decoder's observation model.</summary>
    public DecoderLikelihood Likelihood => Architecture.Likelihood;

    /// <summary>Number of trained parameters (weights, biases and learned log-variances).</summary>
    public int ParameterCount => Architecture.ParameterCount;

    internal VaeArchitecture Architecture { get; }

    /// <summary>The flat parameter vector (never handed out for writing).</summary>
    internal ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>
    /// The evidence lower bound of each row, ELBO = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)), with the expectation
    /// estimated from <paramref name="samples"/> draws of z and the KL in closed form. It is ≤ log p(x) in expectation.
    /// </summary>
    /// <param name="data">n × D rows.</param>
    /// <param name="random">The source of the draws of ε.</param>
    /// <param name="samples">Draws per row (≥ 1).</param>
    public double[] Elbo(double[,] data, Random random, int samples = 1)
    {
        double[] result = AnomalyScores(data, random, samples);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = -result[i];
        }

        return result;
    }

    /// <summary>Anomaly scores: −ELBO per row (higher = less like the training data); see <see cref="Elbo"/>.</summary>
    /// <param name="data">n × D rows.</param>
    /// <param name="random">The source of the draws of ε.</param>
    /// <param name="samples">Draws per row (≥ 1).</param>
    public double[] AnomalyScores(double[,] data, Random random, int samples = 1)
    {
        CheckData(data, nameof(data));
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        int n = data.GetLength(0);
        var result = new double[n];
        var ws = Workspace(n);
        for (int start = 0; start < n; start += EvaluationBatch)
        {
            int rows = Load(data, start, ws);
            ws.Encode(_parameters, rows);
            for (int s = 0; s < samples; s++)
            {
                ws.DrawNoise(random, rows);
                ws.Reparameterize(rows);
                ws.Decode(_parameters, rows);
                ws.Loss(_parameters, rows, withGradient: false);
                for (int i = 0; i < rows; i++)
                {
                    result[start + i] += ws.Reconstruction[i] + ws.Kl[i];
                }
            }

            for (int i = 0; i < rows; i++)
            {
                result[start + i] /= samples;
            }
        }

        return result;
    }

    /// <summary>
    /// The importance-weighted estimate of log p(x) per row (Burda, Grosse &amp; Salakhutdinov):
    /// log (1/K) Σₖ p(x, zₖ) / q(zₖ | x) with zₖ ~ q(z | x), by log-sum-exp. Its expectation is ≥ the ELBO and rises
    /// towards log p(x) as K grows.
    /// </summary>
    /// <param name="data">n × D rows.</param>
    /// <param name="samples">K ≥ 1.</param>
    /// <param name="random">The source of the draws.</param>
    public double[] ImportanceWeightedLogLikelihood(double[,] data, int samples, Random random)
    {
        CheckData(data, nameof(data));
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        int n = data.GetLength(0), z = LatentDimension;
        var result = new double[n];
        var ws = Workspace(n);
        var logWeights = new double[Math.Min(n, EvaluationBatch) * samples];
        for (int start = 0; start < n; start += EvaluationBatch)
        {
            int rows = Load(data, start, ws);
            ws.Encode(_parameters, rows);
            for (int s = 0; s < samples; s++)
            {
                ws.DrawNoise(random, rows);
                ws.Reparameterize(rows);
                ws.Decode(_parameters, rows);
                ws.Loss(_parameters, rows, withGradient: false);
                for (int i = 0; i < rows; i++)
                {
                    // log p(z) − log q(z | x) = −½Σz² + ½Σε² + ½Σ log σ² (the 2π terms cancel).
                    double w = -ws.Reconstruction[i];
                    for (int j = 0; j < z; j++)
                    {
                        double zz = ws.Latent[(i * z) + j], e = ws.Epsilon[(i * z) + j];
                        w += 0.5 * ((e * e) - (zz * zz) + ws.Head[(i * 2 * z) + z + j]);
                    }

                    logWeights[(i * samples) + s] = w;
                }
            }

            for (int i = 0; i < rows; i++)
            {
                ReadOnlySpan<double> lw = logWeights.AsSpan(i * samples, samples);
                double max = double.NegativeInfinity;
                foreach (double v in lw)
                {
                    max = Math.Max(max, v);
                }

                double sum = 0;
                foreach (double v in lw)
                {
                    sum += Math.Exp(v - max);
                }

                result[start + i] = max + Math.Log(sum / samples);
            }
        }

        return result;
    }

    /// <summary>The encoder's posterior means E_q[z | x] (n × latent dimension): <see cref="Encode"/>'s <c>Mean</c>.</summary>
    /// <param name="data">n × D rows.</param>
    double[,] ILatentTransform.Transform(double[,] data) => Encode(data).Mean;

    /// <summary>The encoder's mean μ and standard deviation σ of q(z | x) for each row.</summary>
    /// <param name="data">n × D rows.</param>
    public LatentEncoding Encode(double[,] data)
    {
        CheckData(data, nameof(data));
        int n = data.GetLength(0), z = LatentDimension;
        var mean = new double[n, z];
        var sd = new double[n, z];
        var ws = Workspace(n);
        for (int start = 0; start < n; start += EvaluationBatch)
        {
            int rows = Load(data, start, ws);
            ws.Encode(_parameters, rows);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < z; j++)
                {
                    mean[start + i, j] = ws.Head[(i * 2 * z) + j];
                    sd[start + i, j] = Math.Exp(0.5 * ws.Head[(i * 2 * z) + z + j]);
                }
            }
        }

        return new LatentEncoding(mean, sd);
    }

    /// <summary>
    /// The decoder's mean of p(x | z) for each latent row: pixel probabilities σ(logits) (Bernoulli) or the Gaussian means.
    /// </summary>
    /// <param name="latent">n × Z latent points.</param>
    public double[,] Decode(double[,] latent)
    {
        DataValidation.CheckMatrix(latent, nameof(latent));
        DataValidation.CheckDimension(latent, LatentDimension, nameof(latent));
        int n = latent.GetLength(0), z = LatentDimension;
        var result = new double[n, Dimension];
        var ws = Workspace(n);
        ReadOnlySpan<double> all = latent.AsSpan();
        for (int start = 0; start < n; start += EvaluationBatch)
        {
            int rows = Math.Min(EvaluationBatch, n - start);
            for (int i = 0; i < rows * z; i++)
            {
                ws.Latent[i] = (float)all[(start * z) + i];
            }

            DecodeMeans(ws, rows, result, start);
        }

        return result;
    }

    /// <summary>The decoder's mean at the encoder's mean of each row: Decode(Encode(x).Mean).</summary>
    /// <param name="data">n × D rows.</param>
    public double[,] Reconstruct(double[,] data) => Decode(Encode(data).Mean);

    /// <summary>Draws observations: z ~ 𝒩(0, I), then x ~ p(x | z) (0/1 pixels for Bernoulli, Gaussian values otherwise).</summary>
    /// <param name="count">Number of rows, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] Sample(int count, Random random)
    {
        double[,] means = SampleMeans(count, random);
        Span<double> values = means.AsWritableSpan();
        if (Likelihood == DecoderLikelihood.Bernoulli)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.NextDouble() < values[i] ? 1.0 : 0.0;
            }
        }
        else
        {
            var ws = Workspace(1);
            ws.Loss(_parameters, 0, withGradient: false); // fills the per-column log-variances
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += Math.Exp(0.5 * ws.LogVariance[i % Dimension]) * StandardNormal.Next(random);
            }
        }

        return means;
    }

    /// <summary>Draws z ~ 𝒩(0, I) and returns the decoder's mean of p(x | z) for each (the usual picture of a VAE's samples).</summary>
    /// <param name="count">Number of rows, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] SampleMeans(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new double[count, Dimension];
        if (count == 0)
        {
            return result;
        }

        var ws = Workspace(count);
        var noise = new double[Math.Min(count, EvaluationBatch) * LatentDimension];
        for (int start = 0; start < count; start += EvaluationBatch)
        {
            int rows = Math.Min(EvaluationBatch, count - start);
            Span<double> z = noise.AsSpan(0, rows * LatentDimension);
            StandardNormal.Fill(random, z);
            for (int i = 0; i < z.Length; i++)
            {
                ws.Latent[i] = (float)z[i];
            }

            DecodeMeans(ws, rows, result, start);
        }

        return result;
    }

    private void DecodeMeans(VaeWorkspace ws, int rows, double[,] result, int start)
    {
        int d = Dimension;
        ws.Decode(_parameters, rows);
        Span<float> output = ws.Output.AsSpan(0, rows * d);
        if (Likelihood == DecoderLikelihood.Bernoulli)
        {
            FloatMath.Sigmoid(output, output);
        }

        Span<double> destination = result.AsWritableSpan().Slice(start * d, rows * d);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = output[i];
        }
    }

    private VaeWorkspace Workspace(int rows) => new(Architecture, Math.Max(1, Math.Min(rows, EvaluationBatch)), 0);

    private static int Load(double[,] data, int start, VaeWorkspace ws)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        int rows = Math.Min(ws.Capacity, n - start);
        ReadOnlySpan<double> source = data.AsSpan().Slice(start * d, rows * d);
        for (int i = 0; i < source.Length; i++)
        {
            ws.Input[i] = (float)source[i];
        }

        return rows;
    }

    private void CheckData(double[,] data, string name)
    {
        DataValidation.CheckMatrix(data, name);
        DataValidation.CheckDimension(data, Dimension, name);
        if (Likelihood == DecoderLikelihood.Bernoulli)
        {
            VariationalAutoencoder.CheckUnitInterval(data, name);
        }
    }
}
