namespace LatentModels.Mixtures;

/// <summary>Per-thread scratch for one row block (component-major layouts): no allocation once a fit is running.</summary>
internal sealed class MixtureWorkspace
{
    public MixtureWorkspace(int blockSize, int components, int dimension)
    {
        BlockSize = blockSize;
        Centered = new double[blockSize * dimension];
        LogProb = new double[blockSize * components];
        LogNormalizer = new double[blockSize];
        Temp = new double[blockSize];
    }

    /// <summary>Rows per block; the row stride of every component-major buffer.</summary>
    public int BlockSize { get; }

    /// <summary>Centered rows, transposed: d × BlockSize.</summary>
    public double[] Centered { get; }

    /// <summary>Log-joints, then responsibilities: K × BlockSize.</summary>
    public double[] LogProb { get; }

    public double[] LogNormalizer { get; }

    public double[] Temp { get; }
}
