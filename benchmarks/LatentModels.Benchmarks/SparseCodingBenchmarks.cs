using BenchmarkDotNet.Attributes;
using LatentModels.SparseCoding;

namespace LatentModels.Benchmarks;

/// <summary>
/// L1 sparse codes on the shape of the comparison workload (20,000 signals of dimension 64, 5-sparse on a 128-atom
/// unit-norm dictionary plus N(0, 0.05²) noise, α = 0.1): <see cref="SparseCoder.Transform(double[,], CancellationToken)"/>
/// with each solver (OMP with its default budget of 6 atoms).
/// </summary>
[MemoryDiagnoser]
public class SparseCodingBenchmarks
{
    private double[,] _data = new double[0, 0];
    private SparseCoder _coder = null!;

    /// <summary>The solver.</summary>
    [Params(SparseCodingAlgorithm.CoordinateDescent, SparseCodingAlgorithm.Lars, SparseCodingAlgorithm.Fista, SparseCodingAlgorithm.OrthogonalMatchingPursuit)]
    public SparseCodingAlgorithm Algorithm { get; set; }

    /// <summary>Builds the dictionary and the signals.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (double[,] dictionary, _data) = SparseProblem(20_000, 64, 128, 5, 0.05, seed: 4);
        _coder = new SparseCoder(dictionary, new SparseCoderOptions { Alpha = 0.1, Algorithm = Algorithm });
    }

    /// <summary>Codes of all rows.</summary>
    [Benchmark]
    public double[,] Transform() => _coder.Transform(_data);

    /// <summary>A unit-norm Gaussian dictionary and signals that are sparse combinations of its atoms plus noise.</summary>
    internal static (double[,] Dictionary, double[,] Data) SparseProblem(int n, int d, int k, int active, double noise, int seed)
    {
        var random = new Random(seed);
        var dictionary = new double[k, d];
        for (int a = 0; a < k; a++)
        {
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                dictionary[a, j] = Normal(random);
                norm += dictionary[a, j] * dictionary[a, j];
            }

            for (int j = 0; j < d; j++)
            {
                dictionary[a, j] /= Math.Sqrt(norm);
            }
        }

        var data = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < active; t++)
            {
                int a = random.Next(k);
                double w = Normal(random);
                for (int j = 0; j < d; j++)
                {
                    data[i, j] += w * dictionary[a, j];
                }
            }

            for (int j = 0; j < d; j++)
            {
                data[i, j] += noise * Normal(random);
            }
        }

        return (dictionary, data);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
