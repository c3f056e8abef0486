using LatentModels.Mixtures.Gaussian;
using MathNet.Numerics;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// A <see cref="GaussianMixturePrior"/> with every hyper-parameter fixed (prior mean in the centered coordinates of the
/// parameters it is used with) and its normalising constant; the covariance form supplies the covariance prior's terms.
/// </summary>
internal sealed class ResolvedPrior
{
    private const double Log2Pi = 1.8378770664093454835606594728112; // log 2π

    public ResolvedPrior(CovarianceForm form, int components, int dimension, double alpha, double kappa, double nu, double[] centeredMean, double[] scale)
    {
        Form = form;
        K = components;
        D = dimension;
        Alpha = alpha;
        Kappa = kappa;
        Nu = nu;
        CenteredMean = centeredMean;
        Scale = scale;
        int d = dimension;
        ScaleDiagonal = new double[d];
        for (int j = 0; j < d; j++)
        {
            ScaleDiagonal[j] = scale.Length == d ? scale[j] : scale[j * d + j];
        }

        ScaleMeanDiagonal = ScaleDiagonal.Average();
        double logDirichlet = SpecialFunctions.GammaLn(K * alpha) - K * SpecialFunctions.GammaLn(alpha);
        double logNormalMeans = 0.5 * d * (Math.Log(kappa) - Log2Pi);
        Constant = form.PriorConstant(this, logDirichlet, logNormalMeans);
    }

    public CovarianceForm Form { get; }

    public int K { get; }

    public int D { get; }

    /// <summary>Dirichlet concentration α of the weights.</summary>
    public double Alpha { get; }

    /// <summary>Mean shrinkage κ.</summary>
    public double Kappa { get; }

    /// <summary>Degrees of freedom ν.</summary>
    public double Nu { get; }

    /// <summary>μ₀ − shift.</summary>
    public double[] CenteredMean { get; }

    /// <summary>Λ, d × d.</summary>
    public double[] Scale { get; }

    public double[] ScaleDiagonal { get; }

    public double ScaleMeanDiagonal { get; }

    /// <summary>The normalising constants of the whole log-prior.</summary>
    public double Constant { get; }

    /// <summary>κNₖ / (κ + Nₖ): the weight of (x̄ₖ − μ₀)(x̄ₖ − μ₀)ᵀ in the posterior scatter.</summary>
    public double Shrink(double nk) => Kappa * nk / (Kappa + nk);

    /// <summary>log p(θ) for the parameters (whose shift must equal the one the prior was resolved with).</summary>
    public double LogDensity(GaussianComponents p)
    {
        double s = Constant;
        for (int c = 0; c < K; c++)
        {
            s += (Alpha - 1) * Math.Log(p.Weights[c]);
        }

        return Form.PriorLogDensity(this, p, s);
    }
}
