using BenchmarkDotNet.Attributes;
using LatentModels.SparseCoding;

namespace LatentModels.Benchmarks;

/// <summary>
/// Dictionary learning on the shape of the comparison workload (5,000 signals of dimension 64, 128 atoms, α = 0.1, the
/// first 128 rows as the start): one batch iteration (codes from zero, A and B, one pass over the atoms, the cost), and
/// one online pass in mini-batches of 256.
/// </summary>
[MemoryDiagnoser]
public class DictionaryLearningBenchmarks
{
    private double[,] _data = new double[0, 0];

    /// <summary>Builds the signals.</summary>
    [GlobalSetup]
    public void Setup() => (_, _data) = SparseCodingBenchmarks.SparseProblem(5_000, 64, 128, 5, 0.05, seed: 4);

    /// <summary>One batch iteration from the first rows.</summary>
    [Benchmark]
    public DictionaryModel BatchIteration() =>
        new DictionaryLearning(new DictionaryLearningOptions { Atoms = 128, Alpha = 0.1, Init = DictionaryInit.First, MaxIterations = 1, Tolerance = 0 }).Fit(_data).Model;

    /// <summary>One online pass (20 mini-batches of 256 rows).</summary>
    [Benchmark]
    public DictionaryModel OnlinePass()
    {
        var online = new OnlineDictionaryLearning(new DictionaryLearningOptions { Atoms = 128, Alpha = 0.1, Init = DictionaryInit.First, BatchSize = 256 });
        online.UpdateAll(_data);
        return online.Snapshot();
    }
}
