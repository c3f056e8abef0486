using System.Globalization;

namespace LatentModels.Distributions;

/// <summary>
/// The Bernoulli distribution on {0, 1} with success probability p. Immutable. As an <see cref="IDensityModel"/> it
/// models n × 1 data of 0/1 values (the "density" is the probability mass).
/// </summary>
public sealed class Bernoulli : IDensityModel, ISampler, IMaximumLikelihood<Bernoulli>
{
    private readonly double _logP;
    private readonly double _log1mP;

    /// <summary>Creates Bernoulli(<paramref name="p"/>).</summary>
    /// <param name="p">The probability of 1, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1] or NaN.</exception>
    public Bernoulli(double p)
    {
        DistributionChecks.CheckProbability(p, nameof(p), "The probability p");
        P = p;
        _logP = Math.Log(p);
        _log1mP = Math.Log(1.0 - p);
    }

    /// <summary>The probability of 1.</summary>
    public double P { get; }

    /// <summary>The mean, p.</summary>
    public double Mean => P;

    /// <summary>The variance, p(1 − p).</summary>
    public double Variance => P * (1.0 - P);

    /// <summary>The entropy −p log p − (1 − p) log(1 − p) in nats (0 log 0 = 0).</summary>
    public double Entropy => DistributionChecks.EntropyTerm(P) + DistributionChecks.EntropyTerm(1.0 - P);

    /// <summary>Always 1.</summary>
    public int Dimension => 1;

    /// <inheritdoc />
    /// <remarks>1: the success probability.</remarks>
    public int ParameterCount => 1;

    /// <summary>log P(X = x): log p for true, log(1 − p) for false (−∞ when impossible).</summary>
    /// <param name="value">The outcome.</param>
    public double LogProbability(bool value) => value ? _logP : _log1mP;

    /// <summary>log P(X = x) for x in {0, 1}.</summary>
    /// <param name="value">0 or 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither 0 nor 1.</exception>
    public double LogProbability(int value) => value switch
    {
        0 => _log1mP,
        1 => _logP,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "A Bernoulli outcome must be 0 or 1."),
    };

    /// <summary>P(X = x) for x in {0, 1}.</summary>
    /// <param name="value">0 or 1.</param>
    public double Probability(int value) => Math.Exp(LogProbability(value));

    /// <summary>
    /// KL(this ‖ other) = p log(p/q) + (1 − p) log((1 − p)/(1 − q)) in nats; +∞ when this puts mass where the other has none.
    /// </summary>
    /// <param name="other">The second distribution.</param>
    public double KullbackLeibler(Bernoulli other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return DistributionChecks.RelativeEntropyTerm(P, other.P) + DistributionChecks.RelativeEntropyTerm(1.0 - P, 1.0 - other.P);
    }

    /// <summary>Draws one outcome: 1 with probability p, else 0.</summary>
    /// <param name="random">The random source.</param>
    public int Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.NextDouble() < P ? 1 : 0;
    }

    /// <summary>Draws <paramref name="count"/> independent outcomes (0 or 1).</summary>
    /// <param name="count">Number of outcomes, non-negative.</param>
    /// <param name="random">The random source.</param>
    public int[] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = random.NextDouble() < P ? 1 : 0;
        }

        return result;
    }

    /// <summary>Draws <paramref name="count"/> independent outcomes as an n × 1 matrix of 0/1 values.</summary>
    /// <param name="count">Number of outcomes, non-negative.</param>
    /// <param name="random">The random source.</param>
    double[,] ISampler.Sample(int count, Random random)
    {
        int[] outcomes = Sample(count, random);
        var result = new double[count, 1];
        for (int i = 0; i < count; i++)
        {
            result[i, 0] = outcomes[i];
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A value is not 0 or 1 (the message names the row).</exception>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        DistributionChecks.CheckBatch(data, 1, destination, nameof(data), nameof(destination));
        ReadOnlySpan<double> x = data.AsSpan();
        for (int i = 0; i < x.Length; i++)
        {
            DistributionChecks.CheckBinary(x[i], i, 0, nameof(data));
            destination[i] = x[i] == 1 ? _logP : _log1mP;
        }
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, 1, nameof(point));
        DistributionChecks.CheckBinary(point[0], 0, 0, nameof(point));
        return point[0] == 1 ? _logP : _log1mP;
    }

    /// <inheritdoc />
    public double Score(double[,] data) => DistributionChecks.MeanLogDensity(this, data);

    /// <summary>The maximum-likelihood estimate p = (number of ones) / n from n × 1 data of 0/1 values.</summary>
    /// <param name="data">n × 1 values, each 0 or 1.</param>
    public static Bernoulli Fit(double[,] data) => Fit(data, []);

    /// <summary>The weighted maximum-likelihood estimate p = Σwᵢxᵢ / Σwᵢ from n × 1 data of 0/1 values.</summary>
    /// <param name="data">n × 1 values, each 0 or 1.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">The data is not n × 1 binary, or a weight is invalid.</exception>
    public static Bernoulli Fit(double[,] data, ReadOnlySpan<double> weights)
    {
        double total = DistributionChecks.CheckFitInput(data, weights, nameof(data), nameof(weights));
        DataValidation.CheckDimension(data, 1, nameof(data));
        ReadOnlySpan<double> x = data.AsSpan();
        double ones = 0;
        for (int i = 0; i < x.Length; i++)
        {
            DistributionChecks.CheckBinary(x[i], i, 0, nameof(data));
            ones += (weights.IsEmpty ? 1.0 : weights[i]) * x[i];
        }

        return new Bernoulli(Math.Clamp(ones / total, 0.0, 1.0));
    }

    /// <summary>A readable description, e.g. <c>Bernoulli(p=0.3)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Bernoulli(p={P:G6})");
}
