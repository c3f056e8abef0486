namespace LatentModels;

/// <summary>
/// A model that maps rows to latent codes: sparse codes on a dictionary, posterior means of binary latents, and the like
/// (scikit-learn's <c>transform</c>).
/// </summary>
public interface ILatentTransform
{
    /// <summary>Dimension d of one observation (columns of the input).</summary>
    int Dimension { get; }

    /// <summary>Number K of latent coordinates (columns of the codes).</summary>
    int LatentDimension { get; }

    /// <summary>
    /// The latent codes of every row of <paramref name="data"/> under the model's default settings: n × K, row i the code
    /// of row i. The data is not modified.
    /// </summary>
    /// <param name="data">n × d observations, finite.</param>
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a non-finite value (the message names the row and column).</exception>
    double[,] Transform(double[,] data);
}
