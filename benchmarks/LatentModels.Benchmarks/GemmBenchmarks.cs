using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>Square C = A·B in double and float. GFLOP/s = 2·N³ / time.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private double[] _a = [];
    private double[] _b = [];
    private double[] _c = [];
    private float[] _fa = [];
    private float[] _fb = [];
    private float[] _fc = [];

    [Params(256, 1024)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = new double[N * N];
        _b = new double[N * N];
        _c = new double[N * N];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = rng.NextDouble() - 0.5;
            _b[i] = rng.NextDouble() - 0.5;
        }

        _fa = Array.ConvertAll(_a, x => (float)x);
        _fb = Array.ConvertAll(_b, x => (float)x);
        _fc = new float[N * N];
    }

    [Benchmark]
    public void Double() =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, N, N, N, 1.0, _a, N, _b, N, 0.0, _c, N);

    [Benchmark]
    public void Single() =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, N, N, N, 1f, _fa, N, _fb, N, 0f, _fc, N);
}
