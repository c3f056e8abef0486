using BenchmarkDotNet.Attributes;
using LatentModels.Mixtures;

namespace LatentModels.Benchmarks;

/// <summary>
/// Gaussian-mixture EM on the shape of the comparison workload (100,000 × 8, K = 8): one E-step (log-densities,
/// normalisation and the merged sufficient statistics) and whole 50-iteration fits from the `first` start, for each
/// covariance type.
/// </summary>
[MemoryDiagnoser]
public class GaussianMixtureBenchmarks
{
    private double[,] _data = new double[0, 0];
    private GaussianMixtureEngine _engine = null!;

    /// <summary>Covariance type.</summary>
    [Params(CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied)]
    public CovarianceType Covariance { get; set; }

    /// <summary>Builds a well-mixed data set of 8 Gaussian clusters and an engine one M-step into a fit.</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int n = 100_000, d = 8, k = 8;
        var random = new Random(3);
        var centers = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                centers[c, j] = 4 * Normal(random);
            }
        }

        _data = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int z = random.Next(k);
            for (int j = 0; j < d; j++)
            {
                _data[i, j] = centers[z, j] + (1 + 0.2 * j) * Normal(random);
            }
        }

        _engine = new GaussianMixtureEngine(_data, null, Options(50));
        _engine.InitializeFirst();
        _engine.EStep();
        _engine.MStep(new Random(0));
    }

    /// <summary>One E-step over all rows (all cores): log-densities, responsibilities, merged statistics.</summary>
    [Benchmark]
    public double EStep() => _engine.EStep();

    /// <summary>50 EM iterations from the `first` start (all cores), as <c>compare.py gmm-*</c> runs them.</summary>
    [Benchmark]
    public double Fit() => new GaussianMixture(Options(50)).Fit(_data).Report.ObjectiveTrace[^1];

    private GaussianMixtureOptions Options(int iterations) => new()
    {
        Components = 8,
        Covariance = Covariance,
        Init = MixtureInit.First,
        MaxIterations = iterations,
        Tolerance = 0,
    };

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
