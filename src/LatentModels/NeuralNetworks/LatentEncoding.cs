namespace LatentModels.NeuralNetworks;

/// <summary>The encoder's approximate posterior q(z | x) = 𝒩(μ, diag σ²) of each row.</summary>
/// <param name="Mean">μ, one row of Z values per data row.</param>
/// <param name="StandardDeviation">σ, one row of Z values per data row.</param>
public sealed record LatentEncoding(double[,] Mean, double[,] StandardDeviation);
