using LatentModels.Data;
using LatentModels.NeuralNetworks;

namespace LatentModels.Tests.NeuralNetworks;

/// <summary>
/// <see cref="VariationalAutoencoder.Fit(IRowChunkSource, IProgress{FitProgress}?, CancellationToken)"/> against the fit of
/// the same rows in memory: the same shuffled epochs, mini-batches and noise, so the same bits (trace and parameters), with
/// windows smaller than the data (an epoch read in several passes) and the whole data in one window.
/// </summary>
public sealed class VaeSourceTests
{
    [Theory]
    [InlineData(3L * 64 * 12 * sizeof(double))]
    [InlineData(ShuffledWindows.WindowBytes)]
    public void A_fit_of_a_source_is_the_in_memory_fit_bit_for_bit(long windowBytes)
    {
        double[,] x = VariationalAutoencoderTests.Prototypes(1_000, 12);
        var options = new VariationalAutoencoderOptions { HiddenSizes = [10], LatentDimension = 2, Epochs = 3, BatchSize = 64, LearningRate = 1e-2, Seed = 4 };
        VariationalAutoencoderFitResult inMemory = new VariationalAutoencoder(options).Fit(x);
        VariationalAutoencoderFitResult streamed = new VariationalAutoencoder(options).Fit(new ArrayRowChunkSource(x, "x"), windowBytes, null, default);
        streamed.Report.ObjectiveTrace.Should().Equal(inMemory.Report.ObjectiveTrace);
        streamed.Report.Iterations.Should().Be(3);
        streamed.Model.Parameters.ToArray().Should().Equal(inMemory.Model.Parameters.ToArray());
    }

    [Fact]
    public void Fit_vae_streams_a_file_of_two_chunks_and_prints_the_in_memory_fit()
    {
        double[,] x = VariationalAutoencoderTests.Prototypes(17_000, 6);
        string path = Path.Combine(Path.GetTempPath(), $"vae-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, OutOfCoreTestData.Csv(x));
        try
        {
            var (code, stdout, stderr) = Cli.CliTests.Run("fit", "vae", "--data", path, "--hidden", "6", "--latent", "2", "--epochs", "2", "--batch-size", "500", "--seed", "7", "--json");
            code.Should().Be(0, stderr);
            var fit = new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [6], LatentDimension = 2, Epochs = 2, BatchSize = 500, Seed = 7 }).Fit(x);
            System.Text.Json.JsonElement json = Cli.CliTests.LastJson(stdout);
            json.GetProperty("n").GetInt32().Should().Be(17_000);
            json.GetProperty("negElboTrace").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(fit.Report.ObjectiveTrace);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_value_outside_the_unit_interval_names_its_row_in_the_source()
    {
        double[,] x = VariationalAutoencoderTests.Prototypes(20_000, 4);
        x[17_000, 2] = 1.5;
        var estimator = new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [4], LatentDimension = 2, Epochs = 1 });
        FluentActions.Invoking(() => estimator.Fit(new ArrayRowChunkSource(x, "x")))
            .Should().Throw<ArgumentException>().WithMessage("The value at row 17000, column 2 is 1.5*").Which.ParamName.Should().Be("data");
    }
}
