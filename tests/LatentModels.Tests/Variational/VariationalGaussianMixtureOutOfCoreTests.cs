using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Tests.Persistence;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

/// <summary>The out-of-core variational Gaussian mixture over a chunk source against the in-memory <see cref="VariationalGaussianMixture"/> fit.</summary>
public sealed class VariationalGaussianMixtureOutOfCoreTests
{
    // K = 4, d = 8: blocks of 256 rows, E-step chunks of 64 × 256 = 16,384 rows; 17,000 rows make two chunks per pass (and a
    // last, partial block), two pieces in the moments pass and one partial label chunk of 30,720.
    private const int Rows = 17_000;

    private static void ShouldHaveTheSameBits(FitResult<VariationalGaussianMixtureModel> a, FitResult<VariationalGaussianMixtureModel> b)
    {
        a.Report.Iterations.Should().Be(b.Report.Iterations);
        a.Report.Converged.Should().Be(b.Report.Converged);
        a.Report.ObjectiveName.Should().Be(b.Report.ObjectiveName);
        PersistenceAssert.Bits(a.Report.ObjectiveTrace).Should().Equal(PersistenceAssert.Bits(b.Report.ObjectiveTrace));
        PersistenceAssert.Bits(a.Model.Elbo).Should().Be(PersistenceAssert.Bits(b.Model.Elbo));
        PersistenceAssert.Bits(a.Model.LowerBound).Should().Be(PersistenceAssert.Bits(b.Model.LowerBound));
        PersistenceAssert.Bits(a.Model.Weights).Should().Equal(PersistenceAssert.Bits(b.Model.Weights));
        PersistenceAssert.Bits(a.Model.WeightConcentrations).Should().Equal(PersistenceAssert.Bits(b.Model.WeightConcentrations));
        PersistenceAssert.Bits(a.Model.WeightConcentrationsB).Should().Equal(PersistenceAssert.Bits(b.Model.WeightConcentrationsB));
        PersistenceAssert.Bits(a.Model.MeanPrecisions).Should().Equal(PersistenceAssert.Bits(b.Model.MeanPrecisions));
        PersistenceAssert.Bits(a.Model.DegreesOfFreedom).Should().Equal(PersistenceAssert.Bits(b.Model.DegreesOfFreedom));
        PersistenceAssert.Bits(a.Model.Means).Should().Equal(PersistenceAssert.Bits(b.Model.Means));
        PersistenceAssert.Bits(a.Model.CovarianceParameters).Should().Equal(PersistenceAssert.Bits(b.Model.CovarianceParameters));
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletProcess)]
    public void From_the_same_start_the_out_of_core_fit_has_the_bits_of_the_in_memory_fit(CovarianceType covariance, WeightPrior prior)
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 8, 5);
        var options = new VariationalGaussianMixtureOptions
        {
            Components = 4,
            Covariance = covariance,
            WeightPrior = prior,
            Init = MixtureInit.First,
            MaxIterations = 12,
            Tolerance = 1e-6,
            MaxDegreeOfParallelism = 2,
        };

        SoftClusteringFitResult<VariationalGaussianMixtureModel> inMemory = new VariationalGaussianMixture(options).Fit(x);
        FitResult<VariationalGaussianMixtureModel> outOfCore = new VariationalGaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(new ArrayRowChunkSource(x));
        inMemory.Report.Iterations.Should().BeGreaterThan(2);
        inMemory.Report.ObjectiveTrace[^1].Should().BeLessThan(0).And.BeGreaterThan(-1e7);
        ShouldHaveTheSameBits(outOfCore, inMemory);

        // A warm start from a posterior fitted elsewhere: the same bits too.
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(options with { MaxIterations = 2 }).Fit(OutOfCoreTestData.Blobs(600, 8, 9)).Model;
        VariationalGaussianMixtureOptions warm = options with { InitialModel = start, MaxIterations = 4 };
        ShouldHaveTheSameBits(new VariationalGaussianMixture(warm).Fit(new ArrayRowChunkSource(x)), new VariationalGaussianMixture(warm).Fit(x));
    }

    [Theory]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    [InlineData(MixtureInit.RandomRows)]
    [InlineData(MixtureInit.RandomResponsibilities)]
    public void The_seeded_starts_are_the_in_memory_starts_and_a_csv_file_gives_the_bits_of_the_array(MixtureInit init)
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 3, 12);
        var options = new VariationalGaussianMixtureOptions { Components = 4, Init = init, Seed = 21, Starts = 2, MaxIterations = 6, Tolerance = 0 };
        var reports = new List<FitProgress>();
        FitResult<VariationalGaussianMixtureModel> fromCsv = new VariationalGaussianMixture(options)
            .Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"), new SynchronousProgress(reports.Add));
        SoftClusteringFitResult<VariationalGaussianMixtureModel> inMemory = new VariationalGaussianMixture(options).Fit(x);
        ShouldHaveTheSameBits(fromCsv, inMemory);
        reports.Select(r => r.Start).Distinct().Should().Equal(0, 1);
        reports.Should().HaveCount(12);
    }

    [Theory]
    [InlineData(MixtureInit.First, CovarianceType.Full)]
    [InlineData(MixtureInit.KMeansPlusPlus, CovarianceType.Diagonal)]
    [InlineData(MixtureInit.RandomRows, CovarianceType.Tied)]
    [InlineData(MixtureInit.RandomResponsibilities, CovarianceType.Spherical)]
    public void Sample_weights_read_alongside_the_rows_give_the_bits_of_the_weighted_in_memory_fit(MixtureInit init, CovarianceType covariance)
    {
        double[,] x = OutOfCoreTestData.Blobs(Rows, 5, 3);
        double[] w = OutOfCoreTestData.Weights(Rows, 4);
        var options = new VariationalGaussianMixtureOptions { Components = 4, Covariance = covariance, Init = init, Seed = 8, MaxIterations = 8, Tolerance = 0, WeightPrior = WeightPrior.DirichletProcess };
        SoftClusteringFitResult<VariationalGaussianMixtureModel> inMemory = new VariationalGaussianMixture(options).Fit(x, w);
        FitResult<VariationalGaussianMixtureModel> outOfCore = new VariationalGaussianMixture(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w));
        ShouldHaveTheSameBits(outOfCore, inMemory);

        // The weights matter: the unweighted fit is another one.
        FitResult<VariationalGaussianMixtureModel> unweighted = new VariationalGaussianMixture(options).Fit(new ArrayRowChunkSource(x));
        unweighted.Model.Elbo.Should().NotBe(outOfCore.Model.Elbo);
    }

    [Theory]
    [InlineData(1e-150, 0.0, 1.0)]
    [InlineData(1e150, 0.0, 1.0)]
    [InlineData(1.0, 1e10, 1.0)]
    [InlineData(1e-150, 0.0, 1e300)]
    [InlineData(1.0, 0.0, 1e200)]
    public void Data_and_weights_of_extreme_range_take_the_in_memory_frame(double scale, double shift, double weightScale)
    {
        double[,] x = Reliability.RangeTestData.Map(OutOfCoreTestData.Blobs(5_000, 3, 14), scale, shift);

        double[] w = [.. OutOfCoreTestData.Weights(5_000, 6).Select(v => v * weightScale)];
        foreach (CovarianceType covariance in new[] { CovarianceType.Full, CovarianceType.Spherical })
        {
            // The regularisation is in the data's units (a square): scaled with them.
            var options = new VariationalGaussianMixtureOptions
            {
                Components = 3,
                Covariance = covariance,
                Init = MixtureInit.KMeansPlusPlus,
                Seed = 2,
                MaxIterations = 6,
                Tolerance = 0,
                Regularization = 1e-6 * scale * scale,
            };
            SoftClusteringFitResult<VariationalGaussianMixtureModel> inMemory = new VariationalGaussianMixture(options).Fit(x, w);
            ShouldHaveTheSameBits(new VariationalGaussianMixture(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w)), inMemory);
            double[] means = [.. inMemory.Model.Means.Cast<double>()];
            means.Should().OnlyContain(m => Math.Abs(m - shift) <= 40 * scale + Math.Abs(shift) * 1e-12);
        }

        var unweighted = new VariationalGaussianMixtureOptions { Components = 3, Init = MixtureInit.First, MaxIterations = 5, Tolerance = 0 };
        ShouldHaveTheSameBits(new VariationalGaussianMixture(unweighted).Fit(new ArrayRowChunkSource(x)), new VariationalGaussianMixture(unweighted).Fit(x));
    }

    [Fact]
    public void The_k_means_start_weighted_or_not_is_the_in_memory_start()
    {
        // The out-of-core K-Means (weighted with the fit's weights) is the in-memory K-Means bit for bit: so is the fit.
        double[,] x = OutOfCoreTestData.Blobs(20_000, 3, 11);
        double[] w = OutOfCoreTestData.Weights(20_000, 5);
        var options = new VariationalGaussianMixtureOptions { Components = 3, Seed = 4, Tolerance = 1e-8, MaxIterations = 30, Starts = 2 };
        ShouldHaveTheSameBits(new VariationalGaussianMixture(options).Fit(new ArrayRowChunkSource(x)), new VariationalGaussianMixture(options).Fit(x));
        ShouldHaveTheSameBits(new VariationalGaussianMixture(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w)), new VariationalGaussianMixture(options).Fit(x, w));
    }

    [Fact]
    public void Bad_weights_are_refused_naming_the_sample_weights()
    {
        double[,] x = OutOfCoreTestData.Blobs(300, 3, 1);
        var options = new VariationalGaussianMixtureOptions { Components = 2, Init = MixtureInit.KMeansPlusPlus };
        var estimator = new VariationalGaussianMixture(options);
        double[] w = OutOfCoreTestData.Weights(300, 2);
        Action shortWeights = () => estimator.Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w[..299]));
        shortWeights.Should().Throw<ArgumentException>().WithParameterName("sampleWeights");
        Action longWeights = () => estimator.Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column([.. w, 1.0]));
        longWeights.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").WithMessage("*more weights*");
        double[] negative = (double[])w.Clone();
        negative[17] = -1;
        Action bad = () => estimator.Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(negative));
        bad.Should().Throw<ArgumentException>().WithParameterName("sampleWeights").WithMessage("*row 17*");
        Action zero = () => estimator.Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(new double[300]));
        zero.Should().Throw<ArgumentException>().WithMessage("*sum to zero*");
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
