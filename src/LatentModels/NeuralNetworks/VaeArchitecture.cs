using LatentModels.LinearAlgebra;

namespace LatentModels.NeuralNetworks;

/// <summary>
/// The shape of a variational autoencoder and the layout of its one flat float parameter vector: the encoder's hidden
/// layers (D → H₁ → … → Hₖ), the head (Hₖ → 2Z: the means in columns [0, Z), the log-variances in [Z, 2Z)), the
/// decoder's hidden layers (Z → Hₖ → … → H₁) and its output layer (H₁ → D: logits or means), each as weights then
/// bias; for a Gaussian decoder with learned variance, D log-variances at the end.
/// </summary>
internal sealed class VaeArchitecture
{
    public VaeArchitecture(int inputDimension, IReadOnlyList<int> hiddenSizes, int latentDimension, HiddenActivation activation,
        DecoderLikelihood likelihood, bool learnVariance, double variance, double minimumVariance)
    {
        InputDimension = inputDimension;
        HiddenSizes = hiddenSizes.ToArray();
        LatentDimension = latentDimension;
        HiddenActivation = activation;
        Likelihood = likelihood;
        LearnVariance = likelihood == DecoderLikelihood.Gaussian && learnVariance;
        Variance = variance;
        MinimumVariance = minimumVariance;
        Activation f = activation == HiddenActivation.Relu ? Activation.Relu : Activation.Tanh;
        int offset = 0;
        var encoder = new DenseLayer[HiddenSizes.Length];
        int width = inputDimension;
        for (int i = 0; i < HiddenSizes.Length; i++)
        {
            encoder[i] = new DenseLayer(width, HiddenSizes[i], offset, f);
            offset += encoder[i].ParameterCount;
            width = HiddenSizes[i];
        }

        Head = new DenseLayer(width, 2 * latentDimension, offset, Activation.Identity);
        offset += Head.ParameterCount;
        var decoder = new DenseLayer[HiddenSizes.Length];
        width = latentDimension;
        for (int i = 0; i < HiddenSizes.Length; i++)
        {
            decoder[i] = new DenseLayer(width, HiddenSizes[HiddenSizes.Length - 1 - i], offset, f);
            offset += decoder[i].ParameterCount;
            width = decoder[i].Outputs;
        }

        Output = new DenseLayer(width, inputDimension, offset, Activation.Identity);
        offset += Output.ParameterCount;
        VarianceOffset = offset;
        if (LearnVariance)
        {
            offset += inputDimension;
        }

        Encoder = encoder;
        Decoder = decoder;
        ParameterCount = offset;
    }

    /// <summary>
    /// Checks, in 64-bit arithmetic before anything is allocated, that the network of these sizes — its parameters (each
    /// layer's inputs × outputs + outputs, and d learned variances) and a batch of <paramref name="batchRows"/> rows of its
    /// widest layer — fits in arrays; otherwise an <see cref="ArgumentException"/> on <paramref name="paramName"/> with the sizes.
    /// </summary>
    public static void CheckSizes(int inputDimension, IReadOnlyList<int> hiddenSizes, int latentDimension, bool learnVariance, int batchRows, string paramName)
    {
        string what = $"A network of {inputDimension} inputs, hidden layers [{string.Join(", ", hiddenSizes)}] and {latentDimension} latent dimensions";
        long parameters = 0, widest = Math.Max(inputDimension, 2L * latentDimension);
        long width = inputDimension;
        foreach (int h in hiddenSizes)
        {
            parameters += (width * h) + h;
            width = h;
            widest = Math.Max(widest, h);
        }

        parameters += (width * 2L * latentDimension) + (2L * latentDimension);
        width = latentDimension;
        for (int i = hiddenSizes.Count - 1; i >= 0; i--)
        {
            parameters += (width * hiddenSizes[i]) + hiddenSizes[i];
            width = hiddenSizes[i];
        }

        parameters += (width * inputDimension) + inputDimension + (learnVariance ? inputDimension : 0);
        ArraySizes.Total(parameters, paramName, what + " (its parameters)");
        ArraySizes.Product(batchRows, widest, paramName, what + $" (a batch of {batchRows} rows of its widest layer)");
    }

    /// <summary>D.</summary>
    public int InputDimension { get; }

    /// <summary>The encoder's hidden widths (the decoder mirrors them).</summary>
    public int[] HiddenSizes { get; }

    /// <summary>Z.</summary>
    public int LatentDimension { get; }

    public HiddenActivation HiddenActivation { get; }

    public DecoderLikelihood Likelihood { get; }

    /// <summary>Whether a Gaussian decoder learns its D log-variances (stored at <see cref="VarianceOffset"/>).</summary>
    public bool LearnVariance { get; }

    /// <summary>The Gaussian decoder's fixed variance (or, when learned, its initial value).</summary>
    public double Variance { get; }

    /// <summary>A learned variance's floor (its log-variance is clamped there, with zero gradient below).</summary>
    public double MinimumVariance { get; }

    public DenseLayer[] Encoder { get; }

    public DenseLayer Head { get; }

    public DenseLayer[] Decoder { get; }

    public DenseLayer Output { get; }

    public int VarianceOffset { get; }

    public int ParameterCount { get; }

    /// <summary>Widest layer output (sizes the scratch gradients).</summary>
    public int MaxWidth => Math.Max(Math.Max(InputDimension, 2 * LatentDimension), HiddenSizes.Length == 0 ? 0 : HiddenSizes.Max());

    /// <summary>
    /// Seeded initialisation: weights uniform in ±√(6 / fan-in) (He) for ReLU layers and ±√(6 / (fan-in + fan-out))
    /// (Glorot) for tanh and linear layers, biases 0, learned log-variances ln(<see cref="Variance"/>).
    /// </summary>
    public void Initialize(Span<float> parameters, Random random)
    {
        parameters.Clear();
        foreach (DenseLayer layer in AllLayers())
        {
            double limit = layer.Activation == Activation.Relu
                ? Math.Sqrt(6.0 / layer.Inputs)
                : Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
            Span<float> w = parameters.Slice(layer.Offset, layer.Inputs * layer.Outputs);
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = (float)(((2.0 * random.NextDouble()) - 1.0) * limit);
            }
        }

        if (LearnVariance)
        {
            parameters.Slice(VarianceOffset, InputDimension).Fill((float)Math.Log(Variance));
        }
    }

    /// <summary>Every dense layer, encoder first.</summary>
    public IEnumerable<DenseLayer> AllLayers()
    {
        foreach (DenseLayer layer in Encoder)
        {
            yield return layer;
        }

        yield return Head;
        foreach (DenseLayer layer in Decoder)
        {
            yield return layer;
        }

        yield return Output;
    }
}
