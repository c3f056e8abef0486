using LatentModels.Distributions;
using LatentModels.Mixtures;
using MathNet.Numerics;

namespace LatentModels.Variational;

/// <summary>
/// The global factors q(π) q(θ) of a variational Bernoulli or categorical mixture: q(π) = Dir(α₁..α_K) and, for every
/// component k and variable j, q(θₖⱼ) = Dir(γₖⱼ₁..γₖⱼC) (a Bernoulli column is the case C = 2, outcome 0 then 1: Beta(a, b)
/// with a = γₖⱼ₁, b = γₖⱼ₀). Immutable; built from the spine's <see cref="DiscreteMixtureStatistics"/> by the variational
/// M-step αₖ = α₀ + Nₖ, γₖⱼq = γ₀ + Σᵢ wᵢ rᵢₖ [xᵢⱼ = q].
/// </summary>
/// <remarks>
/// The E-step needs ρᵢₖ = E[ln πₖ] + Σⱼ E[ln θₖⱼ,xᵢⱼ]. It is run through the families' own log-density path by a proxy
/// mixture: θ̃ₖⱼq = exp ψ(γₖⱼq) / Σ_q' exp ψ(γₖⱼq') (a proper distribution, so the family code needs no change) and
/// proxy weights π̃ₖ ∝ exp(E[ln πₖ] + cₖ) with cₖ = Σⱼ (ln Σ_q exp ψ(γₖⱼq) − ψ(Σ_q γₖⱼq)). Then ln π̃ₖ + Σⱼ ln θ̃ₖⱼ,xᵢⱼ =
/// ρᵢₖ − L₀ with L₀ = ln Σₖ exp(E[ln πₖ] + cₖ) for every row, so the proxy's responsibilities are the variational ones and
/// Σᵢ wᵢ ln Σₖ exp ρᵢₖ = (the proxy's weighted log-likelihood) + L₀ Σᵢ wᵢ.
/// </remarks>
internal sealed class DiscreteVariationalPosterior
{
    private readonly int[] _categoryCounts;
    private readonly int[] _offsets;

    private DiscreteVariationalPosterior(int[] categoryCounts, double weightPrior, double outcomePrior, double[] alpha, double[] gamma)
    {
        _categoryCounts = categoryCounts;
        _offsets = IndependentCategorical.OffsetsOf(categoryCounts);
        WeightPrior = weightPrior;
        OutcomePrior = outcomePrior;
        Alpha = alpha;
        Gamma = gamma;
        (ProxyWeights, ProxyProbabilities, LogShift) = Proxy();
        KullbackLeibler = ComputeKullbackLeibler();
    }

    /// <summary>α₀, the symmetric Dirichlet concentration of the mixing weights' prior.</summary>
    public double WeightPrior { get; }

    /// <summary>γ₀, the symmetric Beta / Dirichlet pseudo-count of every outcome's prior.</summary>
    public double OutcomePrior { get; }

    /// <summary>The number of outcomes Cⱼ of each variable.</summary>
    public IReadOnlyList<int> CategoryCounts => _categoryCounts;

    /// <summary>The offsets of the variables in a component's row of <see cref="Gamma"/> (d + 1 values).</summary>
    public int[] Offsets => _offsets;

    /// <summary>αₖ (K values).</summary>
    public double[] Alpha { get; }

    /// <summary>γₖⱼq, K × ΣⱼCⱼ row-major (per component, variables in order, outcomes in order).</summary>
    public double[] Gamma { get; }

    /// <summary>The proxy mixing weights π̃ₖ (see the remarks).</summary>
    public double[] ProxyWeights { get; }

    /// <summary>The proxy outcome probabilities θ̃ₖⱼq, laid out as <see cref="Gamma"/>.</summary>
    public double[] ProxyProbabilities { get; }

    /// <summary>L₀: ln Σₖ exp ρᵢₖ = (proxy log-density of row i) + L₀.</summary>
    public double LogShift { get; }

    /// <summary>KL(q(π) ‖ p(π)) + Σₖⱼ KL(q(θₖⱼ) ‖ p(θₖⱼ)), every normaliser included.</summary>
    public double KullbackLeibler { get; }

    public int Components => Alpha.Length;

    public int Dimension => _categoryCounts.Length;

    /// <summary>The variational M-step from the statistics of one E-step.</summary>
    public static DiscreteVariationalPosterior FromStatistics(DiscreteMixtureStatistics statistics, double weightPrior, double outcomePrior)
    {
        (int[] categoryCounts, double[] nk, double[] counts) = statistics.Arrays;
        var alpha = new double[nk.Length];
        for (int c = 0; c < alpha.Length; c++)
        {
            alpha[c] = weightPrior + nk[c];
        }

        var gamma = new double[counts.Length];
        for (int i = 0; i < gamma.Length; i++)
        {
            gamma[i] = outcomePrior + counts[i];
        }

        return new DiscreteVariationalPosterior(categoryCounts, weightPrior, outcomePrior, alpha, gamma);
    }

    /// <summary>A posterior from stored hyper-parameters (the codec checked them: all positive and finite).</summary>
    public static DiscreteVariationalPosterior FromHyperParameters(int[] categoryCounts, double weightPrior, double outcomePrior, double[] alpha, double[] gamma) =>
        new(categoryCounts, weightPrior, outcomePrior, alpha, gamma);

    /// <summary>The full evidence lower bound after an E-step of this posterior whose statistics are <paramref name="statistics"/>.</summary>
    public double Elbo(DiscreteMixtureStatistics statistics) =>
        statistics.LogLikelihood + statistics.TotalWeight * LogShift - KullbackLeibler;

    /// <summary>The proxy mixture as Bernoulli components (every variable has 2 outcomes; p = θ̃ of outcome 1).</summary>
    public MixtureModel<IndependentBernoulli> BernoulliProxy() => BernoulliModel(ProxyWeights, ProxyProbabilities);

    /// <summary>The proxy mixture as categorical components.</summary>
    public MixtureModel<IndependentCategorical> CategoricalProxy() => CategoricalModel(ProxyWeights, ProxyProbabilities);

    /// <summary>E[πₖ] = αₖ / Σα.</summary>
    public double[] MeanWeights()
    {
        double total = Sum(Alpha);
        var weights = new double[Components];
        for (int c = 0; c < weights.Length; c++)
        {
            weights[c] = Alpha[c] / total;
        }

        return weights;
    }

    /// <summary>E[θₖⱼq] = γₖⱼq / Σ_q γₖⱼq, laid out as <see cref="Gamma"/>.</summary>
    public double[] MeanProbabilities()
    {
        var p = new double[Gamma.Length];
        int width = _offsets[^1];
        for (int c = 0; c < Components; c++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                ReadOnlySpan<double> g = Gamma.AsSpan(c * width + _offsets[j], _categoryCounts[j]);
                double total = Sum(g);
                for (int q = 0; q < g.Length; q++)
                {
                    p[c * width + _offsets[j] + q] = g[q] / total;
                }
            }
        }

        return p;
    }

    /// <summary>The posterior-mean mixture as Bernoulli components: its density is the exact posterior predictive under q.</summary>
    public MixtureModel<IndependentBernoulli> BernoulliMean() => BernoulliModel(MeanWeights(), MeanProbabilities());

    /// <summary>The posterior-mean mixture as categorical components: its density is the exact posterior predictive under q.</summary>
    public MixtureModel<IndependentCategorical> CategoricalMean() => CategoricalModel(MeanWeights(), MeanProbabilities());

    private MixtureModel<IndependentBernoulli> BernoulliModel(double[] weights, double[] flat)
    {
        int d = Dimension;
        var components = new IndependentBernoulli[Components];
        for (int c = 0; c < components.Length; c++)
        {
            var p = new double[d];
            for (int j = 0; j < d; j++)
            {
                p[j] = flat[c * 2 * d + 2 * j + 1];
            }

            components[c] = new IndependentBernoulli(p);
        }

        return new MixtureModel<IndependentBernoulli>(IndependentBernoulliFamily.Instance, weights, components);
    }

    private MixtureModel<IndependentCategorical> CategoricalModel(double[] weights, double[] flat)
    {
        int width = _offsets[^1];
        var components = new IndependentCategorical[Components];
        for (int c = 0; c < components.Length; c++)
        {
            var p = new double[Dimension][];
            for (int j = 0; j < p.Length; j++)
            {
                p[j] = flat.AsSpan(c * width + _offsets[j], _categoryCounts[j]).ToArray();
            }

            components[c] = new IndependentCategorical(p);
        }

        return new MixtureModel<IndependentCategorical>(new IndependentCategoricalFamily(_categoryCounts), weights, components);
    }

    private (double[] Weights, double[] Probabilities, double LogShift) Proxy()
    {
        int k = Components, width = _offsets[^1];
        double digammaTotal = SpecialFunctions.DiGamma(Sum(Alpha));
        var logWeights = new double[k];
        var probabilities = new double[Gamma.Length];
        for (int c = 0; c < k; c++)
        {
            double shift = 0;
            for (int j = 0; j < Dimension; j++)
            {
                int start = c * width + _offsets[j], count = _categoryCounts[j];
                ReadOnlySpan<double> g = Gamma.AsSpan(start, count);
                Span<double> psi = probabilities.AsSpan(start, count);
                double max = double.NegativeInfinity;
                for (int q = 0; q < count; q++)
                {
                    psi[q] = SpecialFunctions.DiGamma(g[q]);
                    max = Math.Max(max, psi[q]);
                }

                double s = 0;
                for (int q = 0; q < count; q++)
                {
                    s += Math.Exp(psi[q] - max);
                }

                double logSum = max + Math.Log(s);
                for (int q = 0; q < count; q++)
                {
                    psi[q] = Math.Exp(psi[q] - logSum);
                }

                shift += logSum - SpecialFunctions.DiGamma(Sum(g));
            }

            logWeights[c] = SpecialFunctions.DiGamma(Alpha[c]) - digammaTotal + shift;
        }

        double maxWeight = logWeights.Max(), total = 0;
        foreach (double v in logWeights)
        {
            total += Math.Exp(v - maxWeight);
        }

        double logShift = maxWeight + Math.Log(total);
        var weights = new double[k];
        for (int c = 0; c < k; c++)
        {
            weights[c] = Math.Exp(logWeights[c] - logShift);
        }

        return (weights, probabilities, logShift);
    }

    private double ComputeKullbackLeibler()
    {
        double kl = DirichletKullbackLeibler(Alpha, WeightPrior);
        int width = _offsets[^1];
        for (int c = 0; c < Components; c++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                kl += DirichletKullbackLeibler(Gamma.AsSpan(c * width + _offsets[j], _categoryCounts[j]), OutcomePrior);
            }
        }

        return kl;
    }

    /// <summary>KL(Dir(a) ‖ Dir(a₀, …, a₀)) with every normaliser.</summary>
    internal static double DirichletKullbackLeibler(ReadOnlySpan<double> a, double prior)
    {
        double total = Sum(a), digammaTotal = SpecialFunctions.DiGamma(total);
        double kl = SpecialFunctions.GammaLn(total) - SpecialFunctions.GammaLn(a.Length * prior) + a.Length * SpecialFunctions.GammaLn(prior);
        foreach (double v in a)
        {
            kl += -SpecialFunctions.GammaLn(v) + (v - prior) * (SpecialFunctions.DiGamma(v) - digammaTotal);
        }

        return kl;
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (double v in values)
        {
            s += v;
        }

        return s;
    }
}
