namespace LatentModels.Variational;

/// <summary>
/// A fully factorised (mean-field) Gaussian q(z) = Πᵢ 𝒩(zᵢ | mᵢ, sᵢ): independent coordinates with means mᵢ and variances
/// sᵢ, i.e. a Gaussian with diagonal covariance. Immutable; the arrays given to the constructor are copied.
/// </summary>
public sealed class FactorizedGaussian
{
    private readonly double[] _means;
    private readonly double[] _variances;

    /// <summary>Creates q(z) = Πᵢ 𝒩(zᵢ | <paramref name="means"/>[i], <paramref name="variances"/>[i]).</summary>
    /// <param name="means">The factor means; at least one, all finite.</param>
    /// <param name="variances">The factor variances; as many as means, finite and positive.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, there are no entries, or an entry is out of range (the
    /// message names its index).</exception>
    public FactorizedGaussian(double[] means, double[] variances)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(variances);
        if (means.Length == 0)
        {
            throw new ArgumentException("There are no means; the dimension must be at least 1.", nameof(means));
        }

        if (variances.Length != means.Length)
        {
            throw new ArgumentException($"There are {variances.Length} variances for {means.Length} means.", nameof(variances));
        }

        for (int i = 0; i < means.Length; i++)
        {
            if (!double.IsFinite(means[i]))
            {
                throw new ArgumentException($"means[{i}] is {means[i]}; every mean must be finite.", nameof(means));
            }

            if (!(variances[i] > 0) || !double.IsFinite(variances[i]))
            {
                throw new ArgumentException($"variances[{i}] is {variances[i]}; every variance must be finite and positive.", nameof(variances));
            }
        }

        _means = (double[])means.Clone();
        _variances = (double[])variances.Clone();
        Means = Array.AsReadOnly(_means);
        Variances = Array.AsReadOnly(_variances);
    }

    /// <summary>The number of factors (the dimension of z).</summary>
    public int Dimension => _means.Length;

    /// <summary>The factor means mᵢ.</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>The factor variances sᵢ.</summary>
    public IReadOnlyList<double> Variances { get; }

    /// <summary>The entropy H[q] = Σᵢ ½ ln(2πe·sᵢ) in nats.</summary>
    public double Entropy
    {
        get
        {
            double h = 0;
            foreach (double s in _variances)
            {
                h += 0.5 * (Math.Log(2 * Math.PI * s) + 1);
            }

            return h;
        }
    }
}
