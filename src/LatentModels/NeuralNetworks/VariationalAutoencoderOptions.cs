namespace LatentModels.NeuralNetworks;

/// <summary>
/// Settings of a <see cref="VariationalAutoencoder"/> (Kingma &amp; Welling's auto-encoding variational Bayes): the
/// network's shape, the decoder's likelihood and the Adam training schedule.
/// </summary>
public sealed record VariationalAutoencoderOptions
{
    /// <summary>The encoder's hidden widths, input side first; the decoder mirrors them. Default one layer of 200.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [200];

    /// <summary>Dimension Z of the latent space. Default 20.</summary>
    public int LatentDimension { get; init; } = 20;

    /// <summary>The hidden layers' activation. Default ReLU.</summary>
    public HiddenActivation Activation { get; init; } = HiddenActivation.Relu;

    /// <summary>The decoder's observation model. Default Bernoulli (data in [0, 1]).</summary>
    public DecoderLikelihood Likelihood { get; init; } = DecoderLikelihood.Bernoulli;

    /// <summary>Gaussian decoder: learn one variance per column (true, the default) or keep <see cref="Variance"/> fixed.</summary>
    public bool LearnVariance { get; init; } = true;

    /// <summary>Gaussian decoder: the fixed variance, or the learned variances' initial value. Default 1.</summary>
    public double Variance { get; init; } = 1.0;

    /// <summary>Gaussian decoder with learned variance: the floor of each variance (a constant column would otherwise drive it to 0). Default 10⁻³.</summary>
    public double MinimumVariance { get; init; } = 1e-3;

    /// <summary>Passes over the training data. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Rows per mini-batch (the last one of an epoch may be smaller). Default 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Adam's step size η. Default 10⁻³.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam's β₁. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's β₂. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's ε. Default 10⁻⁸.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay λ (AdamW: every parameter is multiplied by 1 − ηλ per step). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// With a validation set: stop after this many epochs without a lower validation −ELBO and keep the best epoch's
    /// parameters. 0 (the default) never stops early (the validation −ELBO is still reported).
    /// </summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Seed of the initialisation, the shuffling and the noise ε. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap of the matrix products; ≤ 0 means all cores. Results are the same bits for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(HiddenSizes, nameof(HiddenSizes));
        for (int i = 0; i < HiddenSizes.Count; i++)
        {
            if (HiddenSizes[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(HiddenSizes), HiddenSizes[i], $"Hidden layer {i} must have at least one unit.");
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(LatentDimension, 1, nameof(LatentDimension));
        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        }

        if (!Enum.IsDefined(Likelihood))
        {
            throw new ArgumentOutOfRangeException(nameof(Likelihood), Likelihood, "Unknown likelihood.");
        }

        Positive(Variance, nameof(Variance));
        Positive(MinimumVariance, nameof(MinimumVariance));
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        Positive(LearningRate, nameof(LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "β₁ must lie in [0, 1).");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "β₂ must lie in [0, 1).");
        }

        Positive(AdamEpsilon, nameof(AdamEpsilon));
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay)))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "The weight decay must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive.");
        }
    }
}
