using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;
using LatentModels.SparseCoding;

namespace LatentModels.Benchmarks;

/// <summary>
/// Mean-field inference of binary sparse coding on the shape: 10,000 rows of 784 pixels (MNIST-like: values in
/// [0, 1], mostly zero) and H = 200 latents. One damped parallel sweep (the couplings Ĥ·G by GEMM, then the vectorised
/// damped logit step and sigmoid) against the GEMM it contains (the baseline: the goal is a ratio of at most 2); one
/// sequential sweep for comparison; and the per-E-step data term V·(βW) against its GEMM.
/// </summary>
[MemoryDiagnoser]
public class BinarySparseCodingBenchmarks
{
    private const int N = 10_000, D = 784, H = 200;
    private BinarySparseCodingEngine _engine = null!;
    private double[] _data = [], _logits = [], _means = [], _coupling = [], _gram = [], _scaledWeights = [], _drive = [];
    private readonly BinarySparseCodingInference _parallel = new() { Update = BinarySparseCodingUpdate.Parallel, Damping = 0.5 };
    private readonly BinarySparseCodingInference _sequential = new();

    /// <summary>Random sparse images, a random model, and q after two sweeps (so the sweeps time a realistic state).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _data = new double[N * D];
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = random.NextDouble() < 0.2 ? random.NextDouble() : 0;
        }

        var atoms = new double[H, D];
        for (int i = 0; i < H; i++)
        {
            for (int k = 0; k < D; k++)
            {
                atoms[i, k] = random.NextDouble() < 0.2 ? random.NextDouble() - 0.3 : 0;
            }
        }

        var model = new BinarySparseCodingModel(atoms, Enumerable.Repeat(-2.0, H).ToArray(), Enumerable.Repeat(0.05, D).ToArray());
        _engine = new BinarySparseCodingEngine(H, D, N, 0);
        _engine.SetParameters(model.Parameters);
        _engine.Prepare(_data, N);
        _logits = new double[N * H];
        _means = new double[N * H];
        BinarySparseCodingModel.InitialiseToPrior(model.Parameters.Bias, _logits, _means);
        _engine.Sweep(_logits, _means, 0, N, _parallel, 1.0);
        _engine.Sweep(_logits, _means, 0, N, _parallel, 1.0);
        _coupling = new double[N * H];
        _gram = _engine.Gram.ToArray();
        _scaledWeights = _engine.ScaledWeights.ToArray();
        _drive = new double[N * H];
    }

    /// <summary>The GEMM of one sweep: Ĥ (N × H) · G (H × H).</summary>
    [Benchmark(Baseline = true)]
    public void SweepGemm() =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, N, H, H, 1.0, _means, H, _gram, H, 0.0, _coupling, H);

    /// <summary>One damped parallel sweep over all rows (GEMM + element-wise step).</summary>
    [Benchmark]
    public double ParallelSweep() => _engine.Sweep(_logits, _means, 0, N, _parallel, 1.0);

    /// <summary>One sequential sweep over all rows (GEMM + one latent at a time per row).</summary>
    [Benchmark]
    public double SequentialSweep() => _engine.Sweep(_logits, _means, 0, N, _sequential, 1.0);

    /// <summary>The data term of an E-step: V (N × d) · βW (d × H) minus ½ diag G, and vᵀβv per row.</summary>
    [Benchmark]
    public void Prepare() => _engine.Prepare(_data, N);

    /// <summary>The GEMM inside <see cref="Prepare"/>.</summary>
    [Benchmark]
    public void PrepareGemm() =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, N, H, D, 1.0, _data, D, _scaledWeights, H, 0.0, _drive, H);
}
