using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Conjugate prior for MAP EM on a Gaussian mixture: a symmetric Dirichlet(α) on the weights and, per component, a
/// Normal–inverse-Wishart prior μₖ | Σₖ ~ 𝒩(μ₀, Σₖ/κ), Σₖ ~ IW(Λ, ν) (full); for diagonal covariances each variance
/// σₖⱼ² ~ InvGamma(ν/2, Λⱼⱼ/2) with μₖⱼ ~ 𝒩(μ₀ⱼ, σₖⱼ²/κ); for spherical σₖ² ~ InvGamma(νd/2, tr Λ/2); for tied one
/// shared Σ ~ IW(Λ, ν) and every mean 𝒩(μ₀, Σ/κ). The M-step stays closed form, e.g. for full covariance
/// Σₖ = (Λ + Sₖ + κNₖ/(κ+Nₖ)·(x̄ₖ − μ₀)(x̄ₖ − μ₀)ᵀ) / (ν + Nₖ + d + 2).
/// </summary>
/// <remarks>
/// Unset hyper-parameters follow Fraley and Raftery (2007) as mclust's <c>defaultPrior</c> sets them: μ₀ = the data
/// mean, κ = 0.01, ν = d + 2 and Λ = cov(data) / K^(2/d) (with the n − 1 sample covariance; its diagonal for diagonal
/// covariances, the mean of its diagonal for spherical ones). When the data lie in a lower-dimensional subspace, so that
/// this scale is singular, 10⁻⁶ of its mean variance is added to its diagonal (a scale must be positive definite for the
/// prior to keep every covariance positive definite). With a prior, <see cref="GaussianMixtureOptions.Regularization"/>
/// is not added: the prior already keeps every covariance positive definite, and the M-step stays the exact maximiser
/// of the log-posterior, so its trace never decreases.
/// </remarks>
public sealed record GaussianMixturePrior
{
    /// <summary>The default prior in the spirit of Fraley and Raftery (2007) / mclust (every hyper-parameter from the data).</summary>
    public static GaussianMixturePrior Default { get; } = new();

    /// <summary>Concentration α of the symmetric Dirichlet prior on the weights; 1 (the default) is flat. At least 1.</summary>
    public double WeightConcentration { get; init; } = 1.0;

    /// <summary>Mean shrinkage κ &gt; 0 (pseudo-observations at the prior mean). Default 0.01.</summary>
    public double MeanShrinkage { get; init; } = 0.01;

    /// <summary>Prior mean μ₀ (d values); <see langword="null"/> uses the data mean.</summary>
    public double[]? Mean { get; init; }

    /// <summary>Degrees of freedom ν; <see langword="null"/> uses d + 2. Must exceed d − 1 for full and tied covariances, 0 otherwise.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>Scale matrix Λ (d × d, symmetric positive definite); <see langword="null"/> uses cov(data)/K^(2/d).</summary>
    public double[,]? Scale { get; init; }

    internal void Validate(int dimension)
    {
        if (!(WeightConcentration >= 1) || !double.IsFinite(WeightConcentration))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightConcentration), WeightConcentration, "The Dirichlet concentration must be finite and at least 1.");
        }

        if (!(MeanShrinkage > 0) || !double.IsFinite(MeanShrinkage))
        {
            throw new ArgumentOutOfRangeException(nameof(MeanShrinkage), MeanShrinkage, "The mean shrinkage must be finite and positive.");
        }

        if (Mean is { } m)
        {
            if (m.Length != dimension)
            {
                throw new ArgumentException($"The prior mean has {m.Length} values but the data have {dimension} columns.", nameof(Mean));
            }

            DataValidation.CheckFinite(m, dimension, nameof(Mean));
        }

        if (DegreesOfFreedom is { } nu && (!(nu > 0) || !double.IsFinite(nu)))
        {
            throw new ArgumentOutOfRangeException(nameof(DegreesOfFreedom), nu, "The degrees of freedom must be finite and positive.");
        }

        if (Scale is { } s)
        {
            if (s.GetLength(0) != dimension || s.GetLength(1) != dimension)
            {
                throw new ArgumentException($"The scale is {s.GetLength(0)} × {s.GetLength(1)} but must be {dimension} × {dimension}.", nameof(Scale));
            }

            DataValidation.CheckFinite(s.AsSpan(), dimension, nameof(Scale));
            var l = s.AsSpan().ToArray();
            if (!Cholesky.TryFactor(l, dimension, out int pivot))
            {
                throw new ArgumentException($"The scale matrix is not positive definite (pivot {pivot} failed).", nameof(Scale));
            }
        }
    }

    /// <summary>The total weight, which the default scale (the data covariance, n − 1 denominator) needs above one.</summary>
    private static double CheckDefaultScaleWeight(double n, string weightsParameter)
    {
        if (!(n > 1))
        {
            // Weights are counts under a prior: a total of at most one observation has no sample covariance.
            throw new ArgumentException(
                $"The sample weights total {n:G4}; the default prior scale (the data covariance, n − 1 denominator) needs a total weight above 1. " +
                "Under a prior a row of weight w counts as w observations: give weights that count observations, or set Prior.Scale.", weightsParameter);
        }

        return n;
    }

    /// <summary>
    /// Adds 10⁻⁶ of the scale's mean variance (or of the data's mean square when every row is equal) to its diagonal
    /// (d × d when <paramref name="matrix"/>, else the d diagonal values).
    /// </summary>
    private static void LiftScale(double[] scale, int d, WeightedMoments dataMoments, ReadOnlySpan<double> shift, bool matrix)
    {
        double meanVariance = 0, meanSquare = 0;
        ReadOnlySpan<double> dataMean = dataMoments.MeanSpan;
        for (int j = 0; j < d; j++)
        {
            meanVariance += scale[matrix ? j * d + j : j] / d;
            meanSquare += (dataMean[j] - shift[j]) * (dataMean[j] - shift[j]) / d;
        }

        double floor = 1e-6 * (meanVariance > 0 ? meanVariance : Math.Max(meanSquare, 1.0));
        for (int j = 0; j < d; j++)
        {
            scale[matrix ? j * d + j : j] += floor;
        }
    }

    internal ResolvedPrior Resolve(CovarianceType type, int components, WeightedMoments dataMoments, ReadOnlySpan<double> shift, string weightsParameter = "sampleWeights")
    {
        int d = dataMoments.Dimension;
        double nu = DegreesOfFreedom ?? d + 2;
        CovarianceForm form = CovarianceForm.For(type);
        if (form.IsMatrix && !(nu > d - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DegreesOfFreedom), nu, $"An inverse-Wishart prior in dimension {d} needs more than {d - 1} degrees of freedom.");
        }

        // The matrix forms use the d × d scale; diagonal and spherical only its diagonal, so they never form d².
        bool matrix = form.IsMatrix;
        var scale = new double[matrix ? d * d : d];
        if (Scale is { } s)
        {
            for (int i = 0; i < scale.Length; i++)
            {
                scale[i] = matrix ? s.AsSpan()[i] : s[i, i];
            }
        }
        else if (!matrix)
        {
            double n = CheckDefaultScaleWeight(dataMoments.Weight, weightsParameter);
            double factor = Math.Pow(components, -2.0 / d) / Math.Max(n - 1, 1);
            bool positive = true;
            for (int j = 0; j < d; j++)
            {
                scale[j] = dataMoments.DiagonalScatter(j) * factor;
                positive &= scale[j] > 0;
            }

            // A diagonal scale needs only positive variances (a constant column lacks one): lift as below only then.
            if (!positive)
            {
                LiftScale(scale, d, dataMoments, shift, matrix: false);
            }
        }
        else
        {
            // mclust: var(data) (n − 1 denominator) times (1/G)^(2/d).
            double n = CheckDefaultScaleWeight(dataMoments.Weight, weightsParameter);
            double factor = Math.Pow(components, -2.0 / d) / Math.Max(n - 1, 1);
            ReadOnlySpan<double> scatter = dataMoments.ScatterSpan;
            for (int i = 0; i < d * d; i++)
            {
                scale[i] = scatter[i] * factor;
            }

            // Data in a lower-dimensional subspace (e.g. copies of two points) give a rank-deficient covariance, and a
            // prior with a singular scale cannot keep the covariances positive definite — the remedy the singular-fit
            // error names must work. Only then lift the scale by 1e-6 of its mean variance (or of the data's squared
            // magnitude when every row is equal); full-rank data keep exactly the mclust scale.
            if (!Cholesky.TryFactor(scale.AsSpan().ToArray(), d, out _))
            {
                LiftScale(scale, d, dataMoments, shift, matrix: true);
            }
        }

        var mean = new double[d];
        ReadOnlySpan<double> m0 = Mean ?? dataMoments.MeanSpan;
        for (int j = 0; j < d; j++)
        {
            mean[j] = m0[j] - shift[j];
        }

        return new ResolvedPrior(form, components, d, WeightConcentration, MeanShrinkage, nu, mean, scale);
    }
}
