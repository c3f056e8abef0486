using BenchmarkDotNet.Attributes;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Benchmarks;

/// <summary>
/// Bernoulli-mixture EM on the shape of binarised MNIST (8,000 × 784, K = 10): the E-step log-densities (one GEMM),
/// the M-step estimate (one GEMM with the transposed responsibilities), and a whole 10-iteration fit.
/// </summary>
[MemoryDiagnoser]
public class BernoulliMixtureBenchmarks
{
    private const int D = 784, K = 10;
    private double[,] _data = new double[0, 0];
    private MixtureModel<IndependentBernoulli>? _truth;
    private double[] _logDensities = [], _responsibilities = [], _weights = [];

    /// <summary>Rows.</summary>
    [Params(8_000)]
    public int N { get; set; }

    /// <summary>Samples the data from ten random sparse prototypes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var p = new double[K, D];
        for (int c = 0; c < K; c++)
        {
            for (int j = 0; j < D; j++)
            {
                p[c, j] = random.NextDouble() < 0.2 ? 0.8 : 0.05;
            }
        }

        _truth = BernoulliMixture.CreateModel(Enumerable.Repeat(1.0 / K, K).ToArray(), p);
        _data = _truth.Sample(N, random);
        _logDensities = new double[N * K];
        _responsibilities = new double[N * K];
        for (int i = 0; i < _responsibilities.Length; i++)
        {
            _responsibilities[i] = random.NextDouble();
        }

        _weights = new double[K];
        for (int i = 0; i < N; i++)
        {
            for (int c = 0; c < K; c++)
            {
                _weights[c] += _responsibilities[i * K + c];
            }
        }
    }

    /// <summary>log p(xᵢ | k) for every row and component.</summary>
    [Benchmark]
    public void LogDensities() => IndependentBernoulliFamily.Instance.LogDensities(_truth!.Distributions, _data, _logDensities, 0);

    /// <summary>The M-step of every component.</summary>
    [Benchmark]
    public IndependentBernoulli[] Estimate() => IndependentBernoulliFamily.Instance.Estimate(_data, _responsibilities, _weights, MixtureOptions.DefaultPseudoCount, 0);

    /// <summary>Ten EM iterations from k-means++ (Hamming) rows.</summary>
    [Benchmark]
    public MixtureModel<IndependentBernoulli> Fit10() =>
        new BernoulliMixture(new MixtureOptions { Components = K, MaxIterations = 10, Tolerance = 0 }).Fit(_data).Model;
}
