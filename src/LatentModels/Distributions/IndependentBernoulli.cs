using System.Globalization;

namespace LatentModels.Distributions;

/// <summary>
/// A product of independent Bernoulli distributions over binary vectors x ∈ {0, 1}ᵈ: P(x) = Πⱼ pⱼ^xⱼ (1 − pⱼ)^(1 − xⱼ).
/// Immutable. Rows of the data are binary vectors stored as 0/1 doubles.
/// </summary>
public sealed class IndependentBernoulli : IDensityModel, ISampler, IMaximumLikelihood<IndependentBernoulli>
{
    private readonly double[] _p;
    private readonly double[] _logP;
    private readonly double[] _log1mP;

    /// <summary>Creates the distribution with success probabilities <paramref name="probabilities"/> (copied).</summary>
    /// <param name="probabilities">d ≥ 1 probabilities, each in [0, 1].</param>
    /// <exception cref="ArgumentException">There are none, or one is outside [0, 1] (the message names its index).</exception>
    public IndependentBernoulli(double[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length == 0)
        {
            throw new ArgumentException("There are no probabilities; the dimension must be at least 1.", nameof(probabilities));
        }

        for (int j = 0; j < probabilities.Length; j++)
        {
            DistributionChecks.CheckProbability(probabilities[j], nameof(probabilities), $"probabilities[{j}]");
        }

        _p = (double[])probabilities.Clone();
        _logP = new double[_p.Length];
        _log1mP = new double[_p.Length];
        for (int j = 0; j < _p.Length; j++)
        {
            _logP[j] = Math.Log(_p[j]);
            _log1mP[j] = Math.Log(1.0 - _p[j]);
        }

        Probabilities = Array.AsReadOnly(_p);
    }

    /// <summary>The dimension d.</summary>
    public int Dimension => _p.Length;

    /// <inheritdoc />
    /// <remarks>d: one success probability per variable.</remarks>
    public int ParameterCount => _p.Length;

    /// <summary>The success probabilities pⱼ, which are also the means.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>log pⱼ for every coordinate.</summary>
    internal ReadOnlySpan<double> LogProbabilities => _logP;

    /// <summary>log(1 − pⱼ) for every coordinate.</summary>
    internal ReadOnlySpan<double> LogComplementProbabilities => _log1mP;

    /// <summary>The success probabilities as a span (no copy).</summary>
    internal ReadOnlySpan<double> ProbabilitySpan => _p;

    /// <summary>The entropy Σⱼ H(pⱼ) in nats (0 log 0 = 0).</summary>
    public double Entropy
    {
        get
        {
            double h = 0;
            foreach (double p in _p)
            {
                h += DistributionChecks.EntropyTerm(p) + DistributionChecks.EntropyTerm(1.0 - p);
            }

            return h;
        }
    }

    /// <summary>The variances pⱼ(1 − pⱼ) (a new array).</summary>
    public double[] Variances() => _p.Select(p => p * (1.0 - p)).ToArray();

    /// <summary>
    /// KL(this ‖ other) = Σⱼ KL(Bernoulli(pⱼ) ‖ Bernoulli(qⱼ)) in nats; +∞ when this puts mass where the other has none.
    /// </summary>
    /// <param name="other">The second distribution, of the same dimension.</param>
    public double KullbackLeibler(IndependentBernoulli other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimension != Dimension)
        {
            throw new ArgumentException($"The other distribution has dimension {other.Dimension} but this one has {Dimension}.", nameof(other));
        }

        double kl = 0;
        for (int j = 0; j < _p.Length; j++)
        {
            kl += DistributionChecks.RelativeEntropyTerm(_p[j], other._p[j]) + DistributionChecks.RelativeEntropyTerm(1.0 - _p[j], 1.0 - other._p[j]);
        }

        return kl;
    }

    /// <summary>Draws <paramref name="count"/> independent binary vectors (rows of 0/1 values).</summary>
    /// <param name="count">Number of vectors, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int d = Dimension;
        var result = new double[count, d];
        Span<double> x = result.AsWritableSpan();
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble() < _p[i % d] ? 1.0 : 0.0;
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A value is not 0 or 1 (the message names row and column).</exception>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        DistributionChecks.CheckBatch(data, Dimension, destination, nameof(data), nameof(destination));
        ReadOnlySpan<double> x = data.AsSpan();
        int d = Dimension;
        for (int i = 0; i < data.GetLength(0); i++)
        {
            destination[i] = RowLogDensity(x.Slice(i * d, d), i, nameof(data));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A value is not 0 or 1.</exception>
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        return RowLogDensity(point, 0, nameof(point));
    }

    /// <inheritdoc />
    public double Score(double[,] data) => DistributionChecks.MeanLogDensity(this, data);

    /// <summary>The maximum-likelihood estimate pⱼ = (ones in column j) / n.</summary>
    /// <param name="data">n × d values, each 0 or 1.</param>
    public static IndependentBernoulli Fit(double[,] data) => Fit(data, []);

    /// <summary>The weighted maximum-likelihood estimate pⱼ = Σᵢwᵢxᵢⱼ / Σᵢwᵢ.</summary>
    /// <param name="data">n × d values, each 0 or 1.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">A value is not 0 or 1, or a weight is invalid.</exception>
    public static IndependentBernoulli Fit(double[,] data, ReadOnlySpan<double> weights)
    {
        double total = DistributionChecks.CheckFitInput(data, weights, nameof(data), nameof(weights));
        int n = data.GetLength(0), d = data.GetLength(1);
        ReadOnlySpan<double> x = data.AsSpan();
        var ones = new double[d];
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            for (int j = 0; j < d; j++)
            {
                double v = x[i * d + j];
                DistributionChecks.CheckBinary(v, i, j, nameof(data));
                ones[j] += w * v;
            }
        }

        for (int j = 0; j < d; j++)
        {
            ones[j] = Math.Clamp(ones[j] / total, 0.0, 1.0);
        }

        return new IndependentBernoulli(ones);
    }

    /// <summary>A readable description giving the dimension.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"IndependentBernoulli(d={Dimension})");

    private double RowLogDensity(ReadOnlySpan<double> row, int rowIndex, string paramName)
    {
        double s = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double v = row[j];
            DistributionChecks.CheckBinary(v, rowIndex, j, paramName);
            s += v == 1 ? _logP[j] : _log1mP[j];
        }

        return s;
    }
}
