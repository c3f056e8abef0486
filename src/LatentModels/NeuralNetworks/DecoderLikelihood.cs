namespace LatentModels.NeuralNetworks;

/// <summary>The observation model p(x | z) of a variational autoencoder's decoder.</summary>
public enum DecoderLikelihood
{
    /// <summary>
    /// Independent Bernoulli pixels with probabilities σ(logits), for data in [0, 1] (binary or grey levels, as the
    /// usual binary cross-entropy); the decoder outputs logits and the loss is the stable cross-entropy with logits.
    /// </summary>
    Bernoulli,

    /// <summary>
    /// Independent Gaussians with the decoder's output as mean and one variance per column, learned or fixed
    /// (<see cref="VariationalAutoencoderOptions.LearnVariance"/>).
    /// </summary>
    Gaussian,
}
