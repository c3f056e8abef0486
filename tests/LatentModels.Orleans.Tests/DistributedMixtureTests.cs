using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Distributed EM (Gaussian for every covariance type, ML and MAP; Bernoulli; categorical) against one machine.</summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedMixtureTests(ThreeSiloCluster cluster)
{
    // For K = 3, d = 3 the Gaussian E-step's block is 1024 rows (GaussianMixtureEngine.BlockSizeFor).
    private const int GaussianBlock = 1024;
    private const int N = 12 * GaussianBlock;

    public static TheoryData<CovarianceType, bool> Cases()
    {
        var data = new TheoryData<CovarianceType, bool>();
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    private static GaussianMixtureModel Start(CovarianceType type)
    {
        double[,] means = { { 99, 1, 0.2 }, { 105, 2, 0 }, { 102, 6, 0.5 } };
        double[] covariances = type switch
        {
            CovarianceType.Full => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1],
            CovarianceType.Tied => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1],
            CovarianceType.Diagonal => [2, 2, 1, 1, 1, 1, 3, 2, 1],
            _ => [2, 1, 3],
        };
        return GaussianMixtureModel.Create(type, [0.4, 0.3, 0.3], means, covariances);
    }

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    /// <summary>One machine, one partition: the core's E-step on all rows, its objective and M-step, the core's stopping rule.</summary>
    private static (GaussianMixtureModel Model, List<double> Trace) Local(double[,] x, GaussianMixtureModel start, GaussianMixtureOptions o)
    {
        GaussianMixtureModel model = start;
        GaussianMixtureStatistics s = model.ComputeStatistics(x);
        double previous = s.Objective(model, o);
        var trace = new List<double>();
        bool settled = false;
        for (int t = 1; t <= o.MaxIterations; t++)
        {
            model = s.ToModel(o);
            s = model.ComputeStatistics(x);
            double value = s.Objective(model, o);
            trace.Add(value);
            if (settled)
            {
                break;
            }

            settled = Math.Abs(value - previous) < o.Tolerance;
            previous = value;
        }

        return (model, trace);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Gaussian_EM_on_block_shards_gives_the_bits_of_one_machine_and_GaussianMixture_to_rounding(CovarianceType type, bool map)
    {
        double[,] x = Blobs(N, 5);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = type, Prior = map ? GaussianMixturePrior.Default : null, MaxIterations = 6, Tolerance = 1e-3 };
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, GaussianBlock)));
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(Start(type), o);

        (GaussianMixtureModel local, List<double> trace) = Local(x, Start(type), o);
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local)), "shards of one block each merge to the single pass's bits");
        Bits(result.Trace).Should().Equal(Bits(trace));
        result.ObjectiveName.Should().Be(map ? "meanLogPosterior" : "meanLogLikelihood");

        // The core estimator from the same start and iteration count (its rows centred on the data mean: rounding only).
        var batch = new GaussianMixture(o with { InitialModel = Start(type), MaxIterations = result.Iterations, Tolerance = 0 }).Fit(x);
        MaxAbsDiff(Flat(result.Model), Flat(batch.Model)).Should().BeLessThan(1e-9);
        MaxAbsDiff(result.Trace, batch.Report.ObjectiveTrace).Should().BeLessThan(1e-9);
    }

    [Fact]
    public async Task Gaussian_EM_on_uneven_shards_agrees_with_one_machine_to_rounding()
    {
        double[,] x = Blobs(N, 6);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, MaxIterations = 200, Tolerance = 1e-6 };
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 9)));
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(Start(CovarianceType.Full), o);
        var batch = new GaussianMixture(o with { InitialModel = Start(CovarianceType.Full) }).Fit(x);
        result.Converged.Should().BeTrue();
        result.Iterations.Should().Be(batch.Report.Iterations, "the same stopping rule on the same objective");
        MaxAbsDiff(Flat(result.Model), Flat(batch.Model)).Should().BeLessThan(1e-9);
    }

    [Fact]
    public async Task Bernoulli_mixture_on_chunk_shards_gives_the_bits_of_one_machine_and_BernoulliMixture_to_rounding()
    {
        const int chunk = DiscreteMixtureStatistics.ChunkSize, n = 3 * chunk;
        double[,] x = Binary(n, 8, 7);
        MixtureModel<IndependentBernoulli> start = BernoulliMixture.CreateModel([0.5, 0.5],
            new double[,] { { 0.6, 0.6, 0.6, 0.6, 0.4, 0.4, 0.4, 0.4 }, { 0.3, 0.4, 0.5, 0.4, 0.6, 0.7, 0.5, 0.6 } });
        var o = new MixtureOptions { Components = 2, MaxIterations = 8, Tolerance = 0, PseudoCount = 0.01 };
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(n, chunk)));
        DistributedFitResult<MixtureModel<IndependentBernoulli>> result = await fit.FitBernoulliMixtureAsync(start, o);

        MixtureModel<IndependentBernoulli> local = start;
        for (int t = 0; t < 8; t++)
        {
            local = DiscreteMixtureStatistics.FromBernoulli(local, x).ToBernoulliModel(o.PseudoCount);
        }

        static double[] FlatB(MixtureModel<IndependentBernoulli> m) => [.. m.Weights, .. m.Distributions.SelectMany(c => c.Probabilities)];
        Bits(FlatB(result.Model)).Should().Equal(Bits(FlatB(local)));
        MixtureModel<IndependentBernoulli> batch = new BernoulliMixture(o).FitFrom(start, x).Model;
        MaxAbsDiff(FlatB(result.Model), FlatB(batch)).Should().BeLessThan(1e-9);
    }

    [Fact]
    public async Task Categorical_mixture_on_uneven_shards_agrees_with_CategoricalMixture_to_rounding()
    {
        int n = 5000;
        var random = new Random(8);
        var x = new double[n, 4];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                x[i, j] = random.NextDouble() < 0.7 ? (i % 2 == 0 ? j % 3 : 2 - j % 3) : random.Next(3);
            }
        }

        int[] counts = [3, 3, 3, 3];
        var family = new IndependentCategoricalFamily(counts);
        double[][] a = Enumerable.Range(0, 4).Select(_ => new[] { 0.5, 0.3, 0.2 }).ToArray();
        double[][] b = Enumerable.Range(0, 4).Select(_ => new[] { 0.2, 0.3, 0.5 }).ToArray();
        var start = new MixtureModel<IndependentCategorical>(family, [0.5, 0.5], [new IndependentCategorical(a), new IndependentCategorical(b)]);
        var o = new MixtureOptions { Components = 2, MaxIterations = 10, Tolerance = 0 };
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(n, 5)));
        DistributedFitResult<MixtureModel<IndependentCategorical>> result = await fit.FitCategoricalMixtureAsync(start, o);

        static double[] FlatC(MixtureModel<IndependentCategorical> m) => [.. m.Weights, .. m.Distributions.SelectMany(c => c.ToArrays().SelectMany(p => p))];
        MixtureModel<IndependentCategorical> batch = new CategoricalMixture(counts, o).FitFrom(start, x).Model;
        result.Iterations.Should().Be(10);
        MaxAbsDiff(FlatC(result.Model), FlatC(batch)).Should().BeLessThan(1e-9);
    }
}
