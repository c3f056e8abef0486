using BenchmarkDotNet.Attributes;
using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Benchmarks;

/// <summary>
/// Stochastic variational inference of the variational Bayesian Gaussian mixture (d = 8, K = 16, N = 100,000): one update
/// with a mini-batch of 256 rows (the E-step of the batch under the current posterior, the blend of the effective statistics
/// and the variational update), for each covariance type. The stream is warm: the update allocates nothing but the
/// bookkeeping of the parallel dispatch of its E-step blocks (128 rows each at this K and d).
/// </summary>
[MemoryDiagnoser]
public class StochasticVariationalBenchmarks
{
    private const int Dimension = 8, Components = 16, BatchRows = 256;
    private StreamingVariationalGaussianMixture _stream = null!;
    private double[,] _batch = new double[0, 0];

    /// <summary>Covariance type.</summary>
    [Params(CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied)]
    public CovarianceType Covariance { get; set; }

    /// <summary>Draws 8 Gaussian clusters in 8 dimensions and starts a stream on a first mini-batch of 4,096 rows.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        var centers = new double[8, Dimension];
        for (int c = 0; c < 8; c++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                centers[c, j] = 4 * Normal(random);
            }
        }

        double[,] Draw(int rows)
        {
            var x = new double[rows, Dimension];
            for (int i = 0; i < rows; i++)
            {
                int z = random.Next(8);
                for (int j = 0; j < Dimension; j++)
                {
                    x[i, j] = centers[z, j] + ((1 + (0.2 * j)) * Normal(random));
                }
            }

            return x;
        }

        _stream = new StreamingVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions { Components = Components, Covariance = Covariance, WeightPrior = WeightPrior.DirichletProcess, Seed = 1 },
            DataSize = 100_000,
        });
        _stream.Update(Draw(4096));
        _batch = Draw(BatchRows);
        _stream.Update(_batch);
    }

    /// <summary>One SVI update with a mini-batch of 256 rows.</summary>
    [Benchmark]
    public long Update()
    {
        _stream.Update(_batch);
        return _stream.Steps;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
