namespace LatentModels;

/// <summary>A model with a (log-)density over d-dimensional rows.</summary>
public interface IDensityModel
{
    /// <summary>Dimension d of one observation.</summary>
    int Dimension { get; }

    /// <summary>Writes the log-density of each row of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="destination">n values.</param>
    void LogDensity(double[,] data, Span<double> destination);

    /// <summary>The log-density of a single observation.</summary>
    /// <param name="point">d values.</param>
    double LogDensity(ReadOnlySpan<double> point);

    /// <summary>Mean log-density (average log-likelihood per row) of <paramref name="data"/>.</summary>
    /// <param name="data">n × d observations.</param>
    double Score(double[,] data);
}
