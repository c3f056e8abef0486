namespace LatentModels.Statistics;

/// <summary>
/// The one fold of K-Means chunk statistics every driver uses (<see cref="KMeansStatistics.Compute"/>, the in-memory
/// <see cref="Clustering.KMeans"/> engine, the out-of-core fit): chunks of <see cref="KMeansStatistics.ChunkSize"/> rows
/// are merged (Chan) in order into the open superblock, which closes every
/// <see cref="KMeansStatistics.SuperblockRows"/> rows by merging into the total. Mutable and reusable (allocation-free
/// after construction).
/// </summary>
internal sealed class KMeansFold
{
    private const int ChunksPerSuperblock = KMeansStatistics.SuperblockRows / KMeansStatistics.ChunkSize;

    private readonly double[] _weights, _means, _scatters;
    private readonly double[] _openWeights, _openMeans, _openScatters;
    private double _total, _openTotal;
    private int _openChunks;

    public KMeansFold(int clusters, int dimension)
    {
        Clusters = clusters;
        Dimension = dimension;
        _weights = new double[clusters];
        _means = new double[clusters * dimension];
        _scatters = new double[clusters];
        _openWeights = new double[clusters];
        _openMeans = new double[clusters * dimension];
        _openScatters = new double[clusters];
    }

    public int Clusters { get; }

    public int Dimension { get; }

    /// <summary>Nⱼ after <see cref="Finish"/>.</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>The clusters' means after <see cref="Finish"/>.</summary>
    public ReadOnlySpan<double> Means => _means;

    /// <summary>Sⱼ after <see cref="Finish"/>.</summary>
    public ReadOnlySpan<double> Scatters => _scatters;

    /// <summary>Σ wᵢ after <see cref="Finish"/>.</summary>
    public double Total => _total;

    public void Clear()
    {
        Array.Clear(_weights);
        Array.Clear(_means);
        Array.Clear(_scatters);
        ClearOpen();
        _total = 0;
    }

    /// <summary>Adds the next chunk (all but the data's last chunk hold exactly <see cref="KMeansStatistics.ChunkSize"/> rows).</summary>
    public void AddChunk(ReadOnlySpan<double> weights, ReadOnlySpan<double> means, ReadOnlySpan<double> scatters, double total)
    {
        KMeansStatistics.MergeInto(_openWeights, _openMeans, _openScatters, weights, means, scatters, Dimension);
        _openTotal += total;
        if (++_openChunks == ChunksPerSuperblock)
        {
            Close();
        }
    }

    /// <summary>Closes the last, partial superblock; call once after the last chunk.</summary>
    public void Finish()
    {
        if (_openChunks > 0)
        {
            Close();
        }
    }

    public KMeansStatistics ToStatistics(ReadOnlySpan<double> centers) =>
        KMeansStatistics.FromParts(Clusters, Dimension, centers.ToArray(), (double[])_weights.Clone(), (double[])_means.Clone(), (double[])_scatters.Clone(), _total);

    private void Close()
    {
        KMeansStatistics.MergeInto(_weights, _means, _scatters, _openWeights, _openMeans, _openScatters, Dimension);
        _total += _openTotal;
        ClearOpen();
    }

    private void ClearOpen()
    {
        Array.Clear(_openWeights);
        Array.Clear(_openMeans);
        Array.Clear(_openScatters);
        _openTotal = 0;
        _openChunks = 0;
    }
}
