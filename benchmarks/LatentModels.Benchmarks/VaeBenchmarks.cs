using BenchmarkDotNet.Attributes;
using LatentModels.NeuralNetworks;

namespace LatentModels.Benchmarks;

/// <summary>
/// One training step of the VAE of the comparison (784-200-20, ReLU, Bernoulli, batch 100, Adam): forward, backward and the
/// Adam update on a warm workspace (no allocation). 80 steps make an epoch of the 8,000 digits.
/// </summary>
[MemoryDiagnoser]
public class VaeBenchmarks
{
    private VaeTrainer _trainer = null!;
    private Random _random = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new VariationalAutoencoderOptions { HiddenSizes = [200], LatentDimension = 20, BatchSize = 100, MaxDegreeOfParallelism = Threads };
        VaeArchitecture architecture = new VariationalAutoencoder(options).ArchitectureFor(784);
        var parameters = new float[architecture.ParameterCount];
        architecture.Initialize(parameters, new Random(1));
        _trainer = new VaeTrainer(architecture, parameters, 100, options);

        // Digit-like rows: a fifth of the pixels on, most of them at 1.
        var rng = new Random(2);
        float[] input = _trainer.Workspace.Input;
        for (int i = 0; i < input.Length; i++)
        {
            double u = rng.NextDouble();
            input[i] = u < 0.8 ? 0f : u < 0.95 ? 1f : (float)rng.NextDouble();
        }

        _random = new Random(3);
    }

    /// <summary>Forward, backward and Adam on one mini-batch of 100 rows.</summary>
    [Benchmark]
    public double TrainingStep() => _trainer.Step(100, _random);
}
