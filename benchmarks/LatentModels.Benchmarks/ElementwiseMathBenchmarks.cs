using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>The kernel's vectorised exp and log against TensorPrimitives' on 4,096 doubles (the E-step's shapes).</summary>
public class ElementwiseMathBenchmarks
{
    private readonly double[] _x = new double[4096];
    private readonly double[] _positive = new double[4096];
    private readonly double[] _y = new double[4096];

    /// <summary>Log-weights in [−50, 0] and sums in [1, 8], as the E-step sees them.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = -50 * random.NextDouble();
            _positive[i] = 1 + 7 * random.NextDouble();
        }
    }

    /// <summary>Our exp.</summary>
    [Benchmark(Baseline = true)]
    public void Exp() => ElementwiseMath.Exp(_x, _y);

    /// <summary>TensorPrimitives.Exp.</summary>
    [Benchmark]
    public void TensorPrimitivesExp() => TensorPrimitives.Exp(_x, _y);

    /// <summary>Our log.</summary>
    [Benchmark]
    public void Log() => ElementwiseMath.Log(_positive, _y);

    /// <summary>TensorPrimitives.Log.</summary>
    [Benchmark]
    public void TensorPrimitivesLog() => TensorPrimitives.Log(_positive, _y);
}
