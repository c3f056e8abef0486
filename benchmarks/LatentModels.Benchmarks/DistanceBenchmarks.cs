using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>The K-Means / GMM shape: 200,000 × 16 rows against 32 centers.</summary>
[MemoryDiagnoser]
public class DistanceBenchmarks
{
    private const int Rows = 200_000;
    private const int Cols = 16;
    private const int Centers = 32;

    private double[] _x = [];
    private double[] _c = [];
    private double[] _norms = [];
    private double[] _d = [];
    private int[] _nearest = [];
    private double[] _min = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _x = new double[Rows * Cols];
        _c = new double[Centers * Cols];
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = rng.NextDouble();
        }

        for (int i = 0; i < _c.Length; i++)
        {
            _c[i] = rng.NextDouble();
        }

        _norms = new double[Centers];
        Distances.RowSquaredNorms(_c, Centers, Cols, _norms);
        _d = new double[Rows * Centers];
        _nearest = new int[Rows];
        _min = new double[Rows];
    }

    /// <summary>The full n × k distance matrix.</summary>
    [Benchmark(Baseline = true)]
    public void PairwiseSquared() => Distances.PairwiseSquared(_x, Rows, Cols, _c, Centers, _norms, _d);

    /// <summary>Distances then a separate arg-min pass.</summary>
    [Benchmark]
    public void PairwiseThenArgMin()
    {
        Distances.PairwiseSquared(_x, Rows, Cols, _c, Centers, _norms, _d);
        Distances.RowArgMin(_d, Rows, Centers, _nearest, _min);
    }

    /// <summary>The fused nearest-center step (no n × k matrix).</summary>
    [Benchmark]
    public void NearestCenter() => Distances.NearestCenter(_x, Rows, Cols, _c, Centers, _norms, _nearest, _min);

    /// <summary>The raw GEMM inside (−2·X·Cᵀ).</summary>
    [Benchmark]
    public void GemmOnly() =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, Rows, Centers, Cols, -2.0, _x, Cols, _c, Cols, 0.0, _d, Centers);
}
