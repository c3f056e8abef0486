using LatentModels.Clustering;
using LatentModels.Data;

namespace LatentModels.Tests.Clustering;

/// <summary>
/// <see cref="MiniBatchKMeans"/> over a source against the in-memory fit of the same rows: the same start, the same shuffled
/// epochs and mini-batches, so the same bits (centers, inertia, steps, trace), with windows smaller than the data (an epoch
/// read in several passes) and the whole data in one window.
/// </summary>
public sealed class MiniBatchKMeansOutOfCoreTests
{
    private static void ShouldBeBitwise(FitResult<KMeansModel> streamed, ClusteringFitResult<KMeansModel> inMemory)
    {
        streamed.Report.Iterations.Should().Be(inMemory.Report.Iterations);
        streamed.Report.Converged.Should().Be(inMemory.Report.Converged);
        streamed.Report.ObjectiveTrace.Should().Equal(inMemory.Report.ObjectiveTrace);
        streamed.Model.Centers.Cast<double>().Should().Equal(inMemory.Model.Centers.Cast<double>());
        streamed.Model.Inertia.Should().Be(inMemory.Model.Inertia);
    }

    public static TheoryData<KMeansInit, bool, double, long> Cases()
    {
        var data = new TheoryData<KMeansInit, bool, double, long>();
        foreach (KMeansInit init in new[] { KMeansInit.KMeansPlusPlus, KMeansInit.RandomRows, KMeansInit.First })
        {
            foreach (bool weighted in new[] { false, true })
            {
                // Windows of 7 mini-batches of 300 rows × 3 columns (an epoch in 10 passes), and the default (one pass).
                data.Add(init, weighted, init == KMeansInit.First ? 0.0 : 1e-7, 7L * 300 * 3 * sizeof(double));
                data.Add(init, weighted, 0.0, ShuffledWindows.WindowBytes);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_fit_of_a_source_is_the_in_memory_fit_bit_for_bit(KMeansInit init, bool weighted, double tolerance, long windowBytes)
    {
        double[,] x = OutOfCoreTestData.Blobs(20_000, 3, 11);
        double[] w = OutOfCoreTestData.Weights(20_000, 5);
        var options = new MiniBatchKMeansOptions
        {
            Clusters = 4,
            BatchSize = 300,
            MaxEpochs = 3,
            MaxNoImprovement = tolerance > 0 ? 10 : null,
            Tolerance = tolerance,
            Init = init,
            Seed = 9,
            MaxDegreeOfParallelism = 2,
        };
        var estimator = new MiniBatchKMeans(options);
        ClusteringFitResult<KMeansModel> inMemory = weighted ? estimator.Fit(x, w) : estimator.Fit(x);
        var source = new ArrayRowChunkSource(x, "x");
        FitResult<KMeansModel> streamed = MiniBatchKMeansOutOfCore.Fit(options, source, weighted ? OutOfCoreTestData.Column(w) : null, null, default, windowBytes);
        ShouldBeBitwise(streamed, inMemory);
        inMemory.Report.Iterations.Should().Be(tolerance > 0 ? inMemory.Report.Iterations : 201, "three epochs of 67 mini-batches without a stopping rule");
        inMemory.Report.Iterations.Should().BeGreaterThan(1);
        inMemory.Labels.Should().Equal(streamed.Model.Predict(x));
    }

    [Fact]
    public void A_csv_file_with_a_short_last_batch_and_early_stopping_gives_the_in_memory_bits()
    {
        double[,] x = OutOfCoreTestData.Blobs(17_011, 2, 3);
        string path = Path.Combine(Path.GetTempPath(), $"minibatch-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, OutOfCoreTestData.Csv(x));
        try
        {
            var estimator = new MiniBatchKMeans(new MiniBatchKMeansOptions { Clusters = 5, BatchSize = 1000, Seed = 2 });
            ShouldBeBitwise(estimator.Fit(new CsvRowChunkSource(path)), estimator.Fit(x));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1e-160, 0.0, 1.0)]
    [InlineData(1e200, 0.0, 1.0)]
    [InlineData(1.0, 1e10, 1.0)]
    [InlineData(1.0, 0.0, 1e300)]
    public void Data_and_weights_beyond_the_ordinary_range_take_the_in_memory_frame(double scale, double shift, double weightScale)
    {
        double[,] x = Reliability.RangeTestData.Map(OutOfCoreTestData.Blobs(3_000, 2, 4), scale, shift);

        double[] w = [.. OutOfCoreTestData.Weights(3_000, 1).Select(v => v * weightScale)];
        var options = new MiniBatchKMeansOptions { Clusters = 3, BatchSize = 256, MaxEpochs = 2, Tolerance = 1e-4, Seed = 1 };
        var estimator = new MiniBatchKMeans(options);
        ShouldBeBitwise(MiniBatchKMeansOutOfCore.Fit(options, new ArrayRowChunkSource(x, "x"), OutOfCoreTestData.Column(w), null, default, 5L * 256 * 2 * sizeof(double)),
            estimator.Fit(x, w));
    }

    [Fact]
    public void Bad_weights_are_refused_naming_the_row()
    {
        double[,] x = OutOfCoreTestData.Blobs(100, 2, 4);
        var estimator = new MiniBatchKMeans(new MiniBatchKMeansOptions { Clusters = 2, BatchSize = 10 });
        double[] w = [.. Enumerable.Repeat(1.0, 100)];
        w[37] = -1;
        FluentActions.Invoking(() => estimator.Fit(new ArrayRowChunkSource(x, "x"), OutOfCoreTestData.Column(w)))
            .Should().Throw<ArgumentException>().WithMessage("*row 37*").Which.ParamName.Should().Be("sampleWeights");
        FluentActions.Invoking(() => estimator.Fit(new ArrayRowChunkSource(x, "x"), OutOfCoreTestData.Column(new double[100])))
            .Should().Throw<ArgumentException>().WithMessage("*all zero*");
        FluentActions.Invoking(() => estimator.Fit(new ArrayRowChunkSource(x, "x"), OutOfCoreTestData.Column(new double[99])))
            .Should().Throw<ArgumentException>().WithMessage("*fewer weights*");
    }
}
