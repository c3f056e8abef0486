using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Mixtures.UpdateRules;
using MathNet.Numerics;

namespace LatentModels.Variational;

/// <summary>
/// The variational (mean-field) update of the Gaussian mixture, Bishop §10.2 with the peer's (scikit-learn's
/// <c>BayesianGaussianMixture</c>) conventions: from the spine's <see cref="MixtureStatistics"/> it sets the posterior
/// hyper-parameters (Dirichlet αₖ or stick-breaking (aₖ, bₖ); Normal–Wishart βₖ, mₖ, Wₖ, νₖ), and writes into the
/// fields the fused E-step kernel reads E[ln πₖ], the precision factor of νₖWₖ, −(d/2)ln 2π + ½E[ln|Λₖ|] − d/(2βₖ) and
/// the whitened mₖ, so the same E-step yields the variational responsibilities. All quantities are in the coordinates
/// centred on the parameters' shift.
/// </summary>
internal sealed class VariationalGaussianUpdate : IVariationalGaussianUpdate
{
    private const double Log2Pi = 1.8378770664093454835606594728112;
    private const double Ln2 = 0.69314718055994530941723212145818;
    private readonly int _k, _d;
    private readonly double _priorConstant;

    public VariationalGaussianUpdate(VariationalShape shape, int components, int dimension, WeightPrior weightPrior, double concentration,
        double meanPrecision, double[] centeredMeanPrior, double degreesOfFreedom, double[] covariancePrior, double regularization)
    {
        Shape = shape;
        _k = components;
        _d = dimension;
        WeightPrior = weightPrior;
        Concentration = concentration;
        MeanPrecisionPrior = meanPrecision;
        CenteredMeanPrior = centeredMeanPrior;
        DegreesOfFreedomPrior = degreesOfFreedom;
        CovariancePrior = covariancePrior;
        Regularization = regularization;
        WeightsA = new double[components];
        WeightsB = new double[components];
        MeanPrecision = new double[components];
        DegreesOfFreedom = new double[components];
        LogDetCholW = new double[components];
        int d = dimension, k = components;
        double logWeightPrior = weightPrior == WeightPrior.DirichletProcess
            ? -k * SpecialFunctions.BetaLn(1, concentration)
            : SpecialFunctions.GammaLn(k * concentration) - k * SpecialFunctions.GammaLn(concentration);
        double logW0 = shape.LogDetW0(covariancePrior, d);
        _priorConstant = logWeightPrior + k * PeerLogWishartNorm(degreesOfFreedom, 0.5 * logW0, d) + 0.5 * k * d * Math.Log(meanPrecision);
    }

    public VariationalShape Shape { get; }

    public WeightPrior WeightPrior { get; }

    /// <summary>α₀ (Dirichlet) or γ (process).</summary>
    public double Concentration { get; }

    /// <summary>β₀.</summary>
    public double MeanPrecisionPrior { get; }

    /// <summary>m₀ − shift.</summary>
    public double[] CenteredMeanPrior { get; }

    /// <summary>ν₀.</summary>
    public double DegreesOfFreedomPrior { get; }

    /// <summary>W₀⁻¹ in the shape's layout.</summary>
    public double[] CovariancePrior { get; }

    public double Regularization { get; }

    /// <summary>αₖ (Dirichlet) or the first Beta parameters aₖ of the sticks.</summary>
    public double[] WeightsA { get; }

    /// <summary>The second Beta parameters bₖ of the sticks (unused for the Dirichlet distribution).</summary>
    public double[] WeightsB { get; }

    /// <summary>βₖ.</summary>
    public double[] MeanPrecision { get; }

    /// <summary>νₖ (the same for every component when tied).</summary>
    public double[] DegreesOfFreedom { get; }

    /// <summary>½ ln|Wₖ| after the last refresh.</summary>
    public double[] LogDetCholW { get; }

    public string ObjectiveName => "elbo";

    public double Apply(GaussianComponents p, MixtureStatistics statistics)
    {
        int k = _k, d = _d;
        MixtureStatistics s = statistics;
        double n = 0;
        for (int c = 0; c < k; c++)
        {
            n += s.Weight[c];
        }

        if (WeightPrior == WeightPrior.DirichletProcess)
        {
            double tail = 0;
            for (int c = k - 1; c >= 0; c--)
            {
                WeightsA[c] = 1.0 + s.Weight[c];
                WeightsB[c] = Concentration + tail;
                tail += s.Weight[c];
            }
        }
        else
        {
            for (int c = 0; c < k; c++)
            {
                WeightsA[c] = Concentration + s.Weight[c];
            }
        }

        PosteriorMeanWeights(WeightPrior, WeightsA, WeightsB, p.Weights);
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            double beta = MeanPrecisionPrior + nk;
            MeanPrecision[c] = beta;
            DegreesOfFreedom[c] = Shape.Shared ? DegreesOfFreedomPrior + n / k : DegreesOfFreedomPrior + nk;
            for (int j = 0; j < d; j++)
            {
                double mean = nk > 0 ? nk * s.Mean[c * d + j] : 0;
                p.Means[c * d + j] = (MeanPrecisionPrior * CenteredMeanPrior[j] + mean) / beta + p.Shift[j];
            }
        }

        Shape.Scale(this, p, s);
        return n;
    }

    /// <summary>
    /// Sets the posterior to a fitted model's (a warm start): the weights' and components' hyper-parameters into this rule,
    /// the posterior means, the scales (νₖWₖ)⁻¹ and the posterior-mean weights into <paramref name="p"/>. The caller then
    /// refreshes the expectations (<see cref="TryRefresh"/>). The model must match the rule's K, d, form and weight prior.
    /// </summary>
    public void SetPosterior(VariationalGaussianMixtureModel model, GaussianComponents p)
    {
        model.CopyPosterior(WeightsA, WeightsB, MeanPrecision, DegreesOfFreedom, p.Means, p.Covariance);
        PosteriorMeanWeights(WeightPrior, WeightsA, WeightsB, p.Weights);
    }

    /// <summary>The posterior-mean weights: αₖ/Σα, or E[vₖ]Πⱼ₍ⱼ₍ₖ₎(1 − E[vⱼ]) normalised (the peer's <c>weights_</c>).</summary>
    public static void PosteriorMeanWeights(WeightPrior prior, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> weights)
    {
        int k = a.Length;
        if (prior == WeightPrior.DirichletProcess)
        {
            double remaining = 1, total = 0;
            for (int c = 0; c < k; c++)
            {
                double sum = a[c] + b[c];
                weights[c] = a[c] / sum * remaining;
                remaining *= b[c] / sum;
                total += weights[c];
            }

            for (int c = 0; c < k; c++)
            {
                weights[c] /= total;
            }
        }
        else
        {
            double total = 0;
            for (int c = 0; c < k; c++)
            {
                total += a[c];
            }

            for (int c = 0; c < k; c++)
            {
                weights[c] = a[c] / total;
            }
        }
    }

    /// <summary>E[ln πₖ] under the weights' posterior (the peer's <c>_estimate_log_weights</c>).</summary>
    public static void ExpectedLogWeights(WeightPrior prior, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> destination)
    {
        int k = a.Length;
        if (prior == WeightPrior.DirichletProcess)
        {
            double cumulative = 0;
            for (int c = 0; c < k; c++)
            {
                double digammaSum = SpecialFunctions.DiGamma(a[c] + b[c]);
                destination[c] = SpecialFunctions.DiGamma(a[c]) - digammaSum + cumulative;
                cumulative += SpecialFunctions.DiGamma(b[c]) - digammaSum;
            }
        }
        else
        {
            double total = 0;
            for (int c = 0; c < k; c++)
            {
                total += a[c];
            }

            double digammaTotal = SpecialFunctions.DiGamma(total);
            for (int c = 0; c < k; c++)
            {
                destination[c] = SpecialFunctions.DiGamma(a[c]) - digammaTotal;
            }
        }
    }

    /// <summary>Σᵢ₌₀^{d−1} ψ((ν − i)/2) + d ln 2: E[ln|Λ|] − ln|W| of a Wishart.</summary>
    public static double ExpectedLogDetOffset(double nu, int d)
    {
        double s = d * Ln2;
        for (int i = 0; i < d; i++)
        {
            s += SpecialFunctions.DiGamma(0.5 * (nu - i));
        }

        return s;
    }

    /// <summary>The peer's <c>_log_wishart_norm</c>: −(ν·½ln|W| + (νd/2)ln 2 + Σᵢ lnΓ((ν − i)/2)) = ln B(W, ν) + (d(d − 1)/4) ln π.</summary>
    public static double PeerLogWishartNorm(double nu, double halfLogDetW, int d)
    {
        double s = nu * halfLogDetW + nu * d * 0.5 * Ln2;
        for (int i = 0; i < d; i++)
        {
            s += SpecialFunctions.GammaLn(0.5 * (nu - i));
        }

        return -s;
    }

    public bool TryRefresh(GaussianComponents p, Span<double> scratch, out int failedComponent) =>
        TryRefreshExpectations(p, WeightPrior, WeightsA, WeightsB, DegreesOfFreedom, MeanPrecision, LogDetCholW, scratch, out failedComponent);

    /// <summary>
    /// Writes the expectations the E-step kernel reads into <paramref name="p"/> (whose means and scales (νₖWₖ)⁻¹ are
    /// set): E[ln π] as the log-weights, the precision factor of νₖWₖ, and −(d/2)ln 2π + ½E[ln|Λₖ|] − d/(2βₖ) as the
    /// log-normalisers; ½ ln|Wₖ| into <paramref name="logDetCholW"/>. The one body of <see cref="TryRefresh"/> and of a
    /// fitted model's E-step (<see cref="VariationalGaussianMixtureModel.ComputeStatistics"/>), so both give the same bits.
    /// </summary>
    internal static bool TryRefreshExpectations(GaussianComponents p, WeightPrior weightPrior, ReadOnlySpan<double> weightsA, ReadOnlySpan<double> weightsB,
        ReadOnlySpan<double> degreesOfFreedom, ReadOnlySpan<double> meanPrecision, Span<double> logDetCholW, Span<double> scratch, out int failedComponent)
    {
        int k = p.K, d = p.D;
        ExpectedLogWeights(weightPrior, weightsA, weightsB, p.LogWeights);
        if (!p.Form.TryFactor(p, scratch, out failedComponent))
        {
            return false;
        }

        for (int c = 0; c < k; c++)
        {
            // The form wrote −(d/2)ln 2π + ½ln|νW|; E[ln|Λ|] = ln|W| + Σψ((ν − i)/2) + d ln 2.
            double nu = degreesOfFreedom[c];
            double halfLogDetNuW = p.LogNorm[c] + 0.5 * d * Log2Pi;
            logDetCholW[c] = halfLogDetNuW - 0.5 * d * Math.Log(nu);
            p.LogNorm[c] = -0.5 * d * Log2Pi + logDetCholW[c] + 0.5 * ExpectedLogDetOffset(nu, d) - 0.5 * d / meanPrecision[c];
        }

        return true;
    }

    /// <summary>Not the variational objective: the driver of the variational fit asks for <see cref="Bounds"/>.</summary>
    public double Objective(double meanLogLikelihood, GaussianComponents p, double totalWeight) => double.NaN;

    public double ExpectedLogJoint(GaussianComponents p, MixtureStatistics statistics)
    {
        double sum = 0;
        for (int c = 0; c < _k; c++)
        {
            double nk = statistics.Weight[c];
            if (!(nk > 0))
            {
                continue;
            }

            sum += nk * (p.LogWeights[c] + p.LogNorm[c]) - 0.5 * Shape.Quadratic(p, statistics, c);
        }

        return sum;
    }

    public (double Elbo, double PeerBound) Bounds(double entropy, double totalWeight)
    {
        int k = _k, d = _d;
        double wishart = 0, meanPrecision = 0, weights;
        for (int c = 0; c < k; c++)
        {
            wishart += PeerLogWishartNorm(DegreesOfFreedom[c], LogDetCholW[c], d);
            meanPrecision += Math.Log(MeanPrecision[c]);
        }

        if (WeightPrior == WeightPrior.DirichletProcess)
        {
            weights = 0;
            for (int c = 0; c < k; c++)
            {
                weights -= SpecialFunctions.BetaLn(WeightsA[c], WeightsB[c]);
            }
        }
        else
        {
            double total = 0;
            weights = 0;
            for (int c = 0; c < k; c++)
            {
                total += WeightsA[c];
                weights -= SpecialFunctions.GammaLn(WeightsA[c]);
            }

            weights += SpecialFunctions.GammaLn(total);
        }

        double peer = entropy - wishart - weights - 0.5 * d * meanPrecision;
        double elbo = peer + _priorConstant - 0.5 * totalWeight * d * Log2Pi;
        return (elbo, peer);
    }
}
