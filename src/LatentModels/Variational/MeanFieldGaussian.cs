using LatentModels.Distributions;
using LatentModels.LinearAlgebra;

namespace LatentModels.Variational;

/// <summary>
/// The mean-field toolkit's first worked example (Bishop, PRML §10.1.2): a correlated Gaussian p(z) = 𝒩(z | μ, Λ⁻¹)
/// approximated by a fully factorised q(z) = Πᵢ q(zᵢ), under either direction of the Kullback–Leibler divergence.
/// </summary>
/// <remarks>
/// <para>
/// <b>KL(q‖p), the variational direction</b> (<see cref="MinimizeReverseKl"/>). The optimal factor is
/// ln q*(zᵢ) = E_{j≠i}[ln p(z)] + const (eq. 10.9), which for a Gaussian target is q*(zᵢ) = 𝒩(zᵢ | mᵢ, Λᵢᵢ⁻¹) with
/// mᵢ = μᵢ − Λᵢᵢ⁻¹ Σ_{j≠i} Λᵢⱼ (mⱼ − μⱼ) (eqs. 10.11–10.14). The variances are fixed at 1/Λᵢᵢ, the conditional
/// variances, which are never larger than the marginal variances Σᵢᵢ: q is too compact. The means are updated one
/// after another (coordinate ascent on the ELBO, i.e. Gauss–Seidel on Λ(m − μ) = 0); each update minimises KL(q‖p)
/// exactly in its coordinate, so the closed-form divergence
/// KL(q‖p) = ½[Σᵢ Λᵢᵢ sᵢ + (m − μ)ᵀΛ(m − μ) − d − Σᵢ ln sᵢ − ln|Λ|] never increases, and the means converge to μ.
/// </para>
/// <para>
/// <b>KL(p‖q), the expectation-propagation direction</b> (<see cref="MatchMoments"/>). Minimising over factorised q
/// gives each factor the corresponding marginal of p (eq. 10.17): means μᵢ and variances Σᵢᵢ = (Λ⁻¹)ᵢᵢ. Σᵢᵢ is
/// ‖L⁻¹eᵢ‖² for Λ = LLᵀ, one forward substitution per coordinate; no inverse is formed. This q is too broad: it puts
/// mass where p has little (Bishop Fig. 10.2).
/// </para>
/// <para>
/// <b>MAP and maximum likelihood as the delta-function limit.</b> Variational inference maximises the evidence lower
/// bound ℒ(q) = E_q[ln p(x, θ)] + H[q] over a family of distributions q(θ). If the family is shrunk to point masses
/// q(θ) = δ(θ − θ*), the expectation becomes the log joint at one point, ℒ = ln p(x, θ*) + H[δ], and the entropy of a
/// delta is a constant (−∞ for a density, the same for every θ*), so maximising ℒ over θ* is exactly MAP estimation,
/// and with a flat prior maximum likelihood. EM is the intermediate case: the latent variables keep their exact
/// posterior (the E-step) while the parameters are point masses (the M-step). The variational Bayesian mixtures keep a
/// full distribution over the parameters too, and their posterior means approach the MAP-EM fit as the data grow
/// (Bishop §10.2.5; Goodfellow et al., <i>Deep Learning</i> §19.4).
/// </para>
/// <para>
/// The target is validated once: μ finite, Λ square, finite, symmetric to the relative tolerance
/// <see cref="MultivariateGaussian.SymmetryTolerance"/> (then symmetrised exactly) and positive definite (the message
/// names the failing Cholesky pivot). The caller's arrays are never modified.
/// </para>
/// </remarks>
public static class MeanFieldGaussian
{
    /// <summary>
    /// Minimises KL(q‖p) over fully factorised Gaussians q by coordinate ascent (Bishop eqs. 10.11–10.14), starting from
    /// the factor means <paramref name="initialMeans"/> (or zero).
    /// </summary>
    /// <param name="mean">μ, the target's mean (d ≥ 1 finite values).</param>
    /// <param name="precision">Λ, the target's d × d symmetric positive-definite precision matrix.</param>
    /// <param name="initialMeans">The starting factor means (d finite values); null starts at the origin.</param>
    /// <param name="maxIterations">The most sweeps to perform (≥ 0).</param>
    /// <param name="tolerance">Stop when no factor mean moved by more than this, relative to the scale
    /// maxᵢ max(|μᵢ|, Λᵢᵢ^−½) of the problem (finite, ≥ 0; 0 runs until a sweep changes nothing).</param>
    /// <returns>The approximation (means → μ, variances 1/Λᵢᵢ), the KL(q‖p) trace and convergence.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mean"/> or <paramref name="precision"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or the start is invalid (the message names the entry).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxIterations"/> or <paramref name="tolerance"/> is
    /// out of range.</exception>
    public static MeanFieldGaussianFit MinimizeReverseKl(double[] mean, double[,] precision, double[]? initialMeans = null,
        int maxIterations = 10_000, double tolerance = 1e-13)
    {
        var target = new GaussianTarget(mean, precision);
        int d = target.Dimension;
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and non-negative.");
        }

        // Work with the offsets δ = m − μ: the update is δᵢ ← −Λᵢᵢ⁻¹ Σ_{j≠i} Λᵢⱼ δⱼ.
        var delta = new double[d];
        if (initialMeans is not null)
        {
            if (initialMeans.Length != d)
            {
                throw new ArgumentException($"There are {initialMeans.Length} initial means for dimension {d}.", nameof(initialMeans));
            }

            for (int i = 0; i < d; i++)
            {
                if (!double.IsFinite(initialMeans[i]))
                {
                    throw new ArgumentException($"initialMeans[{i}] is {initialMeans[i]}; every value must be finite.", nameof(initialMeans));
                }

                delta[i] = initialMeans[i] - target.Mean[i];
            }
        }
        else
        {
            for (int i = 0; i < d; i++)
            {
                delta[i] = -target.Mean[i];
            }
        }

        double[] lambda = target.Precision;
        double scale = 0;
        for (int i = 0; i < d; i++)
        {
            scale = Math.Max(scale, Math.Max(Math.Abs(target.Mean[i]), 1 / Math.Sqrt(lambda[(i * d) + i])));
        }

        // At s = 1/Λᵢᵢ the trace term equals d, so KL(q‖p) = ½ δᵀΛδ + ½(Σᵢ ln Λᵢᵢ − ln|Λ|); the constant is ≥ 0
        // (Hadamard's inequality) and is the divergence at convergence.
        double constant = 0;
        for (int i = 0; i < d; i++)
        {
            constant += Math.Log(lambda[(i * d) + i]);
        }

        constant = 0.5 * (constant - target.LogDeterminant);
        var trace = new List<double>(Math.Min(maxIterations, 1024) + 1) { constant + (0.5 * target.Quadratic(delta)) };
        int iterations = 0;
        bool converged = false;
        while (iterations < maxIterations)
        {
            double largestStep = 0;
            for (int i = 0; i < d; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    if (j != i)
                    {
                        s += lambda[(i * d) + j] * delta[j];
                    }
                }

                double updated = -s / lambda[(i * d) + i];
                largestStep = Math.Max(largestStep, Math.Abs(updated - delta[i]));
                delta[i] = updated;
            }

            iterations++;
            trace.Add(constant + (0.5 * target.Quadratic(delta)));
            if (largestStep <= tolerance * scale)
            {
                converged = true;
                break;
            }
        }

        var means = new double[d];
        var variances = new double[d];
        for (int i = 0; i < d; i++)
        {
            means[i] = target.Mean[i] + delta[i];
            variances[i] = 1 / lambda[(i * d) + i];
        }

        return new MeanFieldGaussianFit(new FactorizedGaussian(means, variances), [.. trace], iterations, converged);
    }

    /// <summary>
    /// Minimises KL(p‖q) over fully factorised Gaussians q: the factors are the marginals of p, with means μᵢ and
    /// variances Σᵢᵢ = (Λ⁻¹)ᵢᵢ (Bishop eq. 10.17, Fig. 10.2b), computed by solves with the Cholesky factor of Λ.
    /// </summary>
    /// <param name="mean">μ, the target's mean (d ≥ 1 finite values).</param>
    /// <param name="precision">Λ, the target's d × d symmetric positive-definite precision matrix.</param>
    /// <returns>The moment-matched factorised Gaussian.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The target is invalid (the message names the entry or pivot).</exception>
    public static FactorizedGaussian MatchMoments(double[] mean, double[,] precision)
    {
        var target = new GaussianTarget(mean, precision);
        return new FactorizedGaussian((double[])target.Mean.Clone(), target.MarginalVariances());
    }

    /// <summary>
    /// KL(q‖p) = ½[Σᵢ Λᵢᵢ sᵢ + (m − μ)ᵀΛ(m − μ) − d − Σᵢ ln sᵢ − ln|Λ|] in nats, in closed form.
    /// </summary>
    /// <param name="mean">μ, the target's mean.</param>
    /// <param name="precision">Λ, the target's symmetric positive-definite precision matrix.</param>
    /// <param name="q">The factorised approximation (dimension d).</param>
    /// <returns>The divergence (≥ 0).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The target is invalid or <paramref name="q"/> has another dimension.</exception>
    public static double ReverseKl(double[] mean, double[,] precision, FactorizedGaussian q)
    {
        var target = new GaussianTarget(mean, precision);
        double[] delta = Offsets(target, q);
        int d = target.Dimension;
        double s = target.Quadratic(delta) - d - target.LogDeterminant;
        for (int i = 0; i < d; i++)
        {
            s += (target.Precision[(i * d) + i] * q.Variances[i]) - Math.Log(q.Variances[i]);
        }

        return 0.5 * s;
    }

    /// <summary>
    /// KL(p‖q) = ½[Σᵢ (Σᵢᵢ + (mᵢ − μᵢ)²)/sᵢ − d + Σᵢ ln sᵢ + ln|Λ|] in nats, in closed form (Σᵢᵢ by Cholesky solves).
    /// </summary>
    /// <param name="mean">μ, the target's mean.</param>
    /// <param name="precision">Λ, the target's symmetric positive-definite precision matrix.</param>
    /// <param name="q">The factorised approximation (dimension d).</param>
    /// <returns>The divergence (≥ 0).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The target is invalid or <paramref name="q"/> has another dimension.</exception>
    public static double ForwardKl(double[] mean, double[,] precision, FactorizedGaussian q)
    {
        var target = new GaussianTarget(mean, precision);
        double[] delta = Offsets(target, q);
        double[] marginal = target.MarginalVariances();
        int d = target.Dimension;
        double s = target.LogDeterminant - d;
        for (int i = 0; i < d; i++)
        {
            double v = q.Variances[i];
            s += ((marginal[i] + (delta[i] * delta[i])) / v) + Math.Log(v);
        }

        return 0.5 * s;
    }

    private static double[] Offsets(GaussianTarget target, FactorizedGaussian q)
    {
        ArgumentNullException.ThrowIfNull(q);
        if (q.Dimension != target.Dimension)
        {
            throw new ArgumentException($"The approximation has dimension {q.Dimension} but the target has {target.Dimension}.", nameof(q));
        }

        var delta = new double[target.Dimension];
        for (int i = 0; i < delta.Length; i++)
        {
            delta[i] = q.Means[i] - target.Mean[i];
        }

        return delta;
    }

    /// <summary>A validated copy of 𝒩(μ, Λ⁻¹) with the Cholesky factor of Λ.</summary>
    private sealed class GaussianTarget
    {
        public GaussianTarget(double[] mean, double[,] precision)
        {
            ArgumentNullException.ThrowIfNull(mean);
            ArgumentNullException.ThrowIfNull(precision);
            int d = mean.Length;
            if (d == 0)
            {
                throw new ArgumentException("The mean has no entries; the dimension must be at least 1.", nameof(mean));
            }

            for (int i = 0; i < d; i++)
            {
                if (!double.IsFinite(mean[i]))
                {
                    throw new ArgumentException($"mean[{i}] is {mean[i]}; every entry must be finite.", nameof(mean));
                }
            }

            if (precision.GetLength(0) != d || precision.GetLength(1) != d)
            {
                throw new ArgumentException(
                    $"The precision is {precision.GetLength(0)} × {precision.GetLength(1)} but the mean has {d} entries; it must be {d} × {d}.",
                    nameof(precision));
            }

            DataValidation.CheckFinite(precision.AsSpan(), d, nameof(precision));
            var lambda = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double a = precision[i, j], b = precision[j, i];
                    double scale = Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), Math.Sqrt(Math.Abs(precision[i, i] * precision[j, j])));
                    if (Math.Abs(a - b) > MultivariateGaussian.SymmetryTolerance * scale)
                    {
                        throw new ArgumentException($"The precision is not symmetric: entry [{i}, {j}] is {a} but [{j}, {i}] is {b}.", nameof(precision));
                    }

                    lambda[(i * d) + j] = lambda[(j * d) + i] = i == j ? a : 0.5 * (a + b);
                }
            }

            var factor = (double[])lambda.Clone();
            if (!Cholesky.TryFactor(factor, d, out int pivot))
            {
                throw new ArgumentException(
                    $"The precision is not positive definite: the Cholesky factorisation fails at pivot {pivot} " +
                    $"(the leading {pivot + 1} × {pivot + 1} block is not positive definite).", nameof(precision));
            }

            Dimension = d;
            Mean = (double[])mean.Clone();
            Precision = lambda;
            Factor = factor;
            LogDeterminant = Cholesky.LogDeterminant(factor, d);
        }

        public int Dimension { get; }

        public double[] Mean { get; }

        /// <summary>Λ, d × d row-major, exactly symmetric.</summary>
        public double[] Precision { get; }

        /// <summary>L with Λ = LLᵀ.</summary>
        public double[] Factor { get; }

        /// <summary>ln|Λ|.</summary>
        public double LogDeterminant { get; }

        /// <summary>δᵀΛδ.</summary>
        public double Quadratic(ReadOnlySpan<double> delta)
        {
            int d = Dimension;
            double s = 0;
            for (int i = 0; i < d; i++)
            {
                double row = 0;
                for (int j = 0; j < d; j++)
                {
                    row += Precision[(i * d) + j] * delta[j];
                }

                s += delta[i] * row;
            }

            return s;
        }

        /// <summary>Σᵢᵢ = (Λ⁻¹)ᵢᵢ = ‖L⁻¹eᵢ‖², one forward substitution per coordinate.</summary>
        public double[] MarginalVariances()
        {
            int d = Dimension;
            var result = new double[d];
            var y = new double[d];
            for (int i = 0; i < d; i++)
            {
                Array.Clear(y);
                y[i] = 1;
                Cholesky.SolveLower(Factor, d, y);
                double s = 0;
                for (int j = i; j < d; j++)
                {
                    s += y[j] * y[j]; // L⁻¹eᵢ is zero above row i
                }

                result[i] = s;
            }

            return result;
        }
    }
}
