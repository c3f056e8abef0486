using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>
/// The float operations for the VAE: element-wise exp/log/sigmoid/softplus/tanh on 4,096 floats, and a dense layer
/// (256 × 512 batch × inputs, 256 outputs) as a plain SGEMM against the same SGEMM with the fused bias + activation.
/// </summary>
public class FloatKernelBenchmarks
{
    private const int Batch = 256, Inputs = 512, Outputs = 256;
    private readonly float[] _x = new float[4096];
    private readonly float[] _y = new float[4096];
    private readonly float[] _a = new float[Batch * Inputs];
    private readonly float[] _w = new float[Inputs * Outputs];
    private readonly float[] _bias = new float[Outputs];
    private readonly float[] _c = new float[Batch * Outputs];

    /// <summary>Random inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = (float)(20 * random.NextDouble() - 10);
        }

        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)random.NextDouble();
        }

        for (int i = 0; i < _w.Length; i++)
        {
            _w[i] = (float)(random.NextDouble() - 0.5);
        }
    }

    /// <summary>exp.</summary>
    [Benchmark]
    public void Exp() => FloatMath.Exp(_x, _y);

    /// <summary>Stable sigmoid.</summary>
    [Benchmark]
    public void Sigmoid() => FloatMath.Sigmoid(_x, _y);

    /// <summary>Stable softplus.</summary>
    [Benchmark]
    public void Softplus() => FloatMath.Softplus(_x, _y);

    /// <summary>tanh.</summary>
    [Benchmark]
    public void Tanh() => FloatMath.Tanh(_x, _y);

    /// <summary>The layer's product alone.</summary>
    [Benchmark(Baseline = true)]
    public void LayerProduct() => Gemm.Multiply(MatrixOp.None, MatrixOp.None, Batch, Outputs, Inputs, 1f, _a, Inputs, _w, Outputs, 0f, _c, Outputs);

    /// <summary>The layer with bias and tanh fused into the output write.</summary>
    [Benchmark]
    public void LayerBiasTanh() =>
        Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, Batch, Outputs, Inputs, 1f, _a, Inputs, _w, Outputs, _bias, Activation.Tanh, _c, Outputs);
}
