using BenchmarkDotNet.Attributes;
using LatentModels.Clustering;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>
/// K-Means on the shape of the comparison workload (200,000 × 16, K = 32, blobs): the fused assignment step alone
/// (one nearest-center pass over all rows) and whole 30-iteration fits from the first K rows, Lloyd against Hamerly.
/// </summary>
[MemoryDiagnoser]
public class KMeansBenchmarks
{
    private double[,] _data = new double[0, 0];
    private CenterTable _table = new(1, 1);
    private int[] _labels = [];
    private double[] _best = [], _second = [], _scratch = [];

    /// <summary>Rows.</summary>
    [Params(200_000)]
    public int N { get; set; }

    /// <summary>Builds the data set.</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int d = 16, k = 32;
        var random = new Random(2);
        var centers = new double[k, d];
        for (int j = 0; j < k; j++)
        {
            for (int p = 0; p < d; p++)
            {
                centers[j, p] = 6 * Normal(random);
            }
        }

        _data = new double[N, d];
        for (int i = 0; i < N; i++)
        {
            int z = random.Next(k);
            for (int p = 0; p < d; p++)
            {
                _data[i, p] = centers[z, p] + Normal(random);
            }
        }

        _table = new CenterTable(k, d);
        var first = new double[k * d];
        _data.AsSpan()[..(k * d)].CopyTo(first);
        _table.Load(first);
        _labels = new int[N];
        _best = new double[N];
        _second = new double[N];
        _scratch = new double[_table.ScratchLength];
    }

    /// <summary>One fused nearest-center pass (single thread): 2·N·K·d flops.</summary>
    [Benchmark]
    public int AssignmentStep()
    {
        _table.NearestRange(_data.AsSpan(), 0, N, _labels, _best, _second, _scratch);
        return _labels[N - 1];
    }

    /// <summary>30 Lloyd iterations from the first K rows (all cores).</summary>
    [Benchmark]
    public double FitLloyd() => Fit(KMeansAlgorithm.Lloyd);

    /// <summary>30 Hamerly iterations from the first K rows (all cores); same result as Lloyd.</summary>
    [Benchmark(Baseline = true)]
    public double FitAccelerated() => Fit(KMeansAlgorithm.Accelerated);

    private double Fit(KMeansAlgorithm algorithm) =>
        new KMeans(new KMeansOptions { Clusters = 32, Init = KMeansInit.First, MaxIterations = 30, Tolerance = 0, Algorithm = algorithm }).Fit(_data).Model.Inertia;

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
