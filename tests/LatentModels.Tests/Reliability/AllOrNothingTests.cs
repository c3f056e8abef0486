using System.Collections;
using System.Reflection;
using CsCheck;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.NeuralNetworks;
using LatentModels.Persistence;
using LatentModels.Randomness;
using LatentModels.SparseCoding;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Every public call is all-or-nothing (docs/reliability.md, "All-or-nothing calls"): generated bad inputs — NaN or ±∞ (or a
/// value outside a discrete family's sample space) at a generated row and column, the wrong width, no values, negative or
/// non-finite weights, a wrong number of weights, a cancelled token — thrown at every online estimator at every stage
/// (fresh, buffering its start, initialised) and at every batch estimator give the documented exception naming the
/// parameter, leave the estimator's complete state (its saved state, or every field a save would hold) and the caller's
/// arrays as they were, and the next valid call then gives the same bits as on an estimator that never saw the bad call.
/// Calls that fail in the middle of their work (a cancellation between mini-batches, a custom learning rate that fails)
/// are rolled back the same way.
/// </summary>
public class AllOrNothingTests
{
    private const int D = 3;
    private static readonly int[] _categories = [3, 2, 4];

    private enum Kind
    {
        BadPointValue,
        BadBatchValue,
        BadDataValue,
        WrongPointWidth,
        WrongBatchWidth,
        WrongDataWidth,
        NoColumns,
        BadWeight,
        WrongWeightCount,
        Cancelled,
    }

    /// <summary>An online estimator under test: how to make one, feed it and read its complete state.</summary>
    private sealed class Online
    {
        public required string Name { get; init; }

        public required Func<object> Create { get; init; }

        public required Func<int, int, double[,]> Data { get; init; }

        public required Func<object, string> State { get; init; }

        public required Action<object, double[]> Point { get; init; }

        public required Action<object, double[,]> Batch { get; init; }

        public required Action<object, double[,], CancellationToken> All { get; init; }

        public Action<object, double[], double>? WeightedPoint { get; init; }

        public Action<object, double[,], double[]>? WeightedBatch { get; init; }

        public Action<object, double[,], double[], CancellationToken>? WeightedAll { get; init; }

        public required double[] BadValues { get; init; }

        /// <summary>Rows fed before the bad call: none, a few (the start still buffering), enough to initialise.</summary>
        public required int[] Stages { get; init; }

        public override string ToString() => Name;

        public object At(int stage)
        {
            object estimator = Create();
            if (stage > 0)
            {
                Batch(estimator, Data(stage, 1));
            }

            return estimator;
        }

        /// <summary>A valid continuation: a batch, a point, and a whole data set.</summary>
        public void Next(object estimator)
        {
            Batch(estimator, Data(24, 7));
            Point(estimator, Row(Data(1, 8), 0));
            All(estimator, Data(30, 9), CancellationToken.None);
        }
    }

    private static long Count(object estimator) => (long)estimator.GetType().GetProperty("Count")!.GetValue(estimator)!;

    private static double[] Row(double[,] x, int i) => Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j]).ToArray();

    private static double[,] Blobs(int n, int seed) => RangeTestData.Blobs(n, D, seed);

    private static double[,] Binary(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, D];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < D; j++)
            {
                x[i, j] = random.NextDouble() < (i % 2 == 0 ? 0.8 : 0.2) ? 1 : 0;
            }
        }

        return x;
    }

    private static double[,] Categories(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, D];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < D; j++)
            {
                x[i, j] = (i % 2 == 0 || random.NextDouble() < 0.3) ? random.Next(_categories[j]) : 0;
            }
        }

        return x;
    }

    private static string Bits(IEnumerable<double> values) => string.Join(",", values.Select(BitConverter.DoubleToInt64Bits));

    private static object? Field(object o, string name)
    {
        for (Type? t = o.GetType(); t is not null; t = t.BaseType)
        {
            if (t.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic) is { } field)
            {
                return field.GetValue(o);
            }
        }

        throw new InvalidOperationException($"No field {name} on {o.GetType().Name}.");
    }

    /// <summary>The state of a streaming discrete mixture (no state codec): count, dimension, buffer, statistics and model.</summary>
    private static string DiscreteState<T>(StreamingDiscreteMixture<T> s) where T : class
    {
        object? statistics = Field(s, "_statistics");
        return $"{s.Count}|{Field(s, "_dimension")}|{Bits((List<double>)Field(s, "_buffer")!)}|" +
            $"{(statistics is null ? "-" : ModelJson.Serialize(statistics))}|{(s.IsInitialized ? ModelJson.Serialize(s.Snapshot()) : "-")}";
    }

    /// <summary>The state of online dictionary learning (no state codec): count, buffer, atoms, statistics, generator.</summary>
    private static string DictionaryState(OnlineDictionaryLearning s)
    {
        var buffer = (List<double[]>)Field(s, "_buffer")!;
        var random = (PersistableRandom)Field(s, "_random")!;
        return $"{s.Count}|{string.Join(";", buffer.Select(Bits))}|{(s.IsInitialized ? ModelJson.Serialize(s.Snapshot()) : "-")}|" +
            $"{(s.Statistics is null ? "-" : ModelJson.Serialize(s.Statistics))}|{string.Join(",", random.GetState())}";
    }

    private static readonly double[] _nonFinite = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    private static readonly Online[] _online =
    [
        new()
        {
            Name = "OnlineKMeans",
            Create = () => new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, InitializationSize = 10, Seed = 4 }),
            Data = Blobs,
            State = ModelJson.Serialize,
            Point = (e, p) => ((OnlineKMeans)e).Update(p),
            Batch = (e, b) => ((OnlineKMeans)e).Update(b),
            All = (e, x, t) => ((OnlineKMeans)e).UpdateAll(x, 4, t),
            WeightedPoint = (e, p, w) => ((OnlineKMeans)e).Update(p, w),
            WeightedBatch = (e, b, w) => ((OnlineKMeans)e).Update(b, w),
            BadValues = _nonFinite,
            Stages = [0, 4, 40],
        },
        new()
        {
            Name = "StreamingGaussianMixture",
            Create = () => new StreamingGaussianMixture(new StreamingGaussianMixtureOptions
            {
                Mixture = new GaussianMixtureOptions { Components = 3, Regularization = 1e-6, Seed = 2 },
                InitializationSize = 12,
            }),
            Data = Blobs,
            State = ModelJson.Serialize,
            Point = (e, p) => ((StreamingGaussianMixture)e).Update(p),
            Batch = (e, b) => ((StreamingGaussianMixture)e).Update(b),
            All = (e, x, t) => ((StreamingGaussianMixture)e).UpdateAll(x, 5, t),
            BadValues = [.. _nonFinite, 1e200],
            Stages = [0, 4, 40],
        },
        new()
        {
            Name = "StreamingVariationalGaussianMixture",
            Create = () => new StreamingVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
            {
                Mixture = new VariationalGaussianMixtureOptions { Components = 3, Seed = 5, MeanPrior = [0, 0, 0], CovariancePrior = [30, 0, 0, 0, 30, 0, 0, 0, 30] },
                DataSize = 200,
                BatchSize = 8,
            }),
            Data = Blobs,
            State = ModelJson.Serialize,
            Point = (e, p) => ((StreamingVariationalGaussianMixture)e).Update(p),
            Batch = (e, b) => ((StreamingVariationalGaussianMixture)e).Update(b),
            All = (e, x, t) => ((StreamingVariationalGaussianMixture)e).UpdateEpoch(x, t),
            WeightedBatch = (e, b, w) => ((StreamingVariationalGaussianMixture)e).Update(b, w),
            WeightedAll = (e, x, w, t) => ((StreamingVariationalGaussianMixture)e).UpdateEpoch(x, w, t),
            BadValues = _nonFinite,
            Stages = [0, 40],
        },
        new()
        {
            Name = "StreamingBernoulliMixture",
            Create = () => new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2, Seed = 3 }, InitializationSize = 10 }),
            Data = Binary,
            State = e => DiscreteState((StreamingBernoulliMixture)e),
            Point = (e, p) => ((StreamingBernoulliMixture)e).Update(p),
            Batch = (e, b) => ((StreamingBernoulliMixture)e).Update(b),
            All = (e, x, t) => ((StreamingBernoulliMixture)e).UpdateAll(x, 4, t),
            BadValues = [.. _nonFinite, 2, -1, 0.5],
            Stages = [0, 4, 40],
        },
        new()
        {
            Name = "StreamingCategoricalMixture",
            Create = () => new StreamingCategoricalMixture(_categories, new StreamingDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2, Seed = 3 }, InitializationSize = 10 }),
            Data = Categories,
            State = e => DiscreteState((StreamingCategoricalMixture)e),
            Point = (e, p) => ((StreamingCategoricalMixture)e).Update(p),
            Batch = (e, b) => ((StreamingCategoricalMixture)e).Update(b),
            All = (e, x, t) => ((StreamingCategoricalMixture)e).UpdateAll(x, 4, t),
            BadValues = [.. _nonFinite, 5, -1, 0.5],
            Stages = [0, 4, 40],
        },
        new()
        {
            Name = "OnlineDictionaryLearning",
            Create = () => new OnlineDictionaryLearning(new DictionaryLearningOptions { Atoms = 5, Alpha = 0.1, BatchSize = 6, Seed = 6 }),
            Data = Blobs,
            State = e => DictionaryState((OnlineDictionaryLearning)e),
            Point = (e, p) => ((OnlineDictionaryLearning)e).Update(p),
            Batch = (e, b) => ((OnlineDictionaryLearning)e).Update(b),
            All = (e, x, t) => ((OnlineDictionaryLearning)e).UpdateAll(x, 1, t),
            BadValues = _nonFinite,
            Stages = [0, 3, 40],
        },
    ];

    private static double[,] WithValue(double[,] x, int row, int column, double value)
    {
        var copy = (double[,])x.Clone();
        copy[row % x.GetLength(0), column % x.GetLength(1)] = value;
        return copy;
    }

    /// <summary>The bad call for a generated case, the parameter it must name (null: an <see cref="OperationCanceledException"/>), and the caller's arrays.</summary>
    private static (Action<object> Call, string? Parameter, Array[] Arrays)? BadCall(Online s, int stage, Kind kind, int row, int column, double value, int widthDelta)
    {
        double[,] batch = s.Data(7, 11), data = s.Data(25, 12);
        double[] point = Row(batch, 0);
        bool fixedWidth = stage > 0;
        int wrong = Math.Max(0, D + widthDelta);
        switch (kind)
        {
            case Kind.BadPointValue:
                point[column % D] = value;
                return (e => s.Point(e, point), "point", [point]);
            case Kind.BadBatchValue:
                batch = WithValue(batch, row, column, value);
                return (e => s.Batch(e, batch), "batch", [batch]);
            case Kind.BadDataValue:
                data = WithValue(data, row, column, value);
                return (e => s.All(e, data, CancellationToken.None), "data", [data]);
            case Kind.WrongPointWidth when fixedWidth || wrong == 0:
                point = new double[wrong];
                return (e => s.Point(e, point), "point", [point]);
            case Kind.WrongBatchWidth when fixedWidth:
                batch = new double[3, wrong];
                return (e => s.Batch(e, batch), "batch", [batch]);
            case Kind.WrongDataWidth when fixedWidth:
                data = new double[9, wrong];
                return (e => s.All(e, data, CancellationToken.None), "data", [data]);
            case Kind.NoColumns:
                batch = new double[row % 5 + 1, 0];
                return (e => s.Batch(e, batch), "batch", [batch]);
            case Kind.BadWeight when s.WeightedBatch is not null || s.WeightedPoint is not null || s.WeightedAll is not null:
                {
                    double bad = (row % 4) switch { 0 => -1, 1 => double.NaN, 2 => double.PositiveInfinity, _ => -1e-300 };
                    double[] weights = Enumerable.Repeat(1.0, 7).ToArray();
                    weights[column % 7] = bad;
                    if (s.WeightedPoint is { } weightedPoint && row % 3 == 0)
                    {
                        return (e => weightedPoint(e, point, bad), "weight", [point]);
                    }

                    if (s.WeightedAll is { } weightedAll && (row % 3 == 1 || s.WeightedBatch is null))
                    {
                        double[] all = Enumerable.Repeat(1.0, 25).ToArray();
                        all[column % 25] = bad;
                        return (e => weightedAll(e, data, all, CancellationToken.None), "sampleWeights", [data, all]);
                    }

                    return (e => s.WeightedBatch!(e, batch, weights), "sampleWeights", [batch, weights]);
                }

            case Kind.WrongWeightCount when s.WeightedBatch is not null:
                {
                    double[] weights = Enumerable.Repeat(1.0, 7 + (widthDelta == 0 ? 1 : widthDelta)).ToArray();
                    return (e => s.WeightedBatch(e, batch, weights), "sampleWeights", [batch, weights]);
                }

            case Kind.Cancelled:
                {
                    var source = new CancellationTokenSource();
                    source.Cancel();
                    return (e => s.All(e, data, source.Token), null, [data]);
                }

            default:
                return null;
        }
    }

    private static Gen<T> Pick<T>(T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static Array Copy(Array a) => (Array)a.Clone();

    private static void ShouldEqual(Array actual, Array expected, string because)
    {
        actual.Length.Should().Be(expected.Length, because);
        IEnumerator e = expected.GetEnumerator();
        foreach (object? v in actual)
        {
            e.MoveNext();
            BitConverter.DoubleToInt64Bits((double)v!).Should().Be(BitConverter.DoubleToInt64Bits((double)e.Current!), because);
        }
    }

    [Fact]
    public void Every_bad_input_to_every_online_estimator_changes_nothing_and_the_next_call_is_as_on_a_fresh_one()
    {
        Gen<(Online, int, Kind, int, int, double, int)> cases =
            from s in Pick(_online)
            from stage in Pick(s.Stages)
            from kind in Gen.Enum<Kind>()
            from row in Gen.Int[0, 40]
            from column in Gen.Int[0, 10]
            from value in Pick(s.BadValues)
            from widthDelta in Pick(new[] { -3, -1, 1, 2 })
            select (s, stage, kind, row, column, value, widthDelta);
        int checkedCases = 0;
        cases.SampleSeeded(c =>
        {
            (Online s, int stage, Kind kind, int row, int column, double value, int widthDelta) = c;
            if (BadCall(s, stage, kind, row, column, value, widthDelta) is not { } bad)
            {
                return; // a kind this estimator has no call for, or that is valid at this stage
            }

            object touched = s.At(stage), untouched = s.At(stage);
            string before = s.State(touched);
            Array[] copies = bad.Arrays.Select(Copy).ToArray();

            Action call = () => bad.Call(touched);
            if (bad.Parameter is null)
            {
                call.Should().Throw<OperationCanceledException>();
            }
            else
            {
                call.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(bad.Parameter);
            }

            s.State(touched).Should().Be(before, "a rejected call changes nothing");
            for (int a = 0; a < copies.Length; a++)
            {
                ShouldEqual(bad.Arrays[a], copies[a], "the caller's arrays are not modified");
            }

            s.Next(touched);
            s.Next(untouched);
            s.State(touched).Should().Be(s.State(untouched), "the next valid calls give the bits of an estimator that never saw the bad call");
            checkedCases++;
        }, iterations: 400);
        checkedCases.Should().BeGreaterThan(250);
    }

    [Fact]
    public void A_whole_data_set_call_cancelled_between_mini_batches_is_rolled_back()
    {
        foreach (Online s in _online)
        {
            foreach (int stage in new[] { 0, s.Stages[^1] })
            {
                CancelMidCall(s, stage);
            }
        }
    }

    /// <summary>
    /// Cancels from another thread as soon as the call has consumed its first mini-batch (the token is checked before every
    /// mini-batch, so the call stops in the middle); retried until a cancellation lands inside the call.
    /// </summary>
    private static void CancelMidCall(Online s, int stage)
    {
        double[,] data = s.Data(60000, 21);
        double[,] copy = (double[,])data.Clone();
        for (int attempt = 0; attempt < 30; attempt++)
        {
            object touched = s.At(stage);
            string before = s.State(touched);
            long start = Count(touched);
            using var source = new CancellationTokenSource();
            using var ready = new ManualResetEventSlim();
            bool done = false;
            // A dedicated thread (not the pool, which the test runner keeps busy) watches the count.
            var canceller = new Thread(() =>
            {
                ready.Set();
                while (!Volatile.Read(ref done) && Count(touched) == start)
                {
                    Thread.SpinWait(20);
                }

                source.Cancel();
            })
            { IsBackground = true };
            canceller.Start();
            ready.Wait();
            bool cancelled = false;
            try
            {
                s.All(touched, data, source.Token);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }

            Volatile.Write(ref done, true);
            canceller.Join();
            if (!cancelled)
            {
                continue; // the call finished before the other thread saw it start
            }

            s.State(touched).Should().Be(before, $"{s.Name} at stage {stage}: a call cancelled after its first mini-batches is rolled back");
            ShouldEqual(data, copy, "the caller's data are not modified");
            object untouched = s.At(stage);
            s.Next(touched);
            s.Next(untouched);
            s.State(touched).Should().Be(s.State(untouched), $"{s.Name} at stage {stage}: it continues as an estimator that never saw the call");
            return;
        }

        throw new Xunit.Sdk.XunitException($"{s.Name}: no cancellation landed inside UpdateAll in 30 attempts.");
    }

    private static string OnlineKMeansState(OnlineKMeans k) =>
        $"{k.Count}|{k.Dimension}|{Bits(k.BufferedValues)}|{Bits(k.BufferedWeights)}|{Bits(k.CenterValues ?? [])}|{string.Join(",", k.ClusterCounts)}|" +
        $"{Bits(k.ClusterWeights)}|{k.SinceReassignment}|{string.Join(",", k.Random.GetState())}";

    [Fact]
    public void A_custom_learning_rate_that_fails_or_cancels_in_the_middle_of_a_call_leaves_online_k_means_as_before()
    {
        Gen.Select(Gen.Int[1, 120], Gen.Int[0, 2], Gen.Int[0, 2]).SampleSeeded(c =>
        {
            (int failAt, int stageIndex, int call) = c;
            int stage = new[] { 0, 5, 40 }[stageIndex];
            long calls = 0;
            bool armed = false;
            using var source = new CancellationTokenSource();
            bool cancel = failAt % 2 == 0;
            double Rate(long n)
            {
                if (armed && ++calls == failAt)
                {
                    if (cancel)
                    {
                        source.Cancel();
                    }
                    else
                    {
                        return 2; // an invalid step: the estimator throws InvalidOperationException
                    }
                }

                return 1.0 / n;
            }

            OnlineKMeans Make()
            {
                var k = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, InitializationSize = 10, Seed = 4, LearningRate = Rate });
                if (stage > 0)
                {
                    k.Update(Blobs(stage, 1));
                }

                return k;
            }

            OnlineKMeans touched = Make(), untouched = Make();
            string before = OnlineKMeansState(touched);
            double[,] data = Blobs(150, 31);
            armed = true;
            Action act = call switch
            {
                0 => () => touched.UpdateAll(data, 3, source.Token),
                1 => () => touched.Update(data),
                _ => () => touched.UpdateAll(data, 1, source.Token),
            };
            if (cancel && call != 1)
            {
                act.Should().Throw<OperationCanceledException>();
            }
            else if (!cancel)
            {
                act.Should().Throw<InvalidOperationException>();
            }
            else
            {
                act(); // a single batch takes no token: it completes
                return;
            }

            armed = false;
            OnlineKMeansState(touched).Should().Be(before);
            touched.Update(Blobs(30, 9));
            untouched.Update(Blobs(30, 9));
            OnlineKMeansState(touched).Should().Be(OnlineKMeansState(untouched));
        }, iterations: 60);
    }

    [Fact]
    public void A_rejected_first_point_does_not_fix_the_dimension()
    {
        foreach (Online s in _online)
        {
            object e = s.Create();
            FluentActions.Invoking(() => s.Point(e, [double.NaN, 1])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("point");
            FluentActions.Invoking(() => s.Batch(e, new double[,] { { 1, double.PositiveInfinity } })).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("batch");
            s.Next(e); // three columns: accepted, as by a fresh estimator
            Count(e).Should().Be(24 + 1 + 30, s.Name);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full, false)]
    [InlineData(CovarianceType.Diagonal, true)]
    [InlineData(CovarianceType.Spherical, false)]
    [InlineData(CovarianceType.Tied, true)]
    public void A_streaming_em_step_whose_covariance_fails_leaves_the_estimator_as_before(CovarianceType type, bool whole)
    {
        // With η₁ = 1 (StepExponent 1, StepOffset 0) the first mini-batch's statistics replace the start's: a batch of one
        // repeated point makes every covariance zero, and without regularisation the M-step fails after the merge.
        double[] covariances = type switch
        {
            CovarianceType.Full => [1, 0, 0, 1, 1, 0, 0, 1],
            CovarianceType.Tied => [1, 0, 0, 1],
            CovarianceType.Diagonal => [1, 1, 1, 1],
            _ => [1, 1],
        };
        GaussianMixtureModel start = GaussianMixtureModel.Create(type, [0.5, 0.5], new double[,] { { 0, 0 }, { 5, 5 } }, covariances);
        StreamingGaussianMixture Make() => new(new StreamingGaussianMixtureOptions
        {
            Mixture = new GaussianMixtureOptions { Components = 2, Covariance = type, Regularization = 0, InitialModel = start },
            StepExponent = 1,
            StepOffset = 0,
            InitializationSize = 2,
        });
        StreamingGaussianMixture touched = Make(), untouched = Make();
        string before = ModelJson.Serialize(touched);
        var repeated = new double[6, 2];
        for (int i = 0; i < 6; i++)
        {
            (repeated[i, 0], repeated[i, 1]) = (1, 2);
        }

        Action update = whole ? () => touched.UpdateAll(repeated, 3) : () => touched.Update(repeated);
        update.Should().Throw<FittingException>();
        ModelJson.Serialize(touched).Should().Be(before, "the failed step's merge and count are rolled back");
        double[,] good = Blobs(40, 5);
        double[,] two = new double[40, 2];
        for (int i = 0; i < 40; i++)
        {
            (two[i, 0], two[i, 1]) = (good[i, 0], good[i, 1]);
        }

        touched.UpdateAll(two, 8);
        untouched.UpdateAll(two, 8);
        ModelJson.Serialize(touched).Should().Be(ModelJson.Serialize(untouched));
    }

    [Fact]
    public void Dictionary_statistics_of_another_shape_are_rejected_naming_them()
    {
        var learner = new OnlineDictionaryLearning(new DictionaryLearningOptions { Atoms = 3, Alpha = 0.1, Seed = 1 });
        learner.Update(Blobs(10, 2));
        var other = new OnlineDictionaryLearning(new DictionaryLearningOptions { Atoms = 4, Alpha = 0.1, Seed = 1 });
        other.Update(Blobs(10, 2));
        string before = DictionaryState(learner);
        FluentActions.Invoking(() => learner.Update(other.Statistics!)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("statistics");
        DictionaryState(learner).Should().Be(before);
    }

    /// <summary>A batch estimator under test: its fit (plain and weighted), its data and the saved form of a model.</summary>
    private sealed record Batch(string Name, Func<object> Create, Func<object, double[,], object> Fit, Func<object, double[,], double[], object>? WeightedFit, Func<int, int, double[,]> Data, double[] BadValues)
    {
        public override string ToString() => Name;
    }

    private static object ModelOf(object fitResult) => fitResult.GetType().GetProperty("Model")!.GetValue(fitResult)!;

    private static readonly Batch[] _batch =
    [
        new("KMeans", () => new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }), (e, x) => ((KMeans)e).Fit(x), (e, x, w) => ((KMeans)e).Fit(x, w), Blobs, _nonFinite),
        new("MiniBatchKMeans", () => new MiniBatchKMeans(new MiniBatchKMeansOptions { Clusters = 3, BatchSize = 16, Seed = 1 }), (e, x) => ((MiniBatchKMeans)e).Fit(x), (e, x, w) => ((MiniBatchKMeans)e).Fit(x, w), Blobs, _nonFinite),
        new("GaussianMixture", () => new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = 1 }), (e, x) => ((GaussianMixture)e).Fit(x), (e, x, w) => ((GaussianMixture)e).Fit(x, w), Blobs, _nonFinite),
        new("GaussianMixture MAP", () => new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = 1, Prior = GaussianMixturePrior.Default, Covariance = CovarianceType.Diagonal }), (e, x) => ((GaussianMixture)e).Fit(x), (e, x, w) => ((GaussianMixture)e).Fit(x, w), Blobs, _nonFinite),
        new("IncrementalGaussianMixture", () => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 3, Seed = 1 }, Passes = 3 }), (e, x) => ((IncrementalGaussianMixture)e).Fit(x), (e, x, w) => ((IncrementalGaussianMixture)e).Fit(x, w), Blobs, _nonFinite),
        new("VariationalGaussianMixture", () => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 3, Seed = 1 }), (e, x) => ((VariationalGaussianMixture)e).Fit(x), (e, x, w) => ((VariationalGaussianMixture)e).Fit(x, w), Blobs, _nonFinite),
        new("StochasticVariationalGaussianMixture", () => new StochasticVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions { Mixture = new VariationalGaussianMixtureOptions { Components = 3, Seed = 1 }, BatchSize = 16, Epochs = 2 }), (e, x) => ((StochasticVariationalGaussianMixture)e).Fit(x), (e, x, w) => ((StochasticVariationalGaussianMixture)e).Fit(x, w), Blobs, _nonFinite),
        new("BernoulliMixture", () => new BernoulliMixture(new MixtureOptions { Components = 2, Seed = 1 }), (e, x) => ((BernoulliMixture)e).Fit(x), (e, x, w) => ((BernoulliMixture)e).Fit(x, w), Binary, [.. _nonFinite, 2, 0.5]),
        new("CategoricalMixture", () => new CategoricalMixture(_categories, new MixtureOptions { Components = 2, Seed = 1 }), (e, x) => ((CategoricalMixture)e).Fit(x), (e, x, w) => ((CategoricalMixture)e).Fit(x, w), Categories, [.. _nonFinite, 7, -1]),
        new("IncrementalBernoulliMixture", () => new IncrementalBernoulliMixture(new IncrementalDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2, Seed = 1 }, Passes = 3 }), (e, x) => ((IncrementalBernoulliMixture)e).Fit(x), (e, x, w) => ((IncrementalBernoulliMixture)e).Fit(x, w), Binary, [.. _nonFinite, 2]),
        new("IncrementalCategoricalMixture", () => new IncrementalCategoricalMixture(_categories, new IncrementalDiscreteMixtureOptions { Mixture = new MixtureOptions { Components = 2, Seed = 1 }, Passes = 3 }), (e, x) => ((IncrementalCategoricalMixture)e).Fit(x), (e, x, w) => ((IncrementalCategoricalMixture)e).Fit(x, w), Categories, [.. _nonFinite, 0.5]),
        new("VariationalBernoulliMixture", () => new VariationalBernoulliMixture(new VariationalDiscreteMixtureOptions { Components = 2, Seed = 1 }), (e, x) => ((VariationalBernoulliMixture)e).Fit(x), (e, x, w) => ((VariationalBernoulliMixture)e).Fit(x, w), Binary, [.. _nonFinite, -1]),
        new("VariationalCategoricalMixture", () => new VariationalCategoricalMixture(_categories, new VariationalDiscreteMixtureOptions { Components = 2, Seed = 1 }), (e, x) => ((VariationalCategoricalMixture)e).Fit(x), (e, x, w) => ((VariationalCategoricalMixture)e).Fit(x, w), Categories, [.. _nonFinite, 3]),
        new("DictionaryLearning", () => new DictionaryLearning(new DictionaryLearningOptions { Atoms = 4, Alpha = 0.1, MaxIterations = 3, Seed = 1 }), (e, x) => ((DictionaryLearning)e).Fit(x), null, Blobs, _nonFinite),
        new("BinarySparseCoding", () => new BinarySparseCoding(new BinarySparseCodingOptions { Components = 2, MaxIterations = 3, Seed = 1 }), (e, x) => ((BinarySparseCoding)e).Fit(x), null, Blobs, _nonFinite),
        new("VariationalAutoencoder", () => new VariationalAutoencoder(new VariationalAutoencoderOptions { Likelihood = DecoderLikelihood.Gaussian, HiddenSizes = [4], LatentDimension = 2, Epochs = 2, BatchSize = 8, Seed = 1 }), (e, x) => ((VariationalAutoencoder)e).Fit(x), null, Blobs, _nonFinite),
    ];

    [Fact]
    public void Every_bad_input_to_every_batch_estimator_is_rejected_naming_the_parameter_and_changes_nothing()
    {
        Gen<(Batch, int, int, int, double, int)> cases =
            from s in Pick(_batch)
            from kind in Gen.Int[0, 5]
            from row in Gen.Int[0, 59]
            from column in Gen.Int[0, D - 1]
            from value in Pick(s.BadValues)
            from weightKind in Gen.Int[0, 3]
            select (s, kind, row, column, value, weightKind);
        var fresh = new Dictionary<string, string>();
        cases.SampleSeeded(c =>
        {
            (Batch s, int kind, int row, int column, double value, int weightKind) = c;
            double[,] data = s.Data(60, 3);
            double[] weights = Enumerable.Repeat(1.0, 60).ToArray();
            string parameter = "data";
            switch (kind)
            {
                case 0:
                case 1:
                    data[row, column] = value;
                    break;
                case 2:
                    data = new double[0, D];
                    weights = [];
                    break;
                case 3:
                    data = new double[row % 4 + 1, 0];
                    weights = new double[row % 4 + 1];
                    break;
                default:
                    if (s.WeightedFit is null)
                    {
                        data[row, column] = value;
                        break;
                    }

                    parameter = "sampleWeights";
                    if (kind == 4)
                    {
                        weights[row] = weightKind switch { 0 => -1, 1 => double.NaN, 2 => double.PositiveInfinity, _ => double.NegativeInfinity };
                    }
                    else
                    {
                        weights = new double[59 + 2 * (weightKind % 2)];
                        weights.AsSpan().Fill(1);
                    }

                    break;
            }

            object estimator = s.Create();
            double[,] dataCopy = (double[,])data.Clone();
            double[] weightsCopy = (double[])weights.Clone();
            bool weighted = s.WeightedFit is not null && (parameter == "sampleWeights" || weightKind == 3);
            Action fit = weighted ? () => s.WeightedFit!(estimator, data, weights) : () => s.Fit(estimator, data);
            fit.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(parameter, $"{s.Name}, case {kind}");
            ShouldEqual(data, dataCopy, "the caller's data are not modified");
            ShouldEqual(weights, weightsCopy, "the caller's weights are not modified");

            // The estimator holds only its options: the next fit is the fit of a fresh one.
            string next = ModelJson.Serialize(ModelOf(s.Fit(estimator, s.Data(60, 4))));
            if (!fresh.TryGetValue(s.Name, out string? expected))
            {
                expected = fresh[s.Name] = ModelJson.Serialize(ModelOf(s.Fit(s.Create(), s.Data(60, 4))));
            }

            next.Should().Be(expected, s.Name);
        }, iterations: 160);
        fresh.Count.Should().Be(_batch.Length, "every batch estimator was drawn");
    }
}
