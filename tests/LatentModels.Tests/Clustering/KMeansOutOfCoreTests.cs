using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.Statistics;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Clustering;

/// <summary>Out-of-core K-Means over a chunk source against the in-memory statistics spine and the in-memory estimator (both bit for bit).</summary>
public sealed class KMeansOutOfCoreTests
{
    private static double[,] Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 3];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(4);
            for (int p = 0; p < 3; p++)
            {
                x[i, p] = c * 4.0 * (p + 1) + random.NextDouble() * 3;
            }
        }

        return x;
    }

    /// <summary>
    /// Lloyd by hand on the whole array: one <see cref="KMeansStatistics.Compute"/> per iteration, the estimator's stopping
    /// rule (tolerance × the mean column variance of the first statistics).
    /// </summary>
    private static (KMeansModel Model, List<double> Trace) ReferenceLloyd(double[,] x, double[,] start, int maxIterations, double tolerance)
    {
        var model = new KMeansModel(start);
        var trace = new List<double>();
        double threshold = 0;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            KMeansStatistics s = KMeansStatistics.Compute(model, x);
            if (iteration == 0)
            {
                threshold = tolerance * s.MeanColumnVariance;
            }

            trace.Add(s.Inertia);
            KMeansModel next = s.ToModel();
            double shift = 0;
            double[,] a = model.Centers, b = next.Centers;
            for (int j = 0; j < a.GetLength(0); j++)
            {
                for (int p = 0; p < a.GetLength(1); p++)
                {
                    shift += (b[j, p] - a[j, p]) * (b[j, p] - a[j, p]);
                }
            }

            model = next;
            if (shift <= threshold)
            {
                break;
            }
        }

        return (KMeansStatistics.Compute(model, x).AssignmentModel(), trace);
    }

    [Theory]
    [InlineData(KMeansInit.First, 0.0)]
    [InlineData(KMeansInit.KMeansPlusPlus, 1e-4)]
    public void Out_of_core_fit_has_the_bits_of_the_in_memory_statistics_and_the_in_memory_estimators_answer(KMeansInit init, double tolerance)
    {
        double[,] x = Blobs(5_300, 3);
        var options = new KMeansOptions { Clusters = 4, Init = init, Seed = 7, Tolerance = tolerance, Algorithm = KMeansAlgorithm.Lloyd, MaxIterations = 50 };
        FitResult<KMeansModel> outOfCore = new KMeans(options).Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));

        // The in-memory estimator, Lloyd and accelerated: same start (all rows seen by the seeding), same fold, same rule.
        foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
        {
            ClusteringFitResult<KMeansModel> inMemory = new KMeans(options with { Algorithm = algorithm }).Fit(x);
            SameBits(outOfCore, inMemory);
        }

        // The statistics spine on the whole array, from the in-memory start: the same bits, iteration by iteration.
        double[,] start = new KMeans(options with { MaxIterations = 0 }).Fit(x).Model.Centers;
        (KMeansModel reference, List<double> trace) = ReferenceLloyd(x, start, 50, tolerance);
        PersistenceAssert.Bits(outOfCore.Model.Centers).Should().Equal(PersistenceAssert.Bits(reference.Centers));
        BitConverter.DoubleToInt64Bits(outOfCore.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(reference.Inertia), "the final inertia is the statistics'");
        PersistenceAssert.Bits(outOfCore.Report.ObjectiveTrace).Should().Equal(PersistenceAssert.Bits(trace));
    }

    private static void SameBits(FitResult<KMeansModel> outOfCore, FitResult<KMeansModel> inMemory)
    {
        outOfCore.Report.Iterations.Should().Be(inMemory.Report.Iterations);
        outOfCore.Report.Converged.Should().Be(inMemory.Report.Converged);
        PersistenceAssert.Bits(outOfCore.Model.Centers).Should().Equal(PersistenceAssert.Bits(inMemory.Model.Centers));
        BitConverter.DoubleToInt64Bits(outOfCore.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(inMemory.Model.Inertia));
        PersistenceAssert.Bits(outOfCore.Report.ObjectiveTrace).Should().Equal(PersistenceAssert.Bits(inMemory.Report.ObjectiveTrace));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Out_of_core_equals_in_memory_bit_for_bit_over_several_superblocks_with_weights_and_an_empty_cluster(bool weighted)
    {
        // 140,000 rows: three superblocks of the fold (the last partial). The explicit start puts a fifth center far from
        // every row, so it wins nothing and is re-seeded at the farthest row by both fits.
        int n = 140_000;
        double[,] x = Blobs(n, 5);
        var random = new Random(9);
        double[] w = Enumerable.Range(0, n).Select(_ => random.Next(4) == 0 ? 0.0 : random.NextDouble() * 3).ToArray();
        var start = new double[5, 3];
        for (int j = 0; j < 4; j++)
        {
            for (int p = 0; p < 3; p++)
            {
                start[j, p] = x[j * 7, p];
            }
        }

        for (int p = 0; p < 3; p++)
        {
            start[4, p] = 1e4;
        }

        var options = new KMeansOptions { Clusters = 5, Init = KMeansInit.Explicit, InitialCenters = start, Tolerance = 1e-6, MaxIterations = 6 };
        var weights = new double[n, 1];
        w.CopyTo(weights.AsWritableSpan());
        FitResult<KMeansModel> outOfCore = weighted
            ? new KMeans(options).Fit(new ArrayRowChunkSource(x), new ArrayRowChunkSource(weights))
            : new KMeans(options).Fit(new ArrayRowChunkSource(x));
        foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
        {
            var o = options with { Algorithm = algorithm };
            ClusteringFitResult<KMeansModel> inMemory = weighted ? new KMeans(o).Fit(x, w) : new KMeans(o).Fit(x);
            SameBits(outOfCore, inMemory);
        }

        // The fifth center left 1e4 for a row of the data (re-seeded), then followed its rows.
        outOfCore.Model[4, 0].Should().BeLessThan(100);
        outOfCore.Report.ObjectiveTrace.Count.Should().BeGreaterThan(1);
    }

    [Fact]
    public void Weights_of_another_length_or_a_bad_weight_are_reported_with_the_row()
    {
        double[,] x = Blobs(50, 1);
        Action shorter = () => new KMeans(2).Fit(new ArrayRowChunkSource(x), new ArrayRowChunkSource(new double[49, 1]));
        shorter.Should().Throw<ArgumentException>().WithMessage("*fewer weights*");
        var bad = new double[50, 1];
        bad[7, 0] = -1;
        Action negative = () => new KMeans(2).Fit(new ArrayRowChunkSource(x), new ArrayRowChunkSource(bad));
        negative.Should().Throw<ArgumentException>().WithMessage("*row 7*");
        Action zero = () => new KMeans(2).Fit(new ArrayRowChunkSource(x), new ArrayRowChunkSource(new double[50, 1]));
        zero.Should().Throw<ArgumentException>().WithMessage("*all zero*");
    }

    [Fact]
    public void Any_source_of_the_same_rows_gives_the_same_bits_and_progress_is_reported()
    {
        double[,] x = Blobs(3_000, 11);
        var estimator = new KMeans(new KMeansOptions { Clusters = 3, Seed = 2, Starts = 2 });
        var reports = new List<FitProgress>();
        FitResult<KMeansModel> fromArray = estimator.Fit(new ArrayRowChunkSource(x), new SynchronousProgress(reports.Add));
        FitResult<KMeansModel> fromCsv = estimator.Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));
        PersistenceAssert.Bits(fromCsv.Model.Centers).Should().Equal(PersistenceAssert.Bits(fromArray.Model.Centers));
        reports.Should().NotBeEmpty();
        reports.Select(r => r.Start).Distinct().Should().Equal(0, 1);
    }

    [Fact]
    public void Cancellation_and_bad_options_are_reported()
    {
        double[,] x = Blobs(100, 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Action cancel = () => new KMeans(3).Fit(new ArrayRowChunkSource(x), null, cancelled.Token);
        cancel.Should().Throw<OperationCanceledException>();
        Action tooMany = () => new KMeans(101).Fit(new ArrayRowChunkSource(x));
        tooMany.Should().Throw<ArgumentException>();
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
