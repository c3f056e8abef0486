using LatentModels.Distributions;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// Mixture components that are products of independent categorical distributions: each row holds d category codes,
/// column j in [0, Cⱼ). The E-step sums table look-ups over fixed row blocks; the M-step accumulates each component's
/// responsibility-weighted category counts (one component per task, rows in order, so any thread count gives the same bits).
/// </summary>
/// <remarks>
/// With pseudo-count α the M-step is pₖⱼ[c] = (Σᵢ rᵢₖ [xᵢⱼ = c] + α) / (Nₖ + Cⱼα): the MAP estimate under a symmetric
/// Dirichlet(α + 1) prior on each variable, which keeps every probability positive.
/// </remarks>
public sealed class IndependentCategoricalFamily : IMixtureFamily<IndependentCategorical>
{
    private const int BlockSize = 256;
    private readonly int[] _counts;
    private readonly int[] _offsets;

    /// <summary>Creates the family for rows of d categorical variables with the given numbers of categories.</summary>
    /// <param name="categoryCounts">d ≥ 1 values Cⱼ ≥ 1 (copied).</param>
    /// <exception cref="ArgumentException">There are no counts or one is below 1.</exception>
    public IndependentCategoricalFamily(int[] categoryCounts)
    {
        ArgumentNullException.ThrowIfNull(categoryCounts);
        if (categoryCounts.Length == 0)
        {
            throw new ArgumentException("There are no category counts; the dimension must be at least 1.", nameof(categoryCounts));
        }

        IndependentCategorical.CheckCategoryCounts(categoryCounts, categoryCounts.Length, nameof(categoryCounts));
        _counts = (int[])categoryCounts.Clone();
        _offsets = IndependentCategorical.OffsetsOf(_counts);
        CategoryCounts = Array.AsReadOnly(_counts);
    }

    /// <summary>The family whose category counts are Cⱼ = (largest code in column j) + 1 of <paramref name="data"/>.</summary>
    /// <param name="data">n × d non-negative integer codes.</param>
    /// <exception cref="ArgumentException">A code is not a non-negative integer (the message names row and column).</exception>
    public static IndependentCategoricalFamily FromData(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return new IndependentCategoricalFamily(IndependentCategorical.InferCategoryCounts(data, nameof(data)));
    }

    /// <summary>The number of categories of each variable.</summary>
    public IReadOnlyList<int> CategoryCounts { get; }

    /// <inheritdoc />
    public string Name => "independent categorical";

    /// <inheritdoc />
    public bool SupportsPseudoCounts => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The number of columns differs from the number of variables, or a code is
    /// not an integer in [0, Cⱼ) (the message names row and column).</exception>
    public void CheckData(double[,] data, string paramName)
    {
        DataValidation.CheckMatrix(data, paramName);
        DataValidation.CheckDimension(data, _counts.Length, paramName);
        IndependentCategorical.CheckCodes(data.AsSpan(), _counts, paramName);
    }

    /// <inheritdoc />
    public void CheckComponents(IReadOnlyList<IndependentCategorical> components, string paramName)
    {
        MixtureFamilies.CheckSameDimension(components, c => c.Dimension, paramName);
        for (int c = 0; c < components.Count; c++)
        {
            if (!components[c].CategoryCounts.SequenceEqual(_counts))
            {
                throw new ArgumentException(
                    $"Component {c} has category counts [{string.Join(", ", components[c].CategoryCounts)}] but the family has [{string.Join(", ", _counts)}].", paramName);
            }
        }
    }

    /// <inheritdoc />
    public int Dimension(IndependentCategorical component) => component.Dimension;

    /// <inheritdoc />
    public int FreeParameters(IndependentCategorical component) => component.FreeParameters;

    /// <inheritdoc />
    public void LogDensities(IReadOnlyList<IndependentCategorical> components, double[,] data, double[] destination, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1), k = components.Count;
        ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (_, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            Span<int> index = d <= 512 ? stackalloc int[d] : new int[d];
            for (int i = start; i < end; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    index[j] = _offsets[j] + (int)x[i * d + j];
                }

                for (int c = 0; c < k; c++)
                {
                    ReadOnlySpan<double> logP = components[c].FlatLogProbabilities;
                    double s = 0;
                    foreach (int q in index)
                    {
                        s += logP[q];
                    }

                    destination[i * k + c] = s;
                }
            }
        });
    }

    /// <inheritdoc />
    public IndependentCategorical[] Estimate(double[,] data, double[] responsibilities, double[] componentWeights, double pseudoCount, int maxDegreeOfParallelism)
    {
        int k = componentWeights.Length;
        for (int c = 0; c < k; c++)
        {
            MixtureFamilies.CheckWeight(componentWeights[c], pseudoCount, c);
        }

        return FromCounts(WeightedCounts(data, responsibilities, k, maxDegreeOfParallelism), _counts, componentWeights, pseudoCount, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The responsibility-weighted count of every category of every variable, per component: K × ΣⱼCⱼ (row-major,
    /// variables in order). One component per task, rows in order, so any thread count gives the same bits.
    /// </summary>
    internal double[] WeightedCounts(double[,] data, double[] responsibilities, int k, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1), width = _offsets[^1];
        var counts = new double[k * width];
        ParallelBlocks.For(k, 1, maxDegreeOfParallelism, (c, _, _) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            Span<double> sums = counts.AsSpan(c * width, width);
            for (int i = 0; i < n; i++)
            {
                double r = responsibilities[i * k + c];
                if (r == 0)
                {
                    continue;
                }

                for (int j = 0; j < d; j++)
                {
                    sums[_offsets[j] + (int)x[i * d + j]] += r;
                }
            }
        });
        return counts;
    }

    /// <summary>The M-step from counts (K × ΣⱼCⱼ): pₖⱼ[q] = (countₖⱼ[q] + α) / (Nₖ + Cⱼα); the weights were checked by the caller.</summary>
    internal static IndependentCategorical[] FromCounts(double[] counts, int[] categoryCounts, double[] componentWeights, double pseudoCount, int maxDegreeOfParallelism)
    {
        int k = componentWeights.Length, width = counts.Length / k;
        var result = new IndependentCategorical[k];
        ParallelBlocks.For(k, 1, maxDegreeOfParallelism, (c, _, _) =>
            result[c] = new IndependentCategorical(IndependentCategorical.Split(counts.AsSpan(c * width, width), categoryCounts, componentWeights[c], pseudoCount)));
        return result;
    }

    /// <inheritdoc />
    public double LogPrior(IndependentCategorical component, double pseudoCount)
    {
        if (pseudoCount == 0)
        {
            return 0;
        }

        double s = 0;
        foreach (double v in component.FlatLogProbabilities)
        {
            s += v;
        }

        return pseudoCount * s;
    }

    /// <inheritdoc />
    public void Sample(IndependentCategorical component, Random random, Span<double> destination) =>
        component.SampleInto(random, destination);
}
