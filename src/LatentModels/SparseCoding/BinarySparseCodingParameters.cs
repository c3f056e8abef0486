namespace LatentModels.SparseCoding;

/// <summary>
/// The parameters of binary sparse coding in the layout the engine uses: W (d × H, row-major: column i is atom i), the
/// prior logits b (H) and the noise variances β⁻¹ (d). Owned by whoever created it; the model keeps its own copy.
/// </summary>
internal sealed class BinarySparseCodingParameters
{
    public BinarySparseCodingParameters(int components, int dimension)
    {
        Components = components;
        Dimension = dimension;
        Weights = new double[dimension * components];
        Bias = new double[components];
        NoiseVariance = new double[dimension];
    }

    /// <summary>H.</summary>
    public int Components { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>W, d × H row-major.</summary>
    public double[] Weights { get; }

    /// <summary>b, the prior logits: p(hᵢ = 1) = σ(bᵢ).</summary>
    public double[] Bias { get; }

    /// <summary>β⁻¹, one noise variance per dimension.</summary>
    public double[] NoiseVariance { get; }

    /// <summary>A deep copy.</summary>
    public BinarySparseCodingParameters Clone()
    {
        var copy = new BinarySparseCodingParameters(Components, Dimension);
        CopyTo(copy);
        return copy;
    }

    /// <summary>Copies every value into <paramref name="destination"/> (same shape).</summary>
    public void CopyTo(BinarySparseCodingParameters destination)
    {
        Weights.CopyTo(destination.Weights, 0);
        Bias.CopyTo(destination.Bias, 0);
        NoiseVariance.CopyTo(destination.NoiseVariance, 0);
    }
}
