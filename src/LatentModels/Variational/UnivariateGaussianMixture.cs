namespace LatentModels.Variational;

/// <summary>
/// A fixed one-dimensional Gaussian mixture p(x) = Σₖ wₖ 𝒩(x | μₖ, vₖ), the multimodal target of the mean-field toolkit's
/// single-Gaussian approximations (<see cref="SingleGaussianApproximation"/>). Immutable; the arrays given to the
/// constructor are copied.
/// </summary>
public sealed class UnivariateGaussianMixture
{
    private const double LogSqrtTwoPi = 0.91893853320467274178032973640562;

    private readonly double[] _weights;
    private readonly double[] _means;
    private readonly double[] _variances;
    private readonly double[] _logCoefficients; // ln wₖ − ½ ln(2π vₖ)

    /// <summary>Creates Σₖ wₖ 𝒩(μₖ, vₖ).</summary>
    /// <param name="weights">The mixing weights: finite, non-negative, summing to 1 within 1e-9 (they are then
    /// normalised exactly).</param>
    /// <param name="means">The component means μₖ, finite; as many as weights.</param>
    /// <param name="variances">The component variances vₖ, finite and positive; as many as weights.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, there are no components, or an entry is out of range (the
    /// message names the component).</exception>
    public UnivariateGaussianMixture(double[] weights, double[] means, double[] variances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(variances);
        int k = weights.Length;
        if (k == 0)
        {
            throw new ArgumentException("There are no weights; a mixture needs at least one component.", nameof(weights));
        }

        if (means.Length != k)
        {
            throw new ArgumentException($"There are {means.Length} means for {k} weights.", nameof(means));
        }

        if (variances.Length != k)
        {
            throw new ArgumentException($"There are {variances.Length} variances for {k} weights.", nameof(variances));
        }

        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            if (!(weights[c] >= 0) || !double.IsFinite(weights[c]))
            {
                throw new ArgumentException($"weights[{c}] is {weights[c]}; weights must be finite and non-negative.", nameof(weights));
            }

            if (!double.IsFinite(means[c]))
            {
                throw new ArgumentException($"means[{c}] is {means[c]}; every mean must be finite.", nameof(means));
            }

            if (!(variances[c] > 0) || !double.IsFinite(variances[c]))
            {
                throw new ArgumentException($"variances[{c}] is {variances[c]}; every variance must be finite and positive.", nameof(variances));
            }

            sum += weights[c];
        }

        if (Math.Abs(sum - 1) > 1e-9)
        {
            throw new ArgumentException($"The weights sum to {sum}; they must sum to 1.", nameof(weights));
        }

        _weights = new double[k];
        _logCoefficients = new double[k];
        for (int c = 0; c < k; c++)
        {
            _weights[c] = weights[c] / sum;
            _logCoefficients[c] = Math.Log(_weights[c]) - (0.5 * Math.Log(variances[c])) - LogSqrtTwoPi;
        }

        _means = (double[])means.Clone();
        _variances = (double[])variances.Clone();
        Weights = Array.AsReadOnly(_weights);
        Means = Array.AsReadOnly(_means);
        Variances = Array.AsReadOnly(_variances);

        double mean = 0;
        for (int c = 0; c < k; c++)
        {
            mean += _weights[c] * _means[c];
        }

        double variance = 0;
        for (int c = 0; c < k; c++)
        {
            double offset = _means[c] - mean;
            variance += _weights[c] * (_variances[c] + (offset * offset));
        }

        Mean = mean;
        Variance = variance;
    }

    /// <summary>The number of components.</summary>
    public int Components => _weights.Length;

    /// <summary>The mixing weights wₖ (normalised).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The component means μₖ.</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>The component variances vₖ.</summary>
    public IReadOnlyList<double> Variances { get; }

    /// <summary>The mixture's mean Σₖ wₖ μₖ.</summary>
    public double Mean { get; }

    /// <summary>The mixture's variance Σₖ wₖ (vₖ + (μₖ − mean)²) (law of total variance, centered).</summary>
    public double Variance { get; }

    /// <summary>ln p(x), by log-sum-exp over the components.</summary>
    /// <param name="x">The point.</param>
    /// <returns>The log-density, computed in log space (finite for every finite x, however far in the tails).</returns>
    public double LogDensity(double x) => LogDensity(x, out _, out _);

    /// <summary>p(x).</summary>
    /// <param name="x">The point.</param>
    /// <returns>The density.</returns>
    public double Density(double x) => Math.Exp(LogDensity(x));

    /// <summary>ln p(x) with its first and second derivatives in x (responsibility-weighted, computed stably).</summary>
    internal double LogDensity(double x, out double first, out double second)
    {
        int k = _weights.Length;
        double max = double.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            if (_weights[c] > 0)
            {
                double z = x - _means[c];
                max = Math.Max(max, _logCoefficients[c] - (0.5 * z * z / _variances[c]));
            }
        }

        double total = 0, g = 0, h = 0;
        for (int c = 0; c < k; c++)
        {
            if (_weights[c] > 0)
            {
                double z = x - _means[c];
                double r = Math.Exp(_logCoefficients[c] - (0.5 * z * z / _variances[c]) - max);
                double a = -z / _variances[c]; // d/dx ln 𝒩(x | μₖ, vₖ)
                total += r;
                g += r * a;
                h += r * ((a * a) - (1 / _variances[c]));
            }
        }

        g /= total;
        first = g;
        second = (h / total) - (g * g);
        return max + Math.Log(total);
    }
}
