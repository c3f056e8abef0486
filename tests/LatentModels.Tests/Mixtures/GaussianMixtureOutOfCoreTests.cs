using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Mixtures;

/// <summary>Out-of-core Gaussian-mixture EM over a chunk source against the in-memory <see cref="GaussianMixture"/> fit.</summary>
public sealed class GaussianMixtureOutOfCoreTests
{
    // K = 4, d = 8: blocks of 256 rows, E-step chunks of 64 × 256 = 16,384 rows; 17,000 rows make two chunks per pass
    // (and a last, partial block), and two pieces in the first pass (16,384 + 616 rows).
    private const int Rows = 17_000;

    private static void ShouldHaveTheSameBits(FitResult<GaussianMixtureModel> a, FitResult<GaussianMixtureModel> b)
    {
        a.Report.Iterations.Should().Be(b.Report.Iterations);
        a.Report.Converged.Should().Be(b.Report.Converged);
        PersistenceAssert.Bits(a.Report.ObjectiveTrace).Should().Equal(PersistenceAssert.Bits(b.Report.ObjectiveTrace));
        PersistenceAssert.Bits(a.Model.Weights).Should().Equal(PersistenceAssert.Bits(b.Model.Weights));
        PersistenceAssert.Bits(a.Model.Means).Should().Equal(PersistenceAssert.Bits(b.Model.Means));
        PersistenceAssert.Bits(a.Model.CovarianceParameters).Should().Equal(PersistenceAssert.Bits(b.Model.CovarianceParameters));
    }

    [Theory]
    [InlineData(CovarianceType.Full, false)]
    [InlineData(CovarianceType.Full, true)]
    [InlineData(CovarianceType.Tied, false)]
    [InlineData(CovarianceType.Tied, true)]
    [InlineData(CovarianceType.Diagonal, false)]
    [InlineData(CovarianceType.Diagonal, true)]
    [InlineData(CovarianceType.Spherical, false)]
    [InlineData(CovarianceType.Spherical, true)]
    public void From_the_same_start_the_out_of_core_fit_has_the_bits_of_the_in_memory_fit(CovarianceType covariance, bool map)
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 8, 5);
        var options = new GaussianMixtureOptions
        {
            Components = 4,
            Covariance = covariance,
            Init = MixtureInit.First,
            Prior = map ? GaussianMixturePrior.Default : null,
            Regularization = 1e-6,
            MaxIterations = 12,
            Tolerance = 1e-5,
            MaxDegreeOfParallelism = 2,
        };

        SoftClusteringFitResult<GaussianMixtureModel> inMemory = new GaussianMixture(options).Fit(x);
        FitResult<GaussianMixtureModel> outOfCore = new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(new ArrayRowChunkSource(x));
        inMemory.Report.Iterations.Should().BeGreaterThan(1);
        outOfCore.Report.ObjectiveName.Should().Be(inMemory.Report.ObjectiveName);
        ShouldHaveTheSameBits(outOfCore, inMemory);

        // An explicit start (a model from elsewhere): the same bits too.
        GaussianMixtureModel start = new GaussianMixture(options with { MaxIterations = 1 }).Fit(OutOfCoreTestData.Blobs(500, 8, 9)).Model;
        GaussianMixtureOptions fromModel = options with { InitialModel = start, MaxIterations = 5 };
        ShouldHaveTheSameBits(new GaussianMixture(fromModel).Fit(new ArrayRowChunkSource(x)), new GaussianMixture(fromModel).Fit(x));
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Over_several_superblocks_the_out_of_core_fit_is_the_in_memory_fit_at_any_thread_count(CovarianceType covariance)
    {
        // 140,000 rows: the E-step's blocks fold in three superblocks of 65,536 rows (the last partial), in memory, out of
        // core and in GaussianMixtureStatistics alike.
        double[,] x = OutOfCoreTestData.Blobs(140_000, 2, 17);
        var options = new GaussianMixtureOptions { Components = 3, Covariance = covariance, Init = MixtureInit.First, MaxIterations = 3, Tolerance = 0 };
        SoftClusteringFitResult<GaussianMixtureModel> one = new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        ShouldHaveTheSameBits(new GaussianMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(x), one);
        ShouldHaveTheSameBits(new GaussianMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(new ArrayRowChunkSource(x)), one);
    }

    [Fact]
    public void The_k_means_start_agrees_with_the_in_memory_fit_to_rounding_and_a_csv_file_gives_the_bits_of_the_array()
    {
        double[,] x = OutOfCoreTestData.Blobs(3_000, 3, 11);
        var options = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Seed = 4, Starts = 2, Tolerance = 1e-6 };
        var reports = new List<FitProgress>();
        FitResult<GaussianMixtureModel> fromArray = new GaussianMixture(options).Fit(new ArrayRowChunkSource(x), new SynchronousProgress(reports.Add));
        FitResult<GaussianMixtureModel> fromCsv = new GaussianMixture(options).Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));
        ShouldHaveTheSameBits(fromCsv, fromArray);
        reports.Select(r => r.Start).Distinct().Should().Equal(0, 1);

        // The start is the out-of-core K-Means, the in-memory K-Means bit for bit (3,000 rows: the seeding sees them all): so is the fit.
        SoftClusteringFitResult<GaussianMixtureModel> inMemory = new GaussianMixture(options).Fit(x);
        fromArray.Report.Iterations.Should().Be(inMemory.Report.Iterations);
        ShouldHaveTheSameBits(fromArray, inMemory);
        double[] a = fromArray.Model.Means.Cast<double>().Concat(fromArray.Model.Weights).Concat(fromArray.Model.CovarianceParameters).ToArray();
        double[] b = inMemory.Model.Means.Cast<double>().Concat(inMemory.Model.Weights).Concat(inMemory.Model.CovarianceParameters).ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            a[i].Should().BeApproximately(b[i], 1e-9 * (1 + Math.Abs(b[i])));
        }
    }

    [Fact]
    public void Components_that_lose_their_weight_are_reseeded_at_the_rows_the_in_memory_fit_picks()
    {
        // Two of three components start far from every row: the first M-step re-seeds one at the worst-explained row and
        // one at a seeded random row, rows the out-of-core fit reads back from the source.
        double[,] x = OutOfCoreTestData.Blobs(Rows, 2, 8);
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Spherical, [1, 1, 1], new double[,] { { 5, 5 }, { 1e4, 1e4 }, { -1e4, 1e4 } }, [4, 1, 1]);
        var options = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Spherical, InitialModel = start, MaxIterations = 8, Seed = 3 };
        SoftClusteringFitResult<GaussianMixtureModel> inMemory = new GaussianMixture(options).Fit(x);
        FitResult<GaussianMixtureModel> outOfCore = new GaussianMixture(options).Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));
        ShouldHaveTheSameBits(outOfCore, inMemory);
        outOfCore.Model.Means.Cast<double>().Should().OnlyContain(v => Math.Abs(v) < 100);
    }

    [Theory]
    [InlineData(MixtureInit.KMeansPlusPlus, CovarianceType.Full, false)]
    [InlineData(MixtureInit.RandomRows, CovarianceType.Diagonal, false)]
    [InlineData(MixtureInit.RandomResponsibilities, CovarianceType.Tied, true)]
    [InlineData(MixtureInit.KMeansPlusPlus, CovarianceType.Spherical, true)]
    public void The_seeded_starts_are_the_in_memory_starts_bit_for_bit(MixtureInit init, CovarianceType covariance, bool map)
    {
        // 40,000 rows: three k-means++ chunks (blocks of 2048 rows), two label chunks of 30,720 rows, three E-step chunks.
        double[,] x = OutOfCoreTestData.Blobs(40_000, 4, 6);
        var options = new GaussianMixtureOptions
        {
            Components = 4,
            Covariance = covariance,
            Init = init,
            Prior = map ? GaussianMixturePrior.Default : null,
            Seed = 13,
            Starts = 2,
            MaxIterations = 5,
            Tolerance = 0,
        };
        FitResult<GaussianMixtureModel> outOfCore = new GaussianMixture(options).Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));
        ShouldHaveTheSameBits(outOfCore, new GaussianMixture(options).Fit(x));
    }

    [Theory]
    [InlineData(MixtureInit.First, CovarianceType.Full, true)]
    [InlineData(MixtureInit.KMeansPlusPlus, CovarianceType.Full, false)]
    [InlineData(MixtureInit.RandomRows, CovarianceType.Spherical, false)]
    [InlineData(MixtureInit.RandomResponsibilities, CovarianceType.Diagonal, true)]
    [InlineData(MixtureInit.KMeans, CovarianceType.Tied, false)]
    public void Sample_weights_read_alongside_the_rows_give_the_bits_of_the_weighted_in_memory_fit(MixtureInit init, CovarianceType covariance, bool map)
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 5, 3);
        double[] w = OutOfCoreTestData.Weights(Rows, 4);
        var options = new GaussianMixtureOptions
        {
            Components = 4,
            Covariance = covariance,
            Init = init,
            Prior = map ? GaussianMixturePrior.Default : null,
            Seed = 2,
            MaxIterations = 8,
            Tolerance = 0,
        };
        SoftClusteringFitResult<GaussianMixtureModel> inMemory = new GaussianMixture(options).Fit(x, w);
        FitResult<GaussianMixtureModel> outOfCore = new GaussianMixture(options with { MaxDegreeOfParallelism = 1 })
            .Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w));
        ShouldHaveTheSameBits(outOfCore, inMemory);
        FitResult<GaussianMixtureModel> unweighted = new GaussianMixture(options).Fit(new ArrayRowChunkSource(x));
        unweighted.Report.ObjectiveTrace[^1].Should().NotBe(outOfCore.Report.ObjectiveTrace[^1]);
    }

    [Theory]
    [InlineData(1e-150, 0.0, 1.0, false)]
    [InlineData(1e150, 0.0, 1.0, true)]
    [InlineData(1.0, 1e10, 1.0, false)]
    [InlineData(1e-150, 0.0, 1e300, false)]
    [InlineData(1.0, 0.0, 1e200, true)]
    [InlineData(1.0, 0.0, 1e-30, false)]
    public void Data_and_weights_of_extreme_range_take_the_in_memory_frame(double scale, double shift, double weightScale, bool map)
    {
        double[,] x = Reliability.RangeTestData.Map(OutOfCoreTestData.Blobs(5_000, 3, 14), scale, shift);

        double[] w = [.. OutOfCoreTestData.Weights(5_000, 6).Select(v => v * weightScale)];
        foreach (CovarianceType covariance in new[] { CovarianceType.Full, CovarianceType.Diagonal })
        {
            var options = new GaussianMixtureOptions
            {
                Components = 3,
                Covariance = covariance,
                Init = MixtureInit.KMeansPlusPlus,
                Prior = map ? GaussianMixturePrior.Default : null,
                Seed = 2,
                MaxIterations = 6,
                Tolerance = 0,
            };
            SoftClusteringFitResult<GaussianMixtureModel> inMemory = new GaussianMixture(options).Fit(x, w);
            ShouldHaveTheSameBits(new GaussianMixture(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w)), inMemory);
            inMemory.Model.Means.Cast<double>().Should().OnlyContain(m => Math.Abs(m - shift) <= 40 * scale + Math.Abs(shift) * 1e-12);
        }

        var unweighted = new GaussianMixtureOptions { Components = 3, Init = MixtureInit.First, MaxIterations = 5, Tolerance = 0 };
        ShouldHaveTheSameBits(new GaussianMixture(unweighted).Fit(new ArrayRowChunkSource(x)), new GaussianMixture(unweighted).Fit(x));
    }

    [Fact]
    public void Cancellation_stops_the_pass_within_one_chunk_and_bad_options_are_refused()
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 8, 2);
        using var cts = new CancellationTokenSource();
        var source = new CancellingSource(new ArrayRowChunkSource(x), cancelAfterChunk: 3, cts);
        var options = new GaussianMixtureOptions { Components = 4, Init = MixtureInit.First, MaxIterations = 50, Tolerance = 0 };
        Action fit = () => new GaussianMixture(options).Fit(source, null, cts.Token);
        fit.Should().Throw<OperationCanceledException>();
        source.ChunksAfterCancel.Should().Be(0);

        Action tooMany = () => new GaussianMixture(options with { Components = 5 }).Fit(new ArrayRowChunkSource(OutOfCoreTestData.Blobs(3, 8, 1)));
        tooMany.Should().Throw<ArgumentException>();
    }

    /// <summary>Cancels its token once it has served a given number of chunks, and counts the chunks it serves after that.</summary>
    private sealed class CancellingSource(IRowChunkSource inner, int cancelAfterChunk, CancellationTokenSource cts) : IRowChunkSource
    {
        private int _served;

        public int ChunksAfterCancel { get; private set; }

        public string Name => inner.Name;

        public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
        {
            foreach (double[,] chunk in inner.ReadChunks(chunkRows, cancellationToken))
            {
                if (cts.IsCancellationRequested)
                {
                    ChunksAfterCancel++;
                }

                yield return chunk;
                if (++_served == cancelAfterChunk)
                {
                    cts.Cancel();
                }
            }
        }
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
