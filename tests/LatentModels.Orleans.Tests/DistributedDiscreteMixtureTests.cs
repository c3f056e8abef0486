using LatentModels.Distributions;
using LatentModels.Mixtures;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// Distributed Bernoulli and categorical mixtures against <see cref="BernoulliMixture"/> and <see cref="CategoricalMixture"/>
/// on one machine: the same engine, so the same bits on shards of one E-step chunk each, and the same answer to rounding
/// on uneven shards.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedDiscreteMixtureTests(ThreeSiloCluster cluster)
{
    private const int Chunk = DiscreteMixtureStatistics.ChunkSize;
    private const int N = 3 * Chunk;

    private static double[] Flat(MixtureModel<IndependentBernoulli> m) => [.. m.Weights, .. m.Distributions.SelectMany(c => c.Probabilities)];

    private static double[] Flat(MixtureModel<IndependentCategorical> m) => [.. m.Weights, .. m.Distributions.SelectMany(c => c.ToArrays().SelectMany(p => p))];

    private static MixtureModel<IndependentBernoulli> BernoulliStart() => BernoulliMixture.CreateModel([0.5, 0.5],
        new double[,] { { 0.6, 0.6, 0.6, 0.6, 0.4, 0.4, 0.4, 0.4 }, { 0.3, 0.4, 0.5, 0.4, 0.6, 0.7, 0.5, 0.6 } });

    private static double[,] Codes(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 4];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                x[i, j] = random.NextDouble() < 0.7 ? (i % 2 == 0 ? j % 3 : 2 - j % 3) : random.Next(3);
            }
        }

        return x;
    }

    private static MixtureModel<IndependentCategorical> CategoricalStart()
    {
        double[][] a = [.. Enumerable.Range(0, 4).Select(_ => new[] { 0.5, 0.3, 0.2 })];
        double[][] b = [.. Enumerable.Range(0, 4).Select(_ => new[] { 0.2, 0.3, 0.5 })];
        return new MixtureModel<IndependentCategorical>(new IndependentCategoricalFamily([3, 3, 3, 3]), [0.5, 0.5], [new IndependentCategorical(a), new IndependentCategorical(b)]);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.0)]
    public async Task Bernoulli_mixture_on_chunk_shards_is_BernoulliMixture_bit_for_bit(double pseudoCount)
    {
        double[,] x = Binary(N, 8, 7);
        var o = new MixtureOptions { Components = 2, MaxIterations = 40, Tolerance = 1e-9, PseudoCount = pseudoCount };
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, Chunk)));
        DistributedFitResult<MixtureModel<IndependentBernoulli>> result = await fit.FitBernoulliMixtureAsync(BernoulliStart(), o);

        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> local = new BernoulliMixture(o).FitFrom(BernoulliStart(), x);
        result.ObjectiveName.Should().Be(local.Report.ObjectiveName).And.Be(pseudoCount > 0 ? "meanLogPosterior" : "meanLogLikelihood");
        result.Iterations.Should().Be(local.Report.Iterations).And.BeGreaterThan(2);
        result.Converged.Should().Be(local.Report.Converged);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
        // Against a reference the engine did not compute: the merged statistics' M-step by hand, iteration by iteration.
        MixtureModel<IndependentBernoulli> reference = BernoulliStart();
        for (int t = 0; t < result.Iterations; t++)
        {
            reference = DiscreteMixtureStatistics.FromBernoulli(reference, x).ToBernoulliModel(pseudoCount);
        }

        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(reference)));
    }

    [Fact]
    public async Task Weighted_Bernoulli_mixture_repairs_an_empty_component_as_one_machine_does()
    {
        double[,] x = Binary(N, 8, 11);
        var w = new double[N];
        for (int i = 0; i < N; i++)
        {
            x[i, 0] = 1; // every row has at least two ones, so the second start component explains none of them
            x[i, 1] = 1;
            w[i] = i % 7 == 0 ? 0 : 0.5 + i % 3;
        }

        MixtureModel<IndependentBernoulli> start = BernoulliMixture.CreateModel([0.5, 0.5], new double[,]
        {
            { 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 },
            { 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300 },
        });
        var o = new MixtureOptions { Components = 2, MaxIterations = 6, Tolerance = 0, PseudoCount = 0 };
        ShardSource[] shards = [.. Enumerable.Range(0, 3).Select(s => new RowsShardSource(Slice(x, s * Chunk, (s + 1) * Chunk), w[(s * Chunk)..((s + 1) * Chunk)], $"shard {s}"))];
        DistributedFitResult<MixtureModel<IndependentBernoulli>> result = await new DistributedFit(cluster.Client, shards).FitBernoulliMixtureAsync(start, o);

        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> local = new BernoulliMixture(o).FitFrom(start, x, w);
        DiscreteMixtureStatistics first = DiscreteMixtureStatistics.FromBernoulli(start, x, w);
        first.ComponentWeights[1].Should().Be(0, "the start's second component explains no row: the first M-step repairs it");
        result.Model.Weights[1].Should().BeGreaterThan(0);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
    }

    [Fact]
    public async Task Bernoulli_mixture_on_uneven_shards_agrees_with_BernoulliMixture_to_rounding()
    {
        double[,] x = Binary(N, 8, 5);
        var o = new MixtureOptions { Components = 2, MaxIterations = 30, Tolerance = 1e-9 };
        DistributedFitResult<MixtureModel<IndependentBernoulli>> result =
            await new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 4))).FitBernoulliMixtureAsync(BernoulliStart(), o);

        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> local = new BernoulliMixture(o).FitFrom(BernoulliStart(), x);
        result.Iterations.Should().Be(local.Report.Iterations);
        MaxAbsDiff(Flat(result.Model), Flat(local.Model)).Should().BeLessThan(1e-9);
        MaxAbsDiff(result.Trace, local.Report.ObjectiveTrace).Should().BeLessThan(1e-12);
    }

    [Fact]
    public async Task Categorical_mixture_on_chunk_shards_is_CategoricalMixture_bit_for_bit_and_to_rounding_on_uneven_shards()
    {
        double[,] x = Codes(N, 8);
        var o = new MixtureOptions { Components = 2, MaxIterations = 30, Tolerance = 1e-10 };
        SoftClusteringFitResult<MixtureModel<IndependentCategorical>> local = new CategoricalMixture([3, 3, 3, 3], o).FitFrom(CategoricalStart(), x);

        DistributedFitResult<MixtureModel<IndependentCategorical>> aligned =
            await new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, Chunk))).FitCategoricalMixtureAsync(CategoricalStart(), o);
        aligned.Iterations.Should().Be(local.Report.Iterations).And.BeGreaterThan(2);
        Bits(aligned.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(aligned.Model)).Should().Equal(Bits(Flat(local.Model)));

        DistributedFitResult<MixtureModel<IndependentCategorical>> uneven =
            await new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 5))).FitCategoricalMixtureAsync(CategoricalStart(), o);
        uneven.Iterations.Should().Be(local.Report.Iterations);
        MaxAbsDiff(Flat(uneven.Model), Flat(local.Model)).Should().BeLessThan(1e-9);
        MaxAbsDiff(uneven.Trace, local.Report.ObjectiveTrace).Should().BeLessThan(1e-12);
    }
}
