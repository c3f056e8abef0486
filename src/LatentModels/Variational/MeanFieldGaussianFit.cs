namespace LatentModels.Variational;

/// <summary>
/// The result of <see cref="MeanFieldGaussian.MinimizeReverseKl(double[], double[,], double[], int, double)"/>: the
/// factorised approximation, the closed-form KL(q‖p) after the start and after every sweep of coordinate updates
/// (non-increasing), and whether the sweeps converged.
/// </summary>
public sealed class MeanFieldGaussianFit
{
    internal MeanFieldGaussianFit(FactorizedGaussian approximation, double[] klTrace, int iterations, bool converged)
    {
        Approximation = approximation;
        KlTrace = Array.AsReadOnly(klTrace);
        Iterations = iterations;
        Converged = converged;
    }

    /// <summary>The factorised approximation q(z) = Πᵢ q(zᵢ).</summary>
    public FactorizedGaussian Approximation { get; }

    /// <summary>KL(q‖p) in nats: entry 0 at the start, entry t after sweep t. Coordinate ascent never increases it.</summary>
    public IReadOnlyList<double> KlTrace { get; }

    /// <summary>KL(q‖p) at the returned approximation (the last entry of <see cref="KlTrace"/>).</summary>
    public double Kl => KlTrace[^1];

    /// <summary>The number of sweeps (one update of every factor in order 0 … d−1) performed.</summary>
    public int Iterations { get; }

    /// <summary>Whether the largest change of a factor mean in the last sweep fell within the tolerance.</summary>
    public bool Converged { get; }
}
