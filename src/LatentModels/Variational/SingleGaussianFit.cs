using LatentModels.Distributions;

namespace LatentModels.Variational;

/// <summary>
/// The result of <see cref="SingleGaussianApproximation.MinimizeReverseKl"/>: the Gaussian q found, the trace of
/// KL(q‖p) (one entry for the start and one per accepted Newton step; non-increasing), and convergence.
/// </summary>
public sealed class SingleGaussianFit
{
    internal SingleGaussianFit(UnivariateGaussian approximation, double[] klTrace, int iterations, bool converged)
    {
        Approximation = approximation;
        KlTrace = Array.AsReadOnly(klTrace);
        Iterations = iterations;
        Converged = converged;
    }

    /// <summary>The single Gaussian q.</summary>
    public UnivariateGaussian Approximation { get; }

    /// <summary>KL(q‖p) in nats, by quadrature: entry 0 at the start, entry t after step t.</summary>
    public IReadOnlyList<double> KlTrace { get; }

    /// <summary>KL(q‖p) at the returned Gaussian.</summary>
    public double Kl => KlTrace[^1];

    /// <summary>The number of accepted steps.</summary>
    public int Iterations { get; }

    /// <summary>Whether the scaled gradient fell within the tolerance, or the Newton step's predicted decrease fell below
    /// the rounding of KL (a minimum at working precision).</summary>
    public bool Converged { get; }
}
