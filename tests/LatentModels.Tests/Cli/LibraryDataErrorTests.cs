using System.Globalization;
using System.Text;

namespace LatentModels.Tests.Cli;

/// <summary>
/// The library's errors about a row of the data (or of the sample weights) name the file's line and column, also when the
/// row is deep inside a mini-batch or streamed point by point.
/// </summary>
public sealed class LibraryDataErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("latent-library-data-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, "# a comment line, counted\n" + string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    [Theory]
    [InlineData("32")]
    [InlineData("1")]
    public void A_negative_weight_deep_in_the_stream_names_its_line(string batchSize)
    {
        string data = Write("x.csv", Enumerable.Range(0, 300).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i % 7}.5,{i * 3 % 11}.25")));
        string weights = Write("w.txt", Enumerable.Range(0, 300).Select(i => i == 250 ? "  -1" : "1"));
        var run = CliTests.Run("fit", "online-kmeans", "--data", data, "--k", "2", "--sample-weights", weights, "--batch-size", batchSize);
        CliCatalog.ShouldBeOneLineError(run, batchSize);
        run.Err.Should().StartWith($"error: {weights}:252:3: ");
    }

    [Theory]
    [InlineData("64")]
    [InlineData("1")]
    public void A_value_beyond_the_streaming_range_names_its_line_and_column(string batchSize)
    {
        string data = Write("x.csv", Enumerable.Range(0, 300).Select(i => i == 200 ? "1.5, 1e200" : string.Create(CultureInfo.InvariantCulture, $"{i % 7}.5,{i * 3 % 11}.25")));
        var run = CliTests.Run("fit", "online-gmm", "--data", data, "--k", "2", "--mode", "stream", "--batch-size", batchSize);
        CliCatalog.ShouldBeOneLineError(run, batchSize);
        run.Err.Should().StartWith($"error: {data}:202:6: The value is 1E+200, beyond 2^500");
    }
}
