namespace LatentModels;

/// <summary>A generative model that draws samples with a caller-supplied random source.</summary>
public interface ISampler
{
    /// <summary>Draws <paramref name="count"/> observations (rows of the result).</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source; the model never uses global state.</param>
    double[,] Sample(int count, Random random);
}
