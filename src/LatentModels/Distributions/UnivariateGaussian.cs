using System.Globalization;
using LatentModels.Randomness;
using MathNet.Numerics;

namespace LatentModels.Distributions;

/// <summary>
/// The univariate normal distribution N(μ, σ²). Immutable. As an <see cref="IDensityModel"/> it models n × 1 data.
/// </summary>
public sealed class UnivariateGaussian : IDensityModel, ISampler, IMaximumLikelihood<UnivariateGaussian>
{
    private const double LogSqrtTwoPi = 0.91893853320467274178032973640562;

    private readonly double _logNormalizer; // −log(σ√(2π))

    /// <summary>Creates N(<paramref name="mean"/>, <paramref name="standardDeviation"/>²).</summary>
    /// <param name="mean">The mean μ; finite.</param>
    /// <param name="standardDeviation">The standard deviation σ; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">μ is not finite, or σ is not finite and positive.</exception>
    public UnivariateGaussian(double mean, double standardDeviation)
    {
        if (!double.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be finite.");
        }

        if (!(standardDeviation > 0) || !double.IsFinite(standardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "The standard deviation must be finite and positive.");
        }

        Mean = mean;
        StandardDeviation = standardDeviation;
        _logNormalizer = -Math.Log(standardDeviation) - LogSqrtTwoPi;
    }

    /// <summary>The standard normal N(0, 1).</summary>
    public static UnivariateGaussian Standard { get; } = new(0, 1);

    /// <summary>The mean μ.</summary>
    public double Mean { get; }

    /// <summary>The standard deviation σ.</summary>
    public double StandardDeviation { get; }

    /// <summary>The variance σ².</summary>
    public double Variance => StandardDeviation * StandardDeviation;

    /// <summary>Always 1.</summary>
    public int Dimension => 1;

    /// <inheritdoc />
    /// <remarks>2: the mean and the standard deviation.</remarks>
    public int ParameterCount => 2;

    /// <summary>The differential entropy ½·log(2πeσ²) in nats.</summary>
    public double Entropy => 0.5 + LogSqrtTwoPi + Math.Log(StandardDeviation);

    /// <summary>log p(x) = −½((x − μ)/σ)² − log σ − ½ log 2π.</summary>
    /// <param name="x">The point.</param>
    public double LogDensity(double x)
    {
        double z = (x - Mean) / StandardDeviation;
        return _logNormalizer - 0.5 * z * z;
    }

    /// <summary>The density p(x).</summary>
    /// <param name="x">The point.</param>
    public double Density(double x) => Math.Exp(LogDensity(x));

    /// <summary>The cumulative distribution function P(X ≤ x) = ½ erfc(−(x − μ)/(σ√2)).</summary>
    /// <param name="x">The point.</param>
    public double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-(x - Mean) / (StandardDeviation * Math.Sqrt(2.0)));

    /// <summary>The quantile function (inverse CDF): μ − σ√2·erfc⁻¹(2p); −∞ at p = 0 and +∞ at p = 1.</summary>
    /// <param name="probability">p in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1] or NaN.</exception>
    public double Quantile(double probability)
    {
        DistributionChecks.CheckProbability(probability, nameof(probability), "The probability");
        if (probability == 0)
        {
            return double.NegativeInfinity;
        }

        if (probability == 1)
        {
            return double.PositiveInfinity;
        }

        return Mean - StandardDeviation * Math.Sqrt(2.0) * SpecialFunctions.ErfcInv(2.0 * probability);
    }

    /// <summary>
    /// The Kullback–Leibler divergence KL(this ‖ other) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½ in nats.
    /// </summary>
    /// <param name="other">The second distribution.</param>
    public double KullbackLeibler(UnivariateGaussian other)
    {
        ArgumentNullException.ThrowIfNull(other);
        double ratio = StandardDeviation / other.StandardDeviation;
        double z = (Mean - other.Mean) / other.StandardDeviation;
        return 0.5 * (ratio * ratio + z * z - 1.0) - Math.Log(ratio);
    }

    /// <summary>Draws one value.</summary>
    /// <param name="random">The random source.</param>
    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Mean + StandardDeviation * StandardNormal.Next(random);
    }

    /// <summary>Draws <paramref name="count"/> independent values.</summary>
    /// <param name="count">Number of values, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new double[count];
        StandardNormal.Fill(random, result);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Mean + StandardDeviation * result[i];
        }

        return result;
    }

    /// <summary>Draws <paramref name="count"/> values as an n × 1 matrix.</summary>
    /// <param name="count">Number of values, non-negative.</param>
    /// <param name="random">The random source.</param>
    double[,] ISampler.Sample(int count, Random random)
    {
        double[] values = Sample(count, random);
        var result = new double[count, 1];
        Buffer.BlockCopy(values, 0, result, 0, count * sizeof(double));
        return result;
    }

    /// <inheritdoc />
    public void LogDensity(double[,] data, Span<double> destination)
    {
        DistributionChecks.CheckBatch(data, 1, destination, nameof(data), nameof(destination));
        ReadOnlySpan<double> x = data.AsSpan();
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = LogDensity(x[i]);
        }
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, 1, nameof(point));
        return LogDensity(point[0]);
    }

    /// <inheritdoc />
    public double Score(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, 1, nameof(data));
        ReadOnlySpan<double> x = data.AsSpan();
        double s = 0;
        foreach (double v in x)
        {
            s += LogDensity(v);
        }

        return s / x.Length;
    }

    /// <summary>The maximum-likelihood estimate: the sample mean and the 1/N standard deviation.</summary>
    /// <param name="values">At least two finite values, not all equal.</param>
    /// <exception cref="ArgumentException">A value is not finite, or there are none.</exception>
    /// <exception cref="FittingException">All values are equal, so σ would be 0.</exception>
    public static UnivariateGaussian Fit(ReadOnlySpan<double> values) => Fit(values, []);

    /// <summary>
    /// The weighted maximum-likelihood estimate μ = Σwᵢxᵢ/W, σ² = Σwᵢ(xᵢ − μ)²/W (W = Σwᵢ), computed in two passes
    /// about the mean with the compensating correction term, so it is accurate even when |μ| ≫ σ.
    /// </summary>
    /// <param name="values">Finite values.</param>
    /// <param name="weights">One finite non-negative weight per value, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">A value or weight is invalid.</exception>
    /// <exception cref="FittingException">The weighted values are all equal, so σ would be 0.</exception>
    public static UnivariateGaussian Fit(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("There are no values to fit.", nameof(values));
        }

        DataValidation.CheckFinite(values, 1, nameof(values));
        double total = weights.IsEmpty ? values.Length : DataValidation.CheckWeights(weights, values.Length, nameof(weights));
        double largest = 0;
        foreach (double v in values)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        if (Statistics.RangeFrame.Unsafe(largest))
        {
            // Squares of values beyond 2^±200 overflow or underflow: fit the values scaled by a power of two (exact) and
            // scale back, so the failure (if any) names the range, never "all values equal".
            int e = Math.ILogB(largest);
            var scaled = new double[values.Length];
            for (int i = 0; i < scaled.Length; i++)
            {
                scaled[i] = Math.ScaleB(values[i], -e);
            }

            UnivariateGaussian inFrame = Fit(scaled, weights);
            double sigma = Math.ScaleB(inFrame.StandardDeviation, e);
            if (!double.IsFinite(sigma) || !(sigma > 0) || !double.IsFinite(1 / (sigma * sigma)))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The standard deviation of the values is {inFrame.StandardDeviation:G6} × 2^{e}, whose square is beyond the range of double; rescale the values (e.g. multiply them by 2^{-e})."),
                    nameof(values));
            }

            return new UnivariateGaussian(Math.ScaleB(inFrame.Mean, e), sigma);
        }

        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += (weights.IsEmpty ? 1.0 : weights[i]) * values[i];
        }

        double mean = sum / total;
        double squares = 0, residual = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            double c = values[i] - mean;
            residual += w * c;
            squares += w * c * c;
        }

        mean += residual / total;
        double variance = (squares - residual * residual / total) / total;
        if (!(variance > 0))
        {
            throw new FittingException(
                $"All {values.Length} values with positive weight equal {mean}; the maximum-likelihood standard deviation is 0. Fit to data that varies.");
        }

        return new UnivariateGaussian(mean, Math.Sqrt(variance));
    }

    /// <summary>The maximum-likelihood estimate from an n × 1 matrix.</summary>
    /// <param name="data">n × 1 finite values.</param>
    public static UnivariateGaussian Fit(double[,] data) => Fit(data, []);

    /// <inheritdoc cref="IMaximumLikelihood{TSelf}.Fit(double[,], ReadOnlySpan{double})" />
    public static UnivariateGaussian Fit(double[,] data, ReadOnlySpan<double> weights)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, 1, nameof(data));
        return Fit(data.AsSpan(), weights);
    }

    /// <summary>A readable description, e.g. <c>N(μ=1, σ=2)</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"N(μ={Mean:G6}, σ={StandardDeviation:G6})");
}
