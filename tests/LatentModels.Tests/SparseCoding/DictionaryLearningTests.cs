using LatentModels.SparseCoding;
using LatentModels.Statistics;
using static LatentModels.Tests.SparseCoding.SparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

public class DictionaryLearningTests
{
    private static readonly double[,] _truth = Dictionary(16, 10, seed: 7);
    private static readonly double[,] _data = Signals(_truth, 400, 3, 0.05, seed: 8);

    private static DictionaryLearningOptions Options(int iterations = 25, DictionaryInit init = DictionaryInit.KMeansPlusPlus, int dop = 0) => new()
    {
        Atoms = 12,
        Alpha = 0.1,
        Init = init,
        MaxIterations = iterations,
        Tolerance = 0,
        Seed = 3,
        MaxDegreeOfParallelism = dop,
    };

    [Theory]
    [InlineData(DictionaryInit.First)]
    [InlineData(DictionaryInit.Random)]
    [InlineData(DictionaryInit.KMeansPlusPlus)]
    public void The_cost_never_rises_and_the_atoms_stay_in_the_unit_ball(DictionaryInit init)
    {
        FitResult<DictionaryModel> fit = new DictionaryLearning(Options(init: init)).Fit(_data);
        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        trace.Should().HaveCount(25);
        for (int i = 1; i < trace.Count; i++)
        {
            trace[i].Should().BeLessThanOrEqualTo(trace[i - 1] * (1 + 1e-12), $"iteration {i + 1}");
        }

        trace[^1].Should().BeLessThan(trace[0] * 0.95, "learning makes progress");
        double[,] atoms = fit.Model.Dictionary;
        for (int a = 0; a < 12; a++)
        {
            Math.Sqrt(Enumerable.Range(0, 10).Sum(j => atoms[a, j] * atoms[a, j])).Should().BeLessThanOrEqualTo(1 + 1e-12);
        }

        // The rows' exact codes on the final atoms can only do better than the last iteration's codes (exact for the
        // atoms before the last step), and the model's objective is the mean of the plain-loop objectives.
        double objective = fit.Model.Objective(_data);
        objective.Should().BeLessThanOrEqualTo(trace[^1] * (1 + 1e-12));
        double[,] z = fit.Model.Transform(_data);
        double plain = Enumerable.Range(0, 400).Average(i => Objective(atoms, Row(_data, i), Row(z, i), 0.1));
        objective.Should().BeApproximately(plain, 1e-12 * plain);
    }

    [Fact]
    public void Init_first_is_the_first_rows_scaled_to_unit_norm_and_the_fit_is_reproducible_for_any_thread_count()
    {
        DictionaryModel start = new DictionaryLearning(Options(iterations: 0, init: DictionaryInit.First)).Fit(_data).Model;
        double[,] atoms = start.Dictionary;
        for (int a = 0; a < 12; a++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 10).Sum(j => _data[a, j] * _data[a, j]));
            for (int j = 0; j < 10; j++)
            {
                atoms[a, j].Should().BeApproximately(_data[a, j] / norm, 1e-15);
            }
        }

        DictionaryModel one = new DictionaryLearning(Options(iterations: 8, dop: 1)).Fit(_data).Model;
        DictionaryModel two = new DictionaryLearning(Options(iterations: 8, dop: 2)).Fit(_data).Model;
        two.Dictionary.Should().BeEquivalentTo(one.Dictionary, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Learning_recovers_the_generating_atoms_up_to_sign()
    {
        // 1,500 noiseless-ish 3-sparse signals of 8 incoherent atoms in dimension 16: every true atom is matched by a
        // learned one with |cosine| ≥ 0.95.
        double[,] truth = Dictionary(8, 16, seed: 21);
        double[,] x = Signals(truth, 1500, 3, 0.01, seed: 22);
        DictionaryModel model = new DictionaryLearning(new DictionaryLearningOptions { Atoms = 8, Alpha = 0.05, MaxIterations = 60, Seed = 1 }).Fit(x).Model;
        double[,] learned = model.Dictionary;
        for (int t = 0; t < 8; t++)
        {
            double best = 0;
            for (int a = 0; a < 8; a++)
            {
                double dot = 0, norm = 0;
                for (int j = 0; j < 16; j++)
                {
                    dot += truth[t, j] * learned[a, j];
                    norm += learned[a, j] * learned[a, j];
                }

                best = Math.Max(best, Math.Abs(dot) / Math.Sqrt(norm));
            }

            best.Should().BeGreaterThanOrEqualTo(0.95, $"true atom {t}");
        }
    }

    [Fact]
    public void Statistics_are_the_sums_over_the_rows_codes_and_give_the_cost_and_the_dictionary_step()
    {
        DictionaryModel model = new DictionaryLearning(Options(iterations: 3)).Fit(_data).Model;
        double[,] x = Signals(_truth, 300, 3, 0.05, seed: 9);
        DictionaryStatistics s = model.ComputeStatistics(x);
        double[,] z = model.Transform(x);
        int n = 300, k = 12, d = 10;
        s.TotalWeight.Should().Be(n);
        double[,] a = s.A, b = s.B;
        for (int p = 0; p < k; p++)
        {
            for (int q = 0; q < k; q++)
            {
                a[p, q].Should().BeApproximately(Enumerable.Range(0, n).Sum(i => z[i, p] * z[i, q]), 1e-11);
            }

            for (int j = 0; j < d; j++)
            {
                b[j, p].Should().BeApproximately(Enumerable.Range(0, n).Sum(i => x[i, j] * z[i, p]), 1e-11);
            }
        }

        s.SumSquaredNorms.Should().BeApproximately(x.Cast<double>().Sum(v => v * v), 1e-10);
        s.SumAbsoluteCodes.Should().BeApproximately(z.Cast<double>().Sum(Math.Abs), 1e-10);
        double cost = Enumerable.Range(0, n).Average(i => Objective(model.Dictionary, Row(x, i), Row(z, i), 0.1));
        s.Cost(model).Should().BeApproximately(cost, 1e-10 * cost);

        // The dictionary step against a plain block-coordinate-descent pass, and it does not raise the cost at these codes.
        DictionaryModel next = s.ToModel(model);
        double[,] expected = model.Dictionary;
        for (int p = 0; p < k; p++)
        {
            if (a[p, p] <= 1e-6)
            {
                continue;
            }

            var r = new double[d];
            for (int j = 0; j < d; j++)
            {
                r[j] = b[j, p] - Enumerable.Range(0, k).Sum(l => a[p, l] * expected[l, j]);
            }

            for (int j = 0; j < d; j++)
            {
                expected[p, j] += r[j] / a[p, p];
            }

            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(j => expected[p, j] * expected[p, j]));
            for (int j = 0; j < d; j++)
            {
                expected[p, j] /= Math.Max(norm, 1);
            }
        }

        double[,] actual = next.Dictionary;
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < d; j++)
            {
                actual[p, j].Should().BeApproximately(expected[p, j], 1e-12);
            }
        }

        s.Cost(next).Should().BeLessThanOrEqualTo(s.Cost(model) * (1 + 1e-12));
    }

    [Fact]
    public void Merged_partition_statistics_equal_the_statistics_of_all_rows()
    {
        DictionaryModel model = new DictionaryLearning(Options(iterations: 2)).Fit(_data).Model;
        double[,] x = Signals(_truth, 3 * DictionaryStatistics.ChunkSize + 40, 3, 0.05, seed: 10);
        DictionaryStatistics whole = model.ComputeStatistics(x, maxDegreeOfParallelism: 1);
        model.ComputeStatistics(x, maxDegreeOfParallelism: 3).A.Should().BeEquivalentTo(whole.A, o => o.WithStrictOrdering(), "any thread count");

        // One chunk per partition, merged in order: the same bits.
        var parts = Enumerable.Range(0, 4).Select(c => model.ComputeStatistics(Rows(x, c * DictionaryStatistics.ChunkSize, Math.Min(DictionaryStatistics.ChunkSize, x.GetLength(0) - c * DictionaryStatistics.ChunkSize)))).ToList();
        DictionaryStatistics merged = MergeableStatistics.Merge(parts);
        merged.A.Should().BeEquivalentTo(whole.A, o => o.WithStrictOrdering());
        merged.B.Should().BeEquivalentTo(whole.B, o => o.WithStrictOrdering());
        merged.SumSquaredNorms.Should().Be(whole.SumSquaredNorms);
        merged.SumAbsoluteCodes.Should().Be(whole.SumAbsoluteCodes);
        merged.TotalWeight.Should().Be(whole.TotalWeight);

        // Any other split agrees to rounding; the empty statistics are the identity.
        DictionaryStatistics uneven = model.ComputeStatistics(Rows(x, 0, 100)).Merge(model.ComputeStatistics(Rows(x, 100, x.GetLength(0) - 100)));
        double[,] ua = uneven.A, wa = whole.A;
        for (int p = 0; p < 12; p++)
        {
            for (int q = 0; q < 12; q++)
            {
                ua[p, q].Should().BeApproximately(wa[p, q], 1e-12 * (1 + Math.Abs(wa[p, q])));
            }
        }

        whole.Empty().Merge(whole).A.Should().BeEquivalentTo(whole.A, o => o.WithStrictOrdering());
        whole.Empty().TotalWeight.Should().Be(0);
    }

    [Fact]
    public void Online_learning_from_rows_equals_learning_from_statistics_computed_on_its_snapshots()
    {
        DictionaryModel start = new DictionaryLearning(Options(iterations: 0, init: DictionaryInit.First)).Fit(_data).Model;
        var options = Options() with { BatchSize = 50 };
        var fromRows = new OnlineDictionaryLearning(options, start);
        var fromStatistics = new OnlineDictionaryLearning(options, start);
        for (int b = 0; b < 8; b++)
        {
            double[,] batch = Rows(_data, b * 50, 50);
            fromRows.Update(batch);
            // A driver: the partitions code their rows on the current snapshot, the learner takes the merged sums.
            DictionaryModel snapshot = fromStatistics.Snapshot();
            fromStatistics.Update(MergeableStatistics.Merge([snapshot.ComputeStatistics(Rows(batch, 0, 20)), snapshot.ComputeStatistics(Rows(batch, 20, 30))]));
        }

        fromRows.Count.Should().Be(400);
        fromStatistics.Count.Should().Be(400);
        double[,] a = fromRows.Snapshot().Dictionary, b2 = fromStatistics.Snapshot().Dictionary;
        for (int p = 0; p < 12; p++)
        {
            for (int j = 0; j < 10; j++)
            {
                b2[p, j].Should().BeApproximately(a[p, j], 1e-10);
            }
        }

        fromRows.Statistics!.TotalWeight.Should().Be(400);
        fromRows.Snapshot().Objective(_data).Should().BeLessThan(start.Objective(_data));
    }

    [Fact]
    public void Online_learning_starts_from_the_first_rows_it_sees_and_improves_over_passes()
    {
        var online = new OnlineDictionaryLearning(Options() with { BatchSize = 32, Init = DictionaryInit.First });
        online.IsInitialized.Should().BeFalse();
        Invoking(() => online.Snapshot()).Should().Throw<InvalidOperationException>();
        for (int i = 0; i < 5; i++)
        {
            online.Update(Row(_data, i));
        }

        online.IsInitialized.Should().BeFalse("12 rows are needed for 12 atoms");
        online.Update(Rows(_data, 5, 10));
        online.IsInitialized.Should().BeTrue();
        online.Count.Should().Be(15);
        double first = online.Snapshot().Objective(_data);
        online.UpdateAll(_data, passes: 3);
        online.Count.Should().Be(15 + 1200);
        online.Snapshot().Objective(_data).Should().BeLessThan(first);
        Invoking(() => online.Update(new double[2, 3])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "batch");
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter_and_nothing_is_mutated()
    {
        Invoking(() => new DictionaryLearning(new DictionaryLearningOptions { Atoms = 0 })).Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "options" && e.Message.Contains("Atoms"));
        Invoking(() => new DictionaryLearning(new DictionaryLearningOptions { Atoms = 3, Alpha = -1 })).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.Message.Contains("Alpha"));
        Invoking(() => new DictionaryLearning(new DictionaryLearningOptions { Atoms = 3, BatchSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.Message.Contains("BatchSize"));
        Invoking(() => new DictionaryLearning(new DictionaryLearningOptions { Atoms = 3, Tolerance = double.NaN })).Should().Throw<ArgumentOutOfRangeException>();
        var learner = new DictionaryLearning(new DictionaryLearningOptions { Atoms = 3 });
        var nan = new double[10, 4];
        nan[6, 2] = double.NaN;
        Invoking(() => learner.Fit(nan)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("row 6, column 2"));
        Invoking(() => learner.Fit(new double[2, 4])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("at least 3"));

        double[,] x = Rows(_data, 0, 40);
        double[,] copy = (double[,])x.Clone();
        new DictionaryLearning(Options(iterations: 2)).Fit(x);
        x.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering());

        var zeroAtom = new double[3, 2] { { 1, 0 }, { 0, 0 }, { 0, 1 } };
        Invoking(() => new DictionaryModel(zeroAtom, 0.1)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "dictionary" && e.Message.Contains("row 1"));
        Invoking(() => new DictionaryModel(new double[,] { { 1, 0 } }, -0.5)).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "alpha");
        var model = new DictionaryModel(new double[,] { { 1, 0 }, { 0, 1 } }, 0.1);
        Invoking(() => model.ComputeStatistics(new double[3, 5])).Should().Throw<ArgumentException>().Where(e => e.ParamName == "data");
        Invoking(() => new DictionaryStatistics(new double[,] { { 1, 2 }, { 3, 1 } }, new double[3, 2], 1, 1, 1)).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "a" && e.Message.Contains("row 1, column 0"));
        Invoking(() => new DictionaryStatistics(new double[2, 2], new double[3, 3], 1, 1, 1)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "b");
        Invoking(() => new DictionaryStatistics(new double[2, 2], new double[3, 2], -1, 1, 1)).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "totalWeight");
        DictionaryStatistics s = model.ComputeStatistics(new double[,] { { 1, 2 } });
        Invoking(() => s.Merge(new DictionaryStatistics(new double[3, 3], new double[2, 3], 0, 0, 0))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "other");
        Invoking(() => s.ToModel(new DictionaryModel(new double[,] { { 1, 0, 0 } }, 0.1))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "model");
        Invoking(() => new OnlineDictionaryLearning(Options(), model)).Should().Throw<ArgumentException>().Where(e => e.ParamName == "initialModel");
    }

    [Fact]
    public void Cancellation_stops_the_fit_at_the_next_iteration_and_progress_reports_the_trace()
    {
        using var source = new CancellationTokenSource();
        var reports = new List<FitProgress>();
        var progress = new SyncProgress(p =>
        {
            reports.Add(p);
            if (p.Iteration == 3)
            {
                source.Cancel();
            }
        });
        Invoking(() => new DictionaryLearning(Options(iterations: 50)).Fit(_data, progress, source.Token)).Should().Throw<OperationCanceledException>();
        reports.Select(r => r.Iteration).Should().Equal(1, 2, 3);
        FitResult<DictionaryModel> fit = new DictionaryLearning(Options(iterations: 3)).Fit(_data);
        reports.Select(r => r.Objective).Should().Equal(fit.Report.ObjectiveTrace);
        Invoking(() => new SparseCoder(_truth).Transform(_data, source.Token)).Should().Throw<OperationCanceledException>();
    }

    private sealed class SyncProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }

    private static Action Invoking(Action action) => action;

    internal static double[,] Rows(double[,] x, int start, int count)
    {
        int d = x.GetLength(1);
        var rows = new double[count, d];
        Array.Copy(x, start * d, rows, 0, count * d);
        return rows;
    }
}
