using LatentModels.LinearAlgebra;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>A fitted K-Means model: K centers in d dimensions. Immutable; never refers to its training data.</summary>
public sealed class KMeansModel : IClusteringModel
{
    private const int BlockSize = 1024;
    private readonly double[,] _centers;

    /// <summary>Creates a model from given centers (copied), e.g. to predict with centers computed elsewhere.</summary>
    /// <param name="centers">K × d centers, finite.</param>
    /// <exception cref="ArgumentException">Null, empty or non-finite centers.</exception>
    public KMeansModel(double[,] centers)
    {
        DataValidation.CheckMatrix(centers, nameof(centers));
        _centers = (double[,])centers.Clone();
        Inertia = double.NaN;
    }

    internal KMeansModel(double[,] ownedCenters, double inertia)
    {
        _centers = ownedCenters;
        Inertia = inertia;
    }

    /// <summary>A copy of the K × d centers.</summary>
    public double[,] Centers => (double[,])_centers.Clone();

    /// <inheritdoc />
    public int Clusters => _centers.GetLength(0);

    /// <summary>Dimension d of one observation.</summary>
    public int Dimension => _centers.GetLength(1);

    /// <summary>Σᵢ wᵢ‖xᵢ − μ(xᵢ)‖² on the training data at the end of the fit (NaN for a model built from given centers).</summary>
    public double Inertia { get; }

    /// <summary>The value of one coordinate of one center.</summary>
    /// <param name="cluster">Zero-based cluster index.</param>
    /// <param name="column">Zero-based coordinate.</param>
    public double this[int cluster, int column] => _centers[cluster, column];

    /// <summary>The nearest center of each row (first center on exact ties).</summary>
    /// <param name="data">n × d observations.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or non-finite values.</exception>
    public int[] Predict(double[,] data)
    {
        Check(data);
        int n = data.GetLength(0);
        var labels = new int[n];
        Assign(data, labels, maxDegreeOfParallelism: 0);
        return labels;
    }

    /// <summary>The nearest center of one point.</summary>
    /// <param name="point">d values.</param>
    /// <exception cref="ArgumentException">Wrong length or non-finite values.</exception>
    public int Predict(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        var table = Table();
        Span<int> label = stackalloc int[1];
        Span<double> best = stackalloc double[1], second = stackalloc double[1];
        var scratch = new double[table.ScratchLength];
        Span<int> row = stackalloc int[] { 0 };
        table.Nearest(point, row, label, best, second, scratch);
        return label[0];
    }

    /// <summary>Euclidean distances from every row to every center (n × K).</summary>
    /// <param name="data">n × d observations.</param>
    /// <exception cref="ArgumentException">Wrong number of columns or non-finite values.</exception>
    public double[,] Transform(double[,] data)
    {
        Check(data);
        int n = data.GetLength(0), d = Dimension, k = Clusters;
        var result = new double[n, k];
        ParallelBlocks.For(n, BlockSize, 0, (_, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            ReadOnlySpan<double> c = _centers.AsSpan();
            Span<double> r = result.AsWritableSpan();
            for (int i = start; i < end; i++)
            {
                ReadOnlySpan<double> xi = x.Slice(i * d, d);
                for (int j = 0; j < k; j++)
                {
                    r[i * k + j] = Math.Sqrt(RowReductions.SquaredDistance(xi, c.Slice(j * d, d)));
                }
            }
        });
        return result;
    }

    /// <summary>
    /// Σᵢ‖xᵢ − μ(xᵢ)‖², the inertia of <paramref name="data"/> under this model (each row to its nearest center). Summed in
    /// the same fixed blocks as <see cref="KMeans"/>, so on the (unweighted) training data it equals
    /// <see cref="Inertia"/> to the last bit.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    public double InertiaOf(double[,] data)
    {
        Check(data);
        var labels = new int[data.GetLength(0)];
        Assign(data, labels, 0);
        return WeightedInertiaOf(data, labels, null);
    }

    /// <summary>Σᵢ wᵢ‖xᵢ − μ(labelᵢ)‖² of checked data with given labels, summed in the fit's fixed blocks.</summary>
    internal double WeightedInertiaOf(double[,] data, int[] labels, double[]? weights)
    {
        int n = data.GetLength(0), d = Dimension;
        int blockSize = LloydEngine.BlockSizeFor(n); // the fit's blocks: the same sum, to the last bit, as KMeans reports
        int blocks = ParallelBlocks.BlockCount(n, blockSize);
        var partial = new double[blocks];
        ParallelBlocks.For(n, blockSize, 0, (b, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            ReadOnlySpan<double> c = _centers.AsSpan();
            double s = 0;
            for (int i = start; i < end; i++)
            {
                double dd = RowReductions.SquaredDistance(x.Slice(i * d, d), c.Slice(labels[i] * d, d));
                s += weights is null ? dd : weights[i] * dd;
            }

            partial[b] = s;
        });
        double total = 0;
        foreach (double p in partial)
        {
            total += p;
        }

        return total;
    }

    /// <summary>
    /// The statistics of one assignment step on <paramref name="data"/> (per cluster: weight, mean, centered scatter):
    /// compute them on each partition, merge them in a fixed order and take the Lloyd update with
    /// <see cref="KMeansStatistics.ToModel"/>. The same as <see cref="KMeansStatistics.Compute"/>.
    /// </summary>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad.</exception>
    public KMeansStatistics ComputeStatistics(double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0) =>
        KMeansStatistics.Compute(this, data, sampleWeights, maxDegreeOfParallelism);

    /// <summary>The negative inertia of <paramref name="data"/> (higher is better), as scikit-learn's <c>score</c>.</summary>
    /// <param name="data">n × d observations.</param>
    public double Score(double[,] data) => -InertiaOf(data);

    internal ReadOnlySpan<double> CentersSpan => _centers.AsSpan();

    internal CenterTable Table()
    {
        var table = new CenterTable(Clusters, Dimension);
        table.Load(_centers.AsSpan());
        return table;
    }

    internal void Assign(double[,] data, int[] labels, int maxDegreeOfParallelism)
    {
        var table = Table();
        int n = data.GetLength(0);
        var best = new double[n];
        var second = new double[n];
        ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (_, start, end) =>
        {
            var scratch = new double[table.ScratchLength];
            table.NearestRange(data.AsSpan(), start, end, labels.AsSpan(start, end - start), best.AsSpan(start, end - start), second.AsSpan(start, end - start), scratch);
        });
    }

    private void Check(double[,] data)
    {
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        DataValidation.CheckFinite(data.AsSpan(), Dimension, nameof(data));
    }
}
