using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Variational;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Variational;

/// <summary>
/// Stochastic VB and online dictionary learning over an <see cref="IRowChunkSource"/> (bounded memory) against the same
/// calls on the whole array: the same prior, the same shuffles and mini-batches, the same bound, score and objective, to
/// the bit — also when an epoch gathers its shuffled rows in many windows (one pass over the source per window).
/// </summary>
public sealed class StochasticVariationalSourceTests
{
    /// <summary>n rows of three seeded Gaussian clusters in d dimensions (more than one 16,384-row chunk for n = 20,000).</summary>
    internal static double[,] Clusters(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(3);
            for (int j = 0; j < d; j++)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                x[i, j] = (4 * c) + (j * 0.5 * c) + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * (1 + (0.3 * j)));
            }
        }

        return x;
    }

    private static StochasticVariationalGaussianMixtureOptions Options(CovarianceType covariance, int batchSize) => new()
    {
        Mixture = new VariationalGaussianMixtureOptions
        {
            Components = 3,
            Covariance = covariance,
            Init = MixtureInit.KMeansPlusPlus,
            Seed = 11,
        },
        BatchSize = batchSize,
        Epochs = 2,
    };

    [Theory]
    [InlineData(CovarianceType.Full, 500)]
    [InlineData(CovarianceType.Diagonal, 333)]
    [InlineData(CovarianceType.Spherical, 20_000)]
    public void Epochs_over_a_source_are_the_array_epochs_bit_for_bit(CovarianceType covariance, int batchSize)
    {
        double[,] x = Clusters(20_000, 3, 5);
        var estimator = new StochasticVariationalGaussianMixture(Options(covariance, batchSize));
        StreamingVariationalGaussianMixture inMemory = estimator.CreateStream(x);
        var source = new ArrayRowChunkSource(x, "x");
        StreamingVariationalGaussianMixture streamed = estimator.CreateStream(source);
        ModelJson.Serialize(streamed).Should().Be(ModelJson.Serialize(inMemory), "the prior is resolved from the same moments");
        for (int epoch = 0; epoch < 2; epoch++)
        {
            inMemory.UpdateEpoch(x);
            streamed.UpdateEpoch(source, epoch == 0 ? null : 20_000);
            ModelJson.Serialize(streamed).Should().Be(ModelJson.Serialize(inMemory), $"epoch {epoch}");
        }

        VariationalGaussianMixtureModel a = inMemory.Snapshot(x), b = streamed.Snapshot(source);
        Bits(b.Elbo).Should().Be(Bits(a.Elbo));
        Bits(b.LowerBound).Should().Be(Bits(a.LowerBound));
        Bits(b.Score(source, out long rows)).Should().Be(Bits(a.Score(x)));
        rows.Should().Be(20_000);
    }

    [Fact]
    public void An_epoch_gathered_in_many_windows_takes_the_same_steps_as_the_array_epoch()
    {
        double[,] x = Clusters(5_000, 2, 8);
        var estimator = new StochasticVariationalGaussianMixture(Options(CovarianceType.Full, 128));
        StreamingVariationalGaussianMixture inMemory = estimator.CreateStream(x), streamed = estimator.CreateStream(x);
        var source = new ArrayRowChunkSource(x, "x");
        for (int epoch = 0; epoch < 2; epoch++)
        {
            inMemory.UpdateEpoch(x);
            // 1,000 rows of 2 doubles: windows of 896 rows (7 mini-batches), 6 passes over the source per epoch.
            streamed.UpdateEpochStreamed(source, 5_000, 2, 1_000 * 2 * sizeof(double), CancellationToken.None);
        }

        ModelJson.Serialize(streamed).Should().Be(ModelJson.Serialize(inMemory));
        streamed.Steps.Should().Be(2 * 40, "5,000 rows in mini-batches of 128 are 40 steps per epoch");
    }

    [Fact]
    public void A_failed_streamed_epoch_leaves_the_stream_as_it_was()
    {
        double[,] x = Clusters(3_000, 2, 9);
        var estimator = new StochasticVariationalGaussianMixture(Options(CovarianceType.Diagonal, 100));
        StreamingVariationalGaussianMixture stream = estimator.CreateStream(x);
        stream.UpdateEpoch(new ArrayRowChunkSource(x, "x"));
        string before = ModelJson.Serialize(stream);
        double[,] huge = (double[,])x.Clone();
        huge[2_500, 1] = 1e300;
        Action act = () => stream.UpdateEpoch(new ArrayRowChunkSource(huge, "huge"), 3_000);
        act.Should().Throw<ArgumentException>().WithMessage("*row 2500, column 1*").Which.ParamName.Should().Be("data");
        Action wrongCount = () => stream.UpdateEpoch(new ArrayRowChunkSource(x, "x"), 2_999);
        wrongCount.Should().Throw<ArgumentException>().WithMessage("*more than the 2999 rows*");
        ModelJson.Serialize(stream).Should().Be(before);
    }

    [Fact]
    public void Inverting_a_permutation_in_place_gives_every_row_its_place()
    {
        var random = new Random(3);
        foreach (int n in new[] { 1, 2, 7, 1000 })
        {
            int[] order = [.. Enumerable.Range(0, n).OrderBy(_ => random.Next())];
            int[] inverse = (int[])order.Clone();
            StreamingVariationalGaussianMixture.InvertInPlace(inverse);
            for (int p = 0; p < n; p++)
            {
                inverse[order[p]].Should().Be(p);
            }
        }
    }

    [Fact]
    public void Online_dictionary_learning_fed_chunk_by_chunk_and_its_streamed_objective_are_the_array_ones()
    {
        double[,] x = Clusters(20_000, 4, 12);
        var options = new DictionaryLearningOptions { Atoms = 5, Alpha = 0.2, BatchSize = 300, Seed = 2 };
        var whole = new OnlineDictionaryLearning(options);
        whole.UpdateAll(x, passes: 2);
        var chunked = new OnlineDictionaryLearning(options);
        var source = new ArrayRowChunkSource(x, "x");
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (double[,] batch in source.ReadChunks(300))
            {
                chunked.Update(batch);
            }
        }

        DictionaryModel a = whole.Snapshot(), b = chunked.Snapshot();
        Bits(b.AtomsSpan.ToArray()).Should().Equal(Bits(a.AtomsSpan.ToArray()));
        Bits(b.Objective(source, out long rows)).Should().Be(Bits(a.Objective(x)));
        rows.Should().Be(20_000);
    }
}
