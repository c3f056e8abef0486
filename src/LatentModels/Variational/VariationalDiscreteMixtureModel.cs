using LatentModels.Mixtures;

namespace LatentModels.Variational;

/// <summary>
/// A fitted variational Bayesian discrete mixture: q(π) = Dir(α) and one Beta / Dirichlet factor per component and
/// variable. Its density (<see cref="LogDensity(double[,], Span{double})"/>, <see cref="Score"/>) is the exact posterior
/// predictive under q, p(x | X) = Σₖ E[πₖ] Πⱼ E[θₖⱼ,xⱼ] — the density of <see cref="PosteriorMean"/>; its responsibilities
/// (<see cref="PredictProbabilities(double[,])"/>) are the variational q(zₖ) ∝ exp(E[ln πₖ] + Σⱼ E[ln θₖⱼ,xⱼ]); its samples
/// (<see cref="Sample"/>) are draws from that predictive. Immutable.
/// </summary>
/// <typeparam name="TComponent">The component distribution of the posterior-mean mixture.</typeparam>
public abstract class VariationalDiscreteMixtureModel<TComponent> : IDensityModel, ISoftClusteringModel, ISampler where TComponent : class
{
    private readonly MixtureModel<TComponent> _proxy;

    private protected VariationalDiscreteMixtureModel(DiscreteVariationalPosterior posterior, double elbo, MixtureModel<TComponent> mean, MixtureModel<TComponent> proxy)
    {
        Posterior = posterior;
        Elbo = elbo;
        PosteriorMean = mean;
        _proxy = proxy;
    }

    internal DiscreteVariationalPosterior Posterior { get; }

    /// <summary>The number of components K.</summary>
    public int Components => Posterior.Components;

    /// <inheritdoc />
    int IClusteringModel.Clusters => Components;

    /// <summary>The number of variables d.</summary>
    public int Dimension => Posterior.Dimension;

    /// <summary>The full evidence lower bound of the training data at the fit's end (every normaliser included), in nats.</summary>
    public double Elbo { get; }

    /// <summary>α₀, the prior's weight concentration.</summary>
    public double WeightConcentrationPrior => Posterior.WeightPrior;

    /// <summary>γ₀, the prior's pseudo-count of every outcome.</summary>
    public double PriorCount => Posterior.OutcomePrior;

    /// <summary>αₖ = α₀ + Nₖ, the concentrations of q(π) (a copy).</summary>
    public double[] WeightConcentrations => (double[])Posterior.Alpha.Clone();

    /// <summary>The posterior-mean mixture (E[π], E[θ]): its density is the exact posterior predictive.</summary>
    public MixtureModel<TComponent> PosteriorMean { get; }

    /// <summary>E[πₖ] = αₖ / Σα.</summary>
    public double[] Weights => PosteriorMean.Weights;

    /// <summary>The number of components whose posterior-mean weight E[πₖ] exceeds <paramref name="threshold"/>.</summary>
    /// <param name="threshold">A weight in [0, 1); default 0.01.</param>
    public int EffectiveComponents(double threshold = 0.01)
    {
        if (!(threshold >= 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must lie in [0, 1).");
        }

        return Weights.Count(w => w > threshold);
    }

    /// <summary>The posterior predictive log-density of every row of <paramref name="data"/>.</summary>
    /// <param name="data">n × d rows in the family's sample space.</param>
    /// <param name="destination">n values.</param>
    public void LogDensity(double[,] data, Span<double> destination) => PosteriorMean.LogDensity(data, destination);

    /// <summary>The posterior predictive log-density of one row.</summary>
    /// <param name="point">d values in the family's sample space.</param>
    public double LogDensity(ReadOnlySpan<double> point) => PosteriorMean.LogDensity(point);

    /// <summary>The mean posterior predictive log-density of the rows.</summary>
    /// <param name="data">n × d rows in the family's sample space.</param>
    public double Score(double[,] data) => PosteriorMean.Score(data);

    /// <summary>The variational responsibilities q(zᵢ = k), n × K.</summary>
    /// <param name="data">n × d rows in the family's sample space.</param>
    public double[,] PredictProbabilities(double[,] data) => _proxy.PredictProbabilities(data);

    /// <summary>The most probable component of every row under the variational responsibilities.</summary>
    /// <param name="data">n × d rows in the family's sample space.</param>
    public int[] Predict(double[,] data) => _proxy.Predict(data);

    /// <summary>The variational responsibilities of one row.</summary>
    /// <param name="point">d values in the family's sample space.</param>
    public double[] PredictProbabilities(ReadOnlySpan<double> point) => _proxy.PredictProbabilities(point);

    /// <summary>The most probable component of one row under the variational responsibilities (first on ties).</summary>
    /// <param name="point">d values in the family's sample space.</param>
    public int Predict(ReadOnlySpan<double> point) => _proxy.Predict(point);

    /// <summary>
    /// Independent draws from the posterior predictive p(x | X) = Σₖ E[πₖ] Πⱼ E[θₖⱼ,xⱼ] (each row a component by E[π],
    /// then every variable by E[θ]): the samples of <see cref="PosteriorMean"/>.
    /// </summary>
    /// <param name="count">Number of rows, non-negative.</param>
    /// <param name="random">The caller's random source.</param>
    public double[,] Sample(int count, Random random) => PosteriorMean.Sample(count, random);

    /// <summary>The labels and responsibilities in one pass (for the fit result).</summary>
    internal double[,] PredictBoth(double[,] data, int[] labels) => _proxy.PredictBoth(data, labels);
}
