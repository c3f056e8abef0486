namespace LatentModels.Variational;

/// <summary>A kept start of a variational discrete mixture: its posterior and the full ELBO after its last E-step.</summary>
/// <param name="Posterior">q(π) q(θ).</param>
/// <param name="Elbo">The full evidence lower bound.</param>
internal sealed record DiscreteVariationalFit(DiscreteVariationalPosterior Posterior, double Elbo);
