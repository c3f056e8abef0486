using System.Globalization;

namespace LatentModels.Distributions;

/// <summary>
/// A product of d independent categorical distributions: observation x = (x₀, …, x_{d−1}) where xⱼ is a category code
/// in [0, Cⱼ) and P(x) = Πⱼ pⱼ[xⱼ]. Immutable. Rows of the data hold integer codes stored as doubles; each variable j
/// has its own number of categories Cⱼ.
/// </summary>
public sealed class IndependentCategorical : IDensityModel, ISampler, IMaximumLikelihood<IndependentCategorical>
{
    /// <summary>Tolerance on |Σ_c pⱼ[c] − 1| accepted by the constructor for each variable.</summary>
    public const double SumTolerance = 1e-9;

    private readonly double[] _p;       // all variables' probabilities, variable after variable
    private readonly double[] _logP;
    private readonly int[] _offsets;    // d + 1 offsets into _p
    private readonly int[] _counts;

    /// <summary>Creates the distribution; <paramref name="probabilities"/>[j] holds the Cⱼ probabilities of variable j (copied).</summary>
    /// <param name="probabilities">d ≥ 1 arrays, each of Cⱼ ≥ 1 values in [0, 1] summing to 1 within <see cref="SumTolerance"/>.</param>
    /// <exception cref="ArgumentException">There are no variables, a variable has no categories, a probability is outside
    /// [0, 1] or a variable's probabilities do not sum to 1 (the message names the variable and category).</exception>
    public IndependentCategorical(double[][] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length == 0)
        {
            throw new ArgumentException("There are no variables; the dimension must be at least 1.", nameof(probabilities));
        }

        _counts = new int[probabilities.Length];
        _offsets = new int[probabilities.Length + 1];
        for (int j = 0; j < probabilities.Length; j++)
        {
            double[] row = probabilities[j] ?? throw new ArgumentException($"The probabilities of variable {j} are null.", nameof(probabilities));
            if (row.Length == 0)
            {
                throw new ArgumentException($"Variable {j} has no categories; each needs at least one.", nameof(probabilities));
            }

            double sum = 0;
            for (int c = 0; c < row.Length; c++)
            {
                DistributionChecks.CheckProbability(row[c], nameof(probabilities), $"probabilities[{j}][{c}]");
                sum += row[c];
            }

            if (Math.Abs(sum - 1.0) > SumTolerance)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The probabilities of variable {j} sum to {sum:R}; they must sum to 1 (tolerance {SumTolerance})."),
                    nameof(probabilities));
            }

            _counts[j] = row.Length;
            _offsets[j + 1] = checked(_offsets[j] + row.Length);
        }

        _p = new double[_offsets[^1]];
        for (int j = 0; j < probabilities.Length; j++)
        {
            probabilities[j].CopyTo(_p, _offsets[j]);
        }

        _logP = _p.Select(v => Math.Log(v)).ToArray();
        CategoryCounts = Array.AsReadOnly(_counts);
    }

    /// <summary>The number of variables d.</summary>
    public int Dimension => _counts.Length;

    /// <summary>The number of categories Cⱼ of each variable.</summary>
    public IReadOnlyList<int> CategoryCounts { get; }

    /// <summary>Free parameters Σⱼ (Cⱼ − 1).</summary>
    public int FreeParameters => _p.Length - _counts.Length;

    /// <inheritdoc />
    /// <remarks>Σⱼ (Cⱼ − 1), the same as <see cref="FreeParameters"/>.</remarks>
    public int ParameterCount => FreeParameters;

    /// <summary>A copy of the probabilities of variable <paramref name="variable"/>.</summary>
    /// <param name="variable">Zero-based variable index.</param>
    public double[] GetProbabilities(int variable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(variable);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(variable, Dimension);
        return _p.AsSpan(_offsets[variable], _counts[variable]).ToArray();
    }

    /// <summary>A copy of every variable's probabilities (a jagged array, as the constructor takes them).</summary>
    public double[][] ToArrays() => Enumerable.Range(0, Dimension).Select(GetProbabilities).ToArray();

    /// <summary>All probabilities, variable after variable (Σⱼ Cⱼ values).</summary>
    internal ReadOnlySpan<double> FlatProbabilities => _p;

    /// <summary>All log-probabilities, variable after variable.</summary>
    internal ReadOnlySpan<double> FlatLogProbabilities => _logP;

    /// <summary>Offsets of each variable in the flat arrays (d + 1 values).</summary>
    internal ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>The entropy Σⱼ −Σ_c pⱼ[c] log pⱼ[c] in nats (0 log 0 = 0).</summary>
    public double Entropy => _p.Sum(DistributionChecks.EntropyTerm);

    /// <summary>KL(this ‖ other) = Σⱼ Σ_c pⱼ[c] log(pⱼ[c]/qⱼ[c]) in nats; +∞ when this puts mass where the other has none.</summary>
    /// <param name="other">A distribution with the same category counts.</param>
    public double KullbackLeibler(IndependentCategorical other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameShape(other, nameof(other));
        double kl = 0;
        for (int i = 0; i < _p.Length; i++)
        {
            kl += DistributionChecks.RelativeEntropyTerm(_p[i], other._p[i]);
        }

        return kl;
    }

    /// <summary>Throws unless <paramref name="other"/> has the same dimension and category counts.</summary>
    internal void CheckSameShape(IndependentCategorical other, string paramName)
    {
        if (!_counts.AsSpan().SequenceEqual(other._counts))
        {
            throw new ArgumentException(
                $"The other distribution has category counts [{string.Join(", ", other._counts)}] but this one has [{string.Join(", ", _counts)}].", paramName);
        }
    }

    /// <summary>Draws <paramref name="count"/> independent observations (rows of integer codes).</summary>
    /// <param name="count">Number of observations, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new double[count, Dimension];
        Span<double> x = result.AsWritableSpan();
        for (int i = 0; i < count; i++)
        {
            SampleInto(random, x.Slice(i * Dimension, Dimension));
        }

        return result;
    }

    /// <summary>Draws one observation into <paramref name="destination"/> (d codes), one uniform draw per variable.</summary>
    internal void SampleInto(Random random, Span<double> destination)
    {
        for (int j = 0; j < _counts.Length; j++)
        {
            ReadOnlySpan<double> p = _p.AsSpan(_offsets[j], _counts[j]);
            double u = random.NextDouble(), cumulative = 0;
            int chosen = -1;
            for (int c = 0; c < p.Length; c++)
            {
                cumulative += p[c];
                if (p[c] > 0)
                {
                    chosen = c;
                    if (u < cumulative)
                    {
                        break;
                    }
                }
            }

            destination[j] = chosen; // the last category of positive probability when rounding leaves u above the sum
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A code is not an integer in [0, Cⱼ) (the message names row and column).</exception>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        DistributionChecks.CheckBatch(data, Dimension, destination, nameof(data), nameof(destination));
        CheckCodes(data.AsSpan(), _counts, nameof(data));
        ReadOnlySpan<double> x = data.AsSpan();
        int d = Dimension;
        for (int i = 0; i < data.GetLength(0); i++)
        {
            destination[i] = RowLogDensity(x.Slice(i * d, d));
        }
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        CheckCodes(point, _counts, nameof(point));
        return RowLogDensity(point);
    }

    /// <inheritdoc />
    public double Score(double[,] data) => DistributionChecks.MeanLogDensity(this, data);

    /// <summary>The maximum-likelihood estimate with Cⱼ = (largest code in column j) + 1.</summary>
    /// <param name="data">n × d integer codes ≥ 0.</param>
    public static IndependentCategorical Fit(double[,] data) => Fit(data, []);

    /// <summary>The weighted maximum-likelihood estimate with Cⱼ = (largest code in column j) + 1.</summary>
    /// <param name="data">n × d integer codes ≥ 0.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">A code is negative or not an integer (the message names row and column), or a weight is invalid.</exception>
    public static IndependentCategorical Fit(double[,] data, ReadOnlySpan<double> weights)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return Fit(data, weights, InferCategoryCounts(data, nameof(data)));
    }

    /// <summary>
    /// The weighted maximum-likelihood estimate over fixed category counts: pⱼ[c] = Σᵢ wᵢ[xᵢⱼ = c] / Σᵢ wᵢ (unseen
    /// categories get probability 0).
    /// </summary>
    /// <param name="data">n × d integer codes, column j in [0, Cⱼ).</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <param name="categoryCounts">d values Cⱼ ≥ 1.</param>
    /// <exception cref="ArgumentException">A code is out of range or not an integer (the message names row and column),
    /// the counts do not match the columns, or a weight is invalid.</exception>
    public static IndependentCategorical Fit(double[,] data, ReadOnlySpan<double> weights, int[] categoryCounts)
    {
        double total = DistributionChecks.CheckFitInput(data, weights, nameof(data), nameof(weights));
        CheckCategoryCounts(categoryCounts, data.GetLength(1), nameof(categoryCounts));
        CheckCodes(data.AsSpan(), categoryCounts, nameof(data));
        int n = data.GetLength(0), d = data.GetLength(1);
        int[] offsets = OffsetsOf(categoryCounts);
        var sums = new double[offsets[^1]];
        ReadOnlySpan<double> x = data.AsSpan();
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            for (int j = 0; j < d; j++)
            {
                sums[offsets[j] + (int)x[i * d + j]] += w;
            }
        }

        return new IndependentCategorical(Split(sums, categoryCounts, total, 0));
    }

    /// <summary>A readable description giving the dimension.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"IndependentCategorical(d={Dimension})");

    /// <summary>Cⱼ = (largest code in column j) + 1, after checking that every code is a non-negative integer.</summary>
    internal static int[] InferCategoryCounts(double[,] data, string paramName)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        ReadOnlySpan<double> x = data.AsSpan();
        var counts = new int[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double v = x[i * d + j];
                if (!(v >= 0 && v < Categorical.MaxInferredCategories) || v != Math.Floor(v))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"The code at row {i}, column {j} is {v}; codes must be integers in [0, {Categorical.MaxInferredCategories})."), paramName);
                }

                counts[j] = Math.Max(counts[j], (int)v + 1);
            }
        }

        return counts;
    }

    /// <summary>Throws unless there are <paramref name="dimension"/> counts, each at least 1.</summary>
    internal static void CheckCategoryCounts(int[] categoryCounts, int dimension, string paramName)
    {
        ArgumentNullException.ThrowIfNull(categoryCounts, paramName);
        if (categoryCounts.Length != dimension)
        {
            throw new ArgumentException($"There are {categoryCounts.Length} category counts for {dimension} columns.", paramName);
        }

        for (int j = 0; j < categoryCounts.Length; j++)
        {
            if (categoryCounts[j] < 1)
            {
                throw new ArgumentException($"Variable {j} has {categoryCounts[j]} categories; each needs at least one.", paramName);
            }
        }
    }

    /// <summary>Throws unless every value of the row-major block is an integer code in [0, Cⱼ) for its column j.</summary>
    internal static void CheckCodes(ReadOnlySpan<double> values, ReadOnlySpan<int> categoryCounts, string paramName)
    {
        int d = categoryCounts.Length;
        for (int index = 0; index < values.Length; index++)
        {
            int j = index % d;
            double v = values[index];
            if (!(v >= 0 && v < categoryCounts[j]) || v != Math.Floor(v))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The code at row {index / d}, column {j} is {v}; codes of column {j} must be integers in [0, {categoryCounts[j]})."), paramName);
            }
        }
    }

    /// <summary>Offsets of each variable in a flat array (d + 1 values).</summary>
    internal static int[] OffsetsOf(ReadOnlySpan<int> categoryCounts)
    {
        var offsets = new int[categoryCounts.Length + 1];
        for (int j = 0; j < categoryCounts.Length; j++)
        {
            offsets[j + 1] = checked(offsets[j] + categoryCounts[j]);
        }

        return offsets;
    }

    /// <summary>(sums + pseudoCount) / (total + Cⱼ·pseudoCount) per variable, as jagged arrays.</summary>
    internal static double[][] Split(ReadOnlySpan<double> sums, ReadOnlySpan<int> categoryCounts, double total, double pseudoCount)
    {
        var result = new double[categoryCounts.Length][];
        int offset = 0;
        for (int j = 0; j < categoryCounts.Length; j++)
        {
            int c = categoryCounts[j];
            double denominator = total + c * pseudoCount;
            var row = new double[c];
            for (int q = 0; q < c; q++)
            {
                row[q] = Math.Clamp((sums[offset + q] + pseudoCount) / denominator, 0.0, 1.0);
            }

            result[j] = row;
            offset += c;
        }

        return result;
    }

    private double RowLogDensity(ReadOnlySpan<double> row)
    {
        double s = 0;
        for (int j = 0; j < row.Length; j++)
        {
            s += _logP[_offsets[j] + (int)row[j]];
        }

        return s;
    }
}
