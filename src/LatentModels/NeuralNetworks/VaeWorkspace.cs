using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.NeuralNetworks;

/// <summary>
/// Every buffer one mini-batch needs (activations, noise, losses, gradients), allocated once for a batch capacity, and
/// the forward and backward passes over them. Warm, a training step allocates nothing.
/// </summary>
/// <remarks>
/// The per-row losses are kept in double; a batch's mean adds them in row order. The GEMMs are the kernel's
/// (parallel over fixed blocks), everything else runs on the calling thread, so the bits never depend on
/// <see cref="MaxDegreeOfParallelism"/>.
/// </remarks>
internal sealed class VaeWorkspace
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>Rows per parallel block of the Bernoulli loss.</summary>
    private const int LossBlock = 25;

    private bool _lossWithGradient;
    private float _lossScale;
    private readonly double[] _noise;
    private readonly float[] _scratchA;
    private readonly float[] _scratchB;

    public VaeWorkspace(VaeArchitecture architecture, int capacity, int maxDegreeOfParallelism)
    {
        Architecture = architecture;
        Capacity = capacity;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        int d = architecture.InputDimension, z = architecture.LatentDimension;
        Input = new float[capacity * d];
        EncoderOutputs = architecture.Encoder.Select(l => new float[capacity * l.Outputs]).ToArray();
        Head = new float[capacity * 2 * z];
        Epsilon = new float[capacity * z];
        _noise = new double[capacity * z];
        Sigma = new float[capacity * z];
        Latent = new float[capacity * z];
        DecoderOutputs = architecture.Decoder.Select(l => new float[capacity * l.Outputs]).ToArray();
        Output = new float[capacity * d];
        OutputGradient = new float[capacity * d];
        Reconstruction = new double[capacity];
        Kl = new double[capacity];
        Gradient = new float[architecture.ParameterCount];
        int width = Math.Max(architecture.MaxWidth, 2 * z);
        _scratchA = new float[capacity * width];
        _scratchB = new float[capacity * width];
        LogVariance = new float[d];
        InverseVariance = new float[d];
    }

    public VaeArchitecture Architecture { get; }

    public int Capacity { get; }

    public int MaxDegreeOfParallelism { get; }

    /// <summary>The batch's rows (rows × D).</summary>
    public float[] Input { get; }

    public float[][] EncoderOutputs { get; }

    /// <summary>The head's output: per row, Z means then Z log-variances.</summary>
    public float[] Head { get; }

    /// <summary>ε (rows × Z).</summary>
    public float[] Epsilon { get; }

    /// <summary>σ = exp(½ log σ²) (rows × Z).</summary>
    public float[] Sigma { get; }

    /// <summary>z = μ + σ ⊙ ε (rows × Z).</summary>
    public float[] Latent { get; }

    public float[][] DecoderOutputs { get; }

    /// <summary>The decoder's output layer: logits (Bernoulli) or means (Gaussian), rows × D.</summary>
    public float[] Output { get; }

    /// <summary>∂L/∂(output layer), rows × D.</summary>
    public float[] OutputGradient { get; }

    /// <summary>−log p(x | z) per row.</summary>
    public double[] Reconstruction { get; }

    /// <summary>KL(q(z | x) ‖ p(z)) per row.</summary>
    public double[] Kl { get; }

    /// <summary>∂(mean loss)/∂(parameters), laid out as the parameters.</summary>
    public float[] Gradient { get; }

    /// <summary>The Gaussian decoder's log-variance per column (after the floor), filled by <see cref="Loss"/>.</summary>
    public float[] LogVariance { get; }

    /// <summary>1 / variance per column.</summary>
    public float[] InverseVariance { get; }

    /// <summary>The encoder: hidden layers and head on the first <paramref name="rows"/> rows of <see cref="Input"/>.</summary>
    public void Encode(ReadOnlySpan<float> parameters, int rows)
    {
        ReadOnlySpan<float> x = Input;
        for (int i = 0; i < Architecture.Encoder.Length; i++)
        {
            Architecture.Encoder[i].Forward(parameters, x, rows, EncoderOutputs[i], MaxDegreeOfParallelism);
            x = EncoderOutputs[i];
        }

        Architecture.Head.Forward(parameters, x, rows, Head, MaxDegreeOfParallelism);
    }

    /// <summary>Draws ε ~ 𝒩(0, I) for <paramref name="rows"/> rows from <paramref name="random"/> (row-major order).</summary>
    public void DrawNoise(Random random, int rows)
    {
        Span<double> noise = _noise.AsSpan(0, rows * Architecture.LatentDimension);
        StandardNormal.Fill(random, noise);
        for (int i = 0; i < noise.Length; i++)
        {
            Epsilon[i] = (float)noise[i];
        }
    }

    /// <summary>z = μ + σ ⊙ ε and the closed-form KL(𝒩(μ, σ²) ‖ 𝒩(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²) per row.</summary>
    public void Reparameterize(int rows)
    {
        int z = Architecture.LatentDimension;
        for (int i = 0; i < rows; i++)
        {
            int h = i * 2 * z, o = i * z;
            double kl = 0;
            for (int j = 0; j < z; j++)
            {
                float mu = Head[h + j], logVariance = Head[h + z + j];
                float sigma = MathF.Exp(0.5f * logVariance);
                Sigma[o + j] = sigma;
                Latent[o + j] = mu + (sigma * Epsilon[o + j]);
                kl += ((double)mu * mu) + ((double)sigma * sigma) - 1.0 - logVariance;
            }

            Kl[i] = 0.5 * kl;
        }
    }

    /// <summary>The decoder on <see cref="Latent"/> (or on whatever the caller wrote there): hidden layers and output.</summary>
    public void Decode(ReadOnlySpan<float> parameters, int rows)
    {
        ReadOnlySpan<float> x = Latent;
        for (int i = 0; i < Architecture.Decoder.Length; i++)
        {
            Architecture.Decoder[i].Forward(parameters, x, rows, DecoderOutputs[i], MaxDegreeOfParallelism);
            x = DecoderOutputs[i];
        }

        Architecture.Output.Forward(parameters, x, rows, Output, MaxDegreeOfParallelism);
    }

    /// <summary>
    /// −log p(x | z) per row into <see cref="Reconstruction"/>; with <paramref name="withGradient"/>, ∂/∂(output) of the
    /// batch's mean loss into <see cref="OutputGradient"/> (and the learned log-variances' gradient into
    /// <see cref="Gradient"/>).
    /// </summary>
    public void Loss(ReadOnlySpan<float> parameters, int rows, bool withGradient)
    {
        int d = Architecture.InputDimension;
        float scale = 1f / rows;
        if (Architecture.Likelihood == DecoderLikelihood.Bernoulli)
        {
            // Rows are independent: fixed blocks of rows on the threads give the same bits as one pass.
            _lossWithGradient = withGradient;
            _lossScale = scale;
            ParallelBlocks.For(rows, LossBlock, MaxDegreeOfParallelism, this, static (ws, _, i0, i1) => ws.BernoulliRows(i0, i1));
            return;
        }

        // Gaussian: ½ Σⱼ (log 2π + log σⱼ² + (xⱼ − μⱼ)² / σⱼ²).
        float floor = (float)Math.Log(Architecture.MinimumVariance);
        double logNormalizer = d * HalfLog2Pi;
        for (int j = 0; j < d; j++)
        {
            float lv = Architecture.LearnVariance ? Math.Max(parameters[Architecture.VarianceOffset + j], floor) : (float)Math.Log(Architecture.Variance);
            LogVariance[j] = lv;
            InverseVariance[j] = Architecture.LearnVariance ? MathF.Exp(-lv) : (float)(1.0 / Architecture.Variance);
            logNormalizer += 0.5 * lv;
        }

        Span<float> varianceGradient = Architecture.LearnVariance && withGradient
            ? Gradient.AsSpan(Architecture.VarianceOffset, d)
            : default;
        varianceGradient.Clear();
        for (int i = 0; i < rows; i++)
        {
            Span<float> mean = Output.AsSpan(i * d, d);
            Span<float> x = Input.AsSpan(i * d, d);
            Span<float> gradient = OutputGradient.AsSpan(i * d, d);
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                float r = mean[j] - x[j];
                float q = r * r * InverseVariance[j];
                sum += q;
                if (withGradient)
                {
                    gradient[j] = r * InverseVariance[j] * scale;
                    if (!varianceGradient.IsEmpty)
                    {
                        varianceGradient[j] += 0.5f * (1f - q) * scale;
                    }
                }
            }

            Reconstruction[i] = logNormalizer + (0.5 * sum);
        }

        if (!varianceGradient.IsEmpty)
        {
            for (int j = 0; j < d; j++)
            {
                if (parameters[Architecture.VarianceOffset + j] < floor)
                {
                    varianceGradient[j] = 0f;
                }
            }
        }
    }

    private void BernoulliRows(int i0, int i1)
    {
        int d = Architecture.InputDimension;
        for (int i = i0; i < i1; i++)
        {
            Span<float> gradient = _lossWithGradient ? OutputGradient.AsSpan(i * d, d) : default;
            Reconstruction[i] = LogisticLoss.Row(Output.AsSpan(i * d, d), Input.AsSpan(i * d, d), gradient, _lossScale);
        }
    }

    /// <summary>The mean over <paramref name="rows"/> rows of −ELBO = −log p(x | z) + KL, added in row order.</summary>
    public double MeanLoss(int rows)
    {
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            sum += Reconstruction[i] + Kl[i];
        }

        return sum / rows;
    }

    /// <summary>One forward pass with fresh noise: encoder, ε, reparameterisation, decoder, loss.</summary>
    public double Forward(ReadOnlySpan<float> parameters, int rows, Random random, bool withGradient)
    {
        Encode(parameters, rows);
        DrawNoise(random, rows);
        Reparameterize(rows);
        Decode(parameters, rows);
        Loss(parameters, rows, withGradient);
        return MeanLoss(rows);
    }

    /// <summary>
    /// Back-propagation of the batch's mean −ELBO after <see cref="Forward"/> (with gradient): fills
    /// <see cref="Gradient"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<float> parameters, int rows)
    {
        VaeArchitecture a = Architecture;
        int z = a.LatentDimension, dop = MaxDegreeOfParallelism;
        float scale = 1f / rows;

        // Decoder, from the output layer down to ∂L/∂z.
        Span<float> upstream = OutputGradient;
        int last = a.Decoder.Length - 1;
        ReadOnlySpan<float> outputInput = last >= 0 ? DecoderOutputs[last] : Latent;
        Span<float> next = _scratchA;
        a.Output.Backward(parameters, outputInput, Output, rows, upstream, Gradient, next[..(rows * a.Output.Inputs)], dop);
        upstream = next;
        for (int i = last; i >= 0; i--)
        {
            next = upstream == _scratchA ? _scratchB : _scratchA;
            ReadOnlySpan<float> input = i > 0 ? DecoderOutputs[i - 1] : Latent;
            a.Decoder[i].Backward(parameters, input, DecoderOutputs[i], rows, upstream, Gradient, next[..(rows * a.Decoder[i].Inputs)], dop);
            upstream = next;
        }

        // upstream = ∂L/∂z (rows × Z). Through the reparameterisation and the KL, into ∂L/∂(head) (rows × 2Z):
        // ∂/∂μ = ∂L/∂z + μ/B; ∂/∂log σ² = ∂L/∂z ⊙ ε ⊙ σ/2 + (σ² − 1)/(2B).
        Span<float> headGradient = upstream == _scratchA ? _scratchB : _scratchA;
        for (int i = 0; i < rows; i++)
        {
            int h = i * 2 * z, o = i * z;
            for (int j = 0; j < z; j++)
            {
                float dz = upstream[o + j], sigma = Sigma[o + j];
                headGradient[h + j] = dz + (Head[h + j] * scale);
                headGradient[h + z + j] = (dz * Epsilon[o + j] * 0.5f * sigma) + (0.5f * ((sigma * sigma) - 1f) * scale);
            }
        }

        // Encoder: the head, then the hidden layers (no gradient for the data).
        upstream = headGradient;
        int encoderLast = a.Encoder.Length - 1;
        ReadOnlySpan<float> headInput = encoderLast >= 0 ? EncoderOutputs[encoderLast] : Input;
        next = upstream == _scratchA ? _scratchB : _scratchA;
        Span<float> headInputGradient = encoderLast >= 0 ? next[..(rows * a.Head.Inputs)] : default;
        a.Head.Backward(parameters, headInput, Head, rows, upstream, Gradient, headInputGradient, dop);
        upstream = next;
        for (int i = encoderLast; i >= 0; i--)
        {
            next = upstream == _scratchA ? _scratchB : _scratchA;
            ReadOnlySpan<float> input = i > 0 ? EncoderOutputs[i - 1] : Input;
            Span<float> inputGradient = i > 0 ? next[..(rows * a.Encoder[i].Inputs)] : default;
            a.Encoder[i].Backward(parameters, input, EncoderOutputs[i], rows, upstream, Gradient, inputGradient, dop);
            upstream = next;
        }
    }
}
