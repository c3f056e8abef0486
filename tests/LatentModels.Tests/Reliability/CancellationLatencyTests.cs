using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Cancellation reaches every long loop at block granularity (docs/reliability.md, "Cancellation"): the K-Means and
/// k-means++ starts of a Gaussian mixture and incremental EM's rows within a pass. No timing: each test cancels before or
/// inside the work and checks that the work stopped before it completed and left the caller's data as it was.
/// </summary>
public class CancellationLatencyTests
{
    private static readonly double[,] _data = RangeTestData.Blobs(400, 3, 5);

    private static CancellationToken Cancelled()
    {
        var source = new CancellationTokenSource();
        source.Cancel();
        return source.Token;
    }

    [Theory]
    [InlineData(MixtureInit.KMeans)]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    public void The_k_means_start_of_a_Gaussian_mixture_honours_the_token(MixtureInit init)
    {
        var o = new GaussianMixtureOptions { Components = 4, Init = init, Seed = 3 };
        var engine = new GaussianMixtureEngine(_data, null, o);
        double[,] before = (double[,])_data.Clone();
        double[] weightsBefore = engine.Current.Weights.ToArray();

        Action start = () => GaussianMixture.Initialize(engine, _data, null, o, new Random(1), Cancelled());

        start.Should().Throw<OperationCanceledException>();
        engine.Current.Weights.ToArray().Should().Equal(weightsBefore, "the start was cancelled before it set any parameter");
        _data.Should().BeEquivalentTo(before, opt => opt.WithStrictOrdering());

        // Uncancelled, the same start sets the weights (they sum to one).
        GaussianMixture.Initialize(engine, _data, null, o, new Random(1), CancellationToken.None);
        engine.Current.Weights.ToArray().Sum().Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void K_means_plus_plus_seeding_checks_the_token_between_centers()
    {
        Action seed = () => KMeansSeeding.PlusPlusCore(_data, 5, new Random(2), null, 1, Cancelled());
        seed.Should().Throw<OperationCanceledException>();
        KMeansSeeding.PlusPlusCore(_data, 5, new Random(2), null, 1, CancellationToken.None).GetLength(0).Should().Be(5);
    }

    [Fact]
    public void An_incremental_EM_pass_checks_the_token_before_visiting_its_rows()
    {
        var o = new GaussianMixtureOptions { Components = 3, Seed = 4 };
        var engine = new GaussianMixtureEngine(_data, null, o);
        GaussianMixture.Initialize(engine, _data, null, o, new Random(4));
        var state = new IncrementalEmState(engine, _data, new Random(5));

        Action pass = () => state.Pass(Cancelled());

        pass.Should().Throw<OperationCanceledException>();
        state.Seen.Should().Be(0, "no row of the pass was visited after the cancellation");
        state.Pass(CancellationToken.None);
        state.Seen.Should().Be(_data.GetLength(0));
    }

    /// <summary>Cancels its source when the given pass is reported and records the passes (synchronously).</summary>
    private sealed class CancelAt(CancellationTokenSource source, int iteration) : IProgress<FitProgress>
    {
        public List<int> Iterations { get; } = [];

        public void Report(FitProgress value)
        {
            Iterations.Add(value.Iteration);
            if (value.Iteration == iteration)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void Incremental_EM_cancelled_after_its_first_pass_stops_before_the_second_and_leaves_the_data()
    {
        double[,] before = (double[,])_data.Clone();
        using var source = new CancellationTokenSource();
        var progress = new CancelAt(source, 1);
        var fitter = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 4 }, Passes = 50, Tolerance = 0 });

        Action fit = () => fitter.Fit(_data, progress, source.Token);

        fit.Should().Throw<OperationCanceledException>();
        progress.Iterations.Should().Equal([1], "the second pass stops at its first block");
        _data.Should().BeEquivalentTo(before, opt => opt.WithStrictOrdering());
    }

    private static double[,] Rows(int from, int count)
    {
        int d = _data.GetLength(1);
        var rows = new double[count, d];
        Array.Copy(_data, (long)from * d, rows, 0, (long)count * d);
        return rows;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void Online_K_Means_UpdateAll_cancelled_after_some_batches_leaves_the_estimator_as_before(int batchSize)
    {
        using var source = new CancellationTokenSource();
        long steps = 0;
        bool counting = false;
        var estimator = new OnlineKMeans(new OnlineKMeansOptions
        {
            Clusters = 3,
            Seed = 6,
            // A counting hook inside the work: the step function is called once per point; cancel after 40 points.
            LearningRate = n =>
            {
                if (counting && ++steps == 40)
                {
                    source.Cancel();
                }

                return 1.0 / n;
            },
        });
        estimator.UpdateAll(Rows(0, 100), batchSize);
        (long count, double[]? centers, long[] counts, double[] weights, ulong[] random) =
            (estimator.Count, estimator.CenterValues, estimator.ClusterCounts, estimator.ClusterWeights, estimator.Random.GetState());
        double[,] rest = Rows(100, 300), restBefore = (double[,])rest.Clone();

        counting = true;
        Action update = () => estimator.UpdateAll(rest, batchSize, source.Token);

        update.Should().Throw<OperationCanceledException>();
        steps.Should().BeInRange(40, 40 + batchSize - 1, "the update stopped at the first batch after the cancellation, well before its 300 points");
        estimator.Count.Should().Be(count);
        estimator.CenterValues.Should().Equal(centers);
        estimator.ClusterCounts.Should().Equal(counts);
        estimator.ClusterWeights.Should().Equal(weights);
        estimator.Random.GetState().Should().Equal(random);
        rest.Should().BeEquivalentTo(restBefore, opt => opt.WithStrictOrdering());

        // The restored estimator continues exactly as one that never saw the cancelled call.
        counting = false;
        estimator.UpdateAll(rest, batchSize, CancellationToken.None);
        var fresh = new OnlineKMeans(estimator.Options with { LearningRate = n => 1.0 / n });
        fresh.UpdateAll(Rows(0, 100), batchSize);
        fresh.UpdateAll(rest, batchSize);
        estimator.CenterValues.Should().Equal(fresh.CenterValues);
    }

    [Theory]
    [InlineData("kmeans")]
    [InlineData("gaussian")]
    public void Cancelled_UpdateAll_leaves_the_saved_state_unchanged(string kind)
    {
        object estimator;
        Action<double[,], CancellationToken> updateAll;
        if (kind == "gaussian")
        {
            var m = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 7 } });
            (estimator, updateAll) = (m, (x, t) => m.UpdateAll(x, 20, t));
        }
        else
        {
            var k = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Seed = 7 });
            (estimator, updateAll) = (k, (x, t) => k.UpdateAll(x, 20, t));
        }

        updateAll(Rows(0, 100), CancellationToken.None);
        string before = ModelJson.Serialize(estimator);

        Action update = () => updateAll(Rows(100, 300), Cancelled());

        update.Should().Throw<OperationCanceledException>();
        ModelJson.Serialize(estimator).Should().Be(before);
        updateAll(Rows(100, 300), CancellationToken.None);
        ModelJson.Serialize(estimator).Should().NotBe(before, "uncancelled, the same call consumes the rows");
    }

    /// <summary>1 where the value is above its column's first value, else 0 (binary rows for the Bernoulli mixture).</summary>
    private static double[,] Binary(double[,] x)
    {
        var b = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                b[i, j] = x[i, j] > _data[0, j] ? 1 : 0;
            }
        }

        return b;
    }

    [Fact]
    public void A_cancelled_discrete_UpdateAll_leaves_the_estimator_as_before()
    {
        var options = new StreamingDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 3, Seed = 7 } };
        var estimator = new StreamingBernoulliMixture(options);
        estimator.UpdateAll(Binary(Rows(0, 100)), 20);
        long count = estimator.Count;
        string model = ModelJson.Serialize(estimator.Snapshot());

        Action update = () => estimator.UpdateAll(Binary(Rows(100, 300)), 20, Cancelled());

        update.Should().Throw<OperationCanceledException>();
        estimator.Count.Should().Be(count);
        ModelJson.Serialize(estimator.Snapshot()).Should().Be(model);

        // It continues exactly as an estimator that never saw the cancelled call.
        estimator.UpdateAll(Binary(Rows(100, 300)), 20, CancellationToken.None);
        var fresh = new StreamingBernoulliMixture(options);
        fresh.UpdateAll(Binary(Rows(0, 100)), 20);
        fresh.UpdateAll(Binary(Rows(100, 300)), 20);
        ModelJson.Serialize(estimator.Snapshot()).Should().Be(ModelJson.Serialize(fresh.Snapshot()));
    }

    [Fact]
    public void The_variational_mixtures_k_means_start_honours_the_fits_token()
    {
        var o = new VariationalGaussianMixtureOptions { Components = 4, Seed = 3 };
        int d = _data.GetLength(1);
        var engine = new GaussianMixtureEngine(_data, null, o.EngineOptions(), (moments, shift) => VariationalGaussianMixture.CreateRule(o, moments, shift, d));
        var run = new VariationalBatchRun(engine, _data, null, o, Cancelled());

        Action start = () => run.Start(0, new Random(1));

        start.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Dictionary_learnings_k_means_plus_plus_start_honours_the_token()
    {
        var o = new DictionaryLearningOptions { Atoms = 5 };
        Action start = () => DictionaryLearning.InitialAtoms(_data, o, new Random(1), Cancelled());
        start.Should().Throw<OperationCanceledException>();
        DictionaryLearning.InitialAtoms(_data, o, new Random(1), CancellationToken.None).Length.Should().Be(5 * _data.GetLength(1));
    }

    [Fact]
    public void Incremental_discrete_EM_checks_the_token_before_every_block_of_a_pass()
    {
        double[,] x = Binary(_data);
        var options = new IncrementalDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 3, Seed = 2 }, BlockSize = 50 };
        var owner = new IncrementalBernoulliMixture(options);
        using var source = new CancellationTokenSource();
        var run = new DiscreteIncrementalRun<IndependentBernoulli>(owner, new BernoulliMixture(options.Mixture), x, null, options.BlockSize, source.Token);
        run.Start(0, new Random(1));
        MixtureModel<IndependentBernoulli> started = run.Snapshot();

        source.Cancel();
        Action pass = () => run.Iterate(new Random(1));

        pass.Should().Throw<OperationCanceledException>();
        run.Snapshot().Should().BeSameAs(started, "the pass stopped before its first block's M-step");
    }

    /// <summary>
    /// The E-step of batch EM and of the variational mixture (one pass over every row, the long part of an iteration)
    /// checks the fit's token before every block of rows: cancelled, it stops before its first block — no block's
    /// statistics are written — at one and at two threads, and then runs in full once the token is clear.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_E_step_of_EM_and_variational_iterations_checks_the_token_before_every_block(int threads)
    {
        double[,] data = RangeTestData.Blobs(3000, 3, 8);
        var o = new GaussianMixtureOptions { Components = 3, Seed = 2, MaxDegreeOfParallelism = threads };
        var engine = new GaussianMixtureEngine(data, null, o);
        GaussianMixture.Initialize(engine, data, null, o, new Random(2));
        ParallelBlocks.BlockCount(3000, GaussianMixtureEngine.BlockSizeFor(3, 3)).Should().BeGreaterThan(1);
        double[] totalsBefore = engine.Totals.Weight.ToArray();
        _ = new GaussianBatchRun(engine, data, null, o, Cancelled());

        Action eStep = () => engine.EStep();

        eStep.Should().Throw<OperationCanceledException>();
        engine.Totals.Weight.Should().Equal(totalsBefore, "no block was merged after the cancellation");
        engine.Cancellation = CancellationToken.None;
        engine.EStep();
        engine.Totals.Weight.Sum().Should().BeApproximately(3000, 1e-9);

        var vo = new VariationalGaussianMixtureOptions { Components = 3, Seed = 2, MaxDegreeOfParallelism = threads };
        Action variational = () => new VariationalGaussianMixture(vo).Fit(data, null, Cancelled());
        variational.Should().Throw<OperationCanceledException>();
    }

    /// <summary>
    /// A mean-field sweep of binary sparse coding (over the whole batch, by default every row) checks the token before
    /// every block of <see cref="BinarySparseCodingEngine.BlockRows"/> rows: cancelled, it writes no logit.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_binary_sparse_coding_sweep_checks_the_token_before_every_block(int threads)
    {
        const int h = 3, rows = 4 * BinarySparseCodingEngine.BlockRows;
        var engine = new BinarySparseCodingEngine(h, 5, rows, threads);
        var logits = Enumerable.Range(0, rows * h).Select(i => 0.01 * i).ToArray();
        var means = new double[rows * h];
        double[] before = (double[])logits.Clone();

        Action sweep = () => engine.Sweep(logits, means, 0, rows, new BinarySparseCodingInference(), 1.0, Cancelled());

        sweep.Should().Throw<OperationCanceledException>();
        logits.Should().Equal(before, "no block of the sweep ran after the cancellation");
        Action infer = () => engine.Infer(logits, means, 0, rows, new BinarySparseCodingInference(), 1.0, Cancelled());
        infer.Should().Throw<OperationCanceledException>();
        logits.Should().Equal(before);
    }
}
