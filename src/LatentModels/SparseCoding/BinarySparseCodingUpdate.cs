namespace LatentModels.SparseCoding;

/// <summary>How the mean-field fixed point of binary sparse coding is iterated.</summary>
public enum BinarySparseCodingUpdate
{
    /// <summary>
    /// One latent at a time, in index order, each seeing the latest values of the others (coordinate ascent): every
    /// update maximises the lower bound in that latent exactly, so the bound never decreases.
    /// </summary>
    Sequential,

    /// <summary>
    /// Every latent of a row at once from the previous values (one GEMM per sweep), damped in the logits:
    /// ℓ ← δ·ℓ + (1 − δ)·ℓ*. Without damping it can oscillate (two latents explaining the same pixels switching on and off
    /// together); its fixed points are those of the sequential updates.
    /// </summary>
    Parallel,
}
