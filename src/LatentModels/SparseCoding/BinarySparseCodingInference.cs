namespace LatentModels.SparseCoding;

/// <summary>
/// Settings of the mean-field inference of binary sparse coding: q(h | v) = Πᵢ ĥᵢ^hᵢ (1 − ĥᵢ)^(1−hᵢ) with
/// ĥᵢ = σ(bᵢ + (v − Σ_{j≠i} W:,ⱼ ĥⱼ)ᵀ β W:,ᵢ − ½ W:,ᵢᵀ β W:,ᵢ) iterated to its fixed point. Immutable; validated when used.
/// </summary>
public sealed record BinarySparseCodingInference
{
    /// <summary>Sequential (coordinate ascent, the default) or damped parallel updates.</summary>
    public BinarySparseCodingUpdate Update { get; init; } = BinarySparseCodingUpdate.Sequential;

    /// <summary>
    /// δ of the parallel updates, in [0, 1): the weight kept on the old logit, ℓ ← δ·ℓ + (1 − δ)·ℓ*. Default 0.5;
    /// ignored by sequential updates.
    /// </summary>
    public double Damping { get; init; } = 0.5;

    /// <summary>Maximum sweeps over the latents (at least 1). Default 100.</summary>
    public int MaxSweeps { get; init; } = 100;

    /// <summary>Stops when no posterior mean changed by more than this in a sweep (0: run every sweep). Default 1e-6.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    /// <param name="paramName">The parameter that holds these settings.</param>
    internal void Validate(string paramName)
    {
        if (!Enum.IsDefined(Update))
        {
            throw new ArgumentOutOfRangeException(paramName, Update, $"{paramName}.{nameof(Update)}: unknown update.");
        }

        if (!(Damping >= 0 && Damping < 1))
        {
            throw new ArgumentOutOfRangeException(paramName, Damping, $"{paramName}.{nameof(Damping)} must lie in [0, 1).");
        }

        if (MaxSweeps < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxSweeps, $"{paramName}.{nameof(MaxSweeps)} must be at least 1.");
        }

        if (!(Tolerance >= 0) || double.IsPositiveInfinity(Tolerance))
        {
            throw new ArgumentOutOfRangeException(paramName, Tolerance, $"{paramName}.{nameof(Tolerance)} must be finite and non-negative.");
        }
    }
}
