using LatentModels.Distributions;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// Mixture components that are products of independent Bernoulli distributions over binary vectors (0/1 values).
/// Both EM steps are one GEMM each: the E-step uses log p(x | k) = x·(log pₖ − log(1 − pₖ)) + Σⱼ log(1 − pₖⱼ), an
/// n × d by d × K product; the M-step's sufficient statistics Rᵀ X are a K × n by n × d product.
/// </summary>
/// <remarks>
/// With pseudo-count α the M-step is pₖⱼ = (Σᵢ rᵢₖ xᵢⱼ + α) / (Nₖ + 2α): the MAP estimate under a Beta(α + 1, α + 1)
/// prior, which keeps every probability strictly inside (0, 1).
/// </remarks>
public sealed class IndependentBernoulliFamily : IMixtureFamily<IndependentBernoulli>
{
    /// <summary>The family (it has no settings).</summary>
    public static IndependentBernoulliFamily Instance { get; } = new();

    private IndependentBernoulliFamily()
    {
    }

    /// <inheritdoc />
    public string Name => "independent Bernoulli";

    /// <inheritdoc />
    public bool SupportsPseudoCounts => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A value is not exactly 0 or 1 (the message names row and column).</exception>
    public void CheckData(double[,] data, string paramName)
    {
        DataValidation.CheckMatrix(data, paramName);
        ReadOnlySpan<double> x = data.AsSpan();
        int d = data.GetLength(1);
        for (int index = 0; index < x.Length; index++)
        {
            DistributionChecks.CheckBinary(x[index], index / d, index % d, paramName);
        }
    }

    /// <inheritdoc />
    public void CheckComponents(IReadOnlyList<IndependentBernoulli> components, string paramName) =>
        MixtureFamilies.CheckSameDimension(components, c => c.Dimension, paramName);

    /// <inheritdoc />
    public int Dimension(IndependentBernoulli component) => component.Dimension;

    /// <inheritdoc />
    public int FreeParameters(IndependentBernoulli component) => component.Dimension;

    /// <inheritdoc />
    public void LogDensities(IReadOnlyList<IndependentBernoulli> components, double[,] data, double[] destination, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1), k = components.Count;
        bool interior = components.All(c => !c.ProbabilitySpan.ContainsAny(0.0, 1.0));
        if (!interior)
        {
            // A probability of exactly 0 or 1 makes a log-odds infinite (and 0·∞ undefined): sum term by term instead.
            ParallelBlocks.For(n, 256, maxDegreeOfParallelism, (_, start, end) =>
            {
                ReadOnlySpan<double> x = data.AsSpan();
                for (int i = start; i < end; i++)
                {
                    ReadOnlySpan<double> row = x.Slice(i * d, d);
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<double> logP = components[c].LogProbabilities, log1mP = components[c].LogComplementProbabilities;
                        double s = 0;
                        for (int j = 0; j < d; j++)
                        {
                            s += row[j] == 1 ? logP[j] : log1mP[j];
                        }

                        destination[i * k + c] = s;
                    }
                }
            });
            return;
        }

        var logOdds = new double[d * k]; // d × K
        var offsets = new double[k];
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> logP = components[c].LogProbabilities, log1mP = components[c].LogComplementProbabilities;
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                logOdds[j * k + c] = logP[j] - log1mP[j];
                s += log1mP[j];
            }

            offsets[c] = s;
        }

        Gemm.Multiply(MatrixOp.None, MatrixOp.None, n, k, d, 1.0, data.AsSpan(), d, logOdds, k, 0.0, destination, k, maxDegreeOfParallelism);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                destination[i * k + c] += offsets[c];
            }
        }
    }

    /// <inheritdoc />
    public IndependentBernoulli[] Estimate(double[,] data, double[] responsibilities, double[] componentWeights, double pseudoCount, int maxDegreeOfParallelism) =>
        FromCounts(WeightedOnes(data, responsibilities, componentWeights.Length, maxDegreeOfParallelism), componentWeights, data.GetLength(1), pseudoCount);

    /// <summary>Rᵀ X (K × d, row-major): the responsibility-weighted count of ones per component and column, one GEMM.</summary>
    internal static double[] WeightedOnes(double[,] data, double[] responsibilities, int k, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var ones = new double[k * d];
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, d, n, 1.0, responsibilities, k, data.AsSpan(), d, 0.0, ones, d, maxDegreeOfParallelism);
        return ones;
    }

    /// <summary>
    /// The M-step from counts: pₖⱼ = (onesₖⱼ + α) / (Nₖ + 2α) with <paramref name="ones"/> read with stride
    /// <paramref name="stride"/> per component and step <paramref name="step"/> per column (from <paramref name="offset"/>).
    /// </summary>
    internal static IndependentBernoulli[] FromCounts(ReadOnlySpan<double> ones, double[] componentWeights, int d, double pseudoCount, int stride = -1, int step = 1, int offset = 0)
    {
        int k = componentWeights.Length;
        stride = stride < 0 ? d : stride;
        var result = new IndependentBernoulli[k];
        for (int c = 0; c < k; c++)
        {
            MixtureFamilies.CheckWeight(componentWeights[c], pseudoCount, c);
            double denominator = componentWeights[c] + 2 * pseudoCount;
            var p = new double[d];
            for (int j = 0; j < d; j++)
            {
                p[j] = Math.Clamp((ones[c * stride + j * step + offset] + pseudoCount) / denominator, 0.0, 1.0);
            }

            result[c] = new IndependentBernoulli(p);
        }

        return result;
    }

    /// <inheritdoc />
    public double LogPrior(IndependentBernoulli component, double pseudoCount)
    {
        if (pseudoCount == 0)
        {
            return 0;
        }

        double s = 0;
        ReadOnlySpan<double> logP = component.LogProbabilities, log1mP = component.LogComplementProbabilities;
        for (int j = 0; j < logP.Length; j++)
        {
            s += logP[j] + log1mP[j];
        }

        return pseudoCount * s;
    }

    /// <inheritdoc />
    public void Sample(IndependentBernoulli component, Random random, Span<double> destination)
    {
        ReadOnlySpan<double> p = component.ProbabilitySpan;
        for (int j = 0; j < p.Length; j++)
        {
            destination[j] = random.NextDouble() < p[j] ? 1.0 : 0.0;
        }
    }
}
