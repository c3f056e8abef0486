using System.Globalization;

namespace LatentModels.Distributions;

/// <summary>
/// The categorical distribution over the category indices 0 … K − 1. Immutable. As an <see cref="IDensityModel"/> it
/// models n × 1 data of integer codes stored as doubles (the "density" is the probability mass).
/// </summary>
public sealed class Categorical : IDensityModel, ISampler, IMaximumLikelihood<Categorical>
{
    /// <summary>Tolerance on |Σₖ pₖ − 1| accepted by the constructor.</summary>
    public const double SumTolerance = 1e-9;

    /// <summary>The largest number of categories <see cref="Fit(double[,], ReadOnlySpan{double})"/> infers from the codes.</summary>
    public const int MaxInferredCategories = 1 << 24;

    private readonly double[] _p;
    private readonly double[] _logP;
    private readonly double[] _cumulative;

    /// <summary>Creates the distribution with the given category probabilities (copied).</summary>
    /// <param name="probabilities">K ≥ 1 finite non-negative values summing to 1 within <see cref="SumTolerance"/>.</param>
    /// <exception cref="ArgumentException">There are none, one is negative or not finite, or they do not sum to 1.</exception>
    public Categorical(double[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length == 0)
        {
            throw new ArgumentException("There are no probabilities; there must be at least one category.", nameof(probabilities));
        }

        double sum = 0;
        for (int k = 0; k < probabilities.Length; k++)
        {
            DistributionChecks.CheckProbability(probabilities[k], nameof(probabilities), $"probabilities[{k}]");
            sum += probabilities[k];
        }

        if (Math.Abs(sum - 1.0) > SumTolerance)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The probabilities sum to {sum:R}; they must sum to 1 (tolerance {SumTolerance})."),
                nameof(probabilities));
        }

        _p = (double[])probabilities.Clone();
        _logP = _p.Select(p => Math.Log(p)).ToArray();
        _cumulative = new double[_p.Length];
        double c = 0;
        for (int k = 0; k < _p.Length; k++)
        {
            c += _p[k];
            _cumulative[k] = c / sum;
        }

        Probabilities = Array.AsReadOnly(_p);
    }

    /// <summary>The number of categories K.</summary>
    public int Categories => _p.Length;

    /// <summary>The category probabilities.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>Always 1: an observation is one category code.</summary>
    public int Dimension => 1;

    /// <inheritdoc />
    /// <remarks>K − 1: the probabilities, less one for their sum.</remarks>
    public int ParameterCount => _p.Length - 1;

    /// <summary>The mean of the category index, Σₖ k·pₖ.</summary>
    public double Mean
    {
        get
        {
            double m = 0;
            for (int k = 0; k < _p.Length; k++)
            {
                m += k * _p[k];
            }

            return m;
        }
    }

    /// <summary>The variance of the category index, Σₖ pₖ(k − mean)².</summary>
    public double Variance
    {
        get
        {
            double mean = Mean, v = 0;
            for (int k = 0; k < _p.Length; k++)
            {
                v += _p[k] * (k - mean) * (k - mean);
            }

            return v;
        }
    }

    /// <summary>The entropy −Σₖ pₖ log pₖ in nats (0 log 0 = 0).</summary>
    public double Entropy => _p.Sum(DistributionChecks.EntropyTerm);

    /// <summary>log P(X = k) (−∞ for a category of probability 0).</summary>
    /// <param name="category">A category index in [0, K).</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, K).</exception>
    public double LogProbability(int category)
    {
        CheckCategory(category);
        return _logP[category];
    }

    /// <summary>P(X = k).</summary>
    /// <param name="category">A category index in [0, K).</param>
    public double Probability(int category)
    {
        CheckCategory(category);
        return _p[category];
    }

    /// <summary>KL(this ‖ other) = Σₖ pₖ log(pₖ/qₖ) in nats; +∞ when this puts mass where the other has none.</summary>
    /// <param name="other">A categorical distribution with the same number of categories.</param>
    public double KullbackLeibler(Categorical other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Categories != Categories)
        {
            throw new ArgumentException($"The other distribution has {other.Categories} categories but this one has {Categories}.", nameof(other));
        }

        double kl = 0;
        for (int k = 0; k < _p.Length; k++)
        {
            kl += DistributionChecks.RelativeEntropyTerm(_p[k], other._p[k]);
        }

        return kl;
    }

    /// <summary>Draws one category by inverting the cumulative distribution.</summary>
    /// <param name="random">The random source.</param>
    public int Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Draw(random.NextDouble());
    }

    /// <summary>Draws <paramref name="count"/> independent categories.</summary>
    /// <param name="count">Number of draws, non-negative.</param>
    /// <param name="random">The random source.</param>
    public int[] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Draw(random.NextDouble());
        }

        return result;
    }

    /// <summary>Draws <paramref name="count"/> categories as an n × 1 matrix of codes.</summary>
    /// <param name="count">Number of draws, non-negative.</param>
    /// <param name="random">The random source.</param>
    double[,] ISampler.Sample(int count, Random random)
    {
        int[] codes = Sample(count, random);
        var result = new double[count, 1];
        for (int i = 0; i < count; i++)
        {
            result[i, 0] = codes[i];
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A code is not an integer in [0, K) (the message names the row).</exception>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        DistributionChecks.CheckBatch(data, 1, destination, nameof(data), nameof(destination));
        ReadOnlySpan<double> x = data.AsSpan();
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = _logP[ToCode(x[i], i, _p.Length, nameof(data))];
        }
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, 1, nameof(point));
        return _logP[ToCode(point[0], 0, _p.Length, nameof(point))];
    }

    /// <inheritdoc />
    public double Score(double[,] data) => DistributionChecks.MeanLogDensity(this, data);

    /// <summary>The maximum-likelihood estimate (category frequencies) with K = (largest code) + 1.</summary>
    /// <param name="data">n × 1 integer codes ≥ 0.</param>
    public static Categorical Fit(double[,] data) => Fit(data, []);

    /// <summary>The weighted maximum-likelihood estimate pₖ = Σᵢ wᵢ[xᵢ = k] / Σᵢ wᵢ with K = (largest code) + 1.</summary>
    /// <param name="data">n × 1 integer codes ≥ 0.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">A code is negative or not an integer (the message names the row), or a weight is invalid.</exception>
    public static Categorical Fit(double[,] data, ReadOnlySpan<double> weights)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, 1, nameof(data));
        double max = 0;
        foreach (double v in data.AsSpan())
        {
            max = Math.Max(max, v);
        }

        if (max >= MaxInferredCategories)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The largest code is {max}; inferring more than {MaxInferredCategories} categories is refused. Pass the number of categories explicitly."),
                nameof(data));
        }

        return Fit(data, weights, (int)max + 1);
    }

    /// <summary>The maximum-likelihood estimate over a fixed number of categories K (unseen categories get probability 0).</summary>
    /// <param name="data">n × 1 integer codes in [0, K).</param>
    /// <param name="categories">K ≥ 1.</param>
    public static Categorical Fit(double[,] data, int categories) => Fit(data, [], categories);

    /// <summary>The weighted maximum-likelihood estimate over a fixed number of categories K.</summary>
    /// <param name="data">n × 1 integer codes in [0, K).</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <param name="categories">K ≥ 1.</param>
    /// <exception cref="ArgumentException">A code is not an integer in [0, K) (the message names the row), or a weight is invalid.</exception>
    public static Categorical Fit(double[,] data, ReadOnlySpan<double> weights, int categories)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(categories, 1);
        double total = DistributionChecks.CheckFitInput(data, weights, nameof(data), nameof(weights));
        DataValidation.CheckDimension(data, 1, nameof(data));
        ReadOnlySpan<double> x = data.AsSpan();
        var counts = new double[categories];
        for (int i = 0; i < x.Length; i++)
        {
            counts[ToCode(x[i], i, categories, nameof(data))] += weights.IsEmpty ? 1.0 : weights[i];
        }

        for (int k = 0; k < categories; k++)
        {
            counts[k] /= total;
        }

        return new Categorical(counts);
    }

    /// <summary>A readable description giving the number of categories.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Categorical(K={Categories})");

    private void CheckCategory(int category)
    {
        if ((uint)category >= (uint)_p.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(category), category, $"The category must be in [0, {_p.Length}).");
        }
    }

    private static int ToCode(double value, int row, int categories, string paramName)
    {
        if (!(value >= 0 && value < categories) || value != Math.Floor(value))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The code at row {row} is {value}; codes must be integers in [0, {categories})."), paramName);
        }

        return (int)value;
    }

    private int Draw(double u)
    {
        int k = Array.BinarySearch(_cumulative, u);
        k = k >= 0 ? k + 1 : ~k; // first index whose cumulative probability exceeds u
        while (k < _p.Length - 1 && _p[k] == 0)
        {
            k++;
        }

        return Math.Min(k, _p.Length - 1);
    }
}
