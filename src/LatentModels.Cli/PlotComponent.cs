namespace LatentModels.Cli;

/// <summary>One Gaussian component to draw: its mean, its 2 × 2 covariance and its mixing weight.</summary>
/// <param name="Mean">The mean (x, y).</param>
/// <param name="Covariance">The 2 × 2 covariance.</param>
/// <param name="Weight">The mixing weight, shown in the legend.</param>
public sealed record PlotComponent(double[] Mean, double[,] Covariance, double Weight);
