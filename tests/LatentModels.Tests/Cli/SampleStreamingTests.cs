using System.Globalization;
using System.Text;
using LatentModels.Cli;
using LatentModels.Mixtures;
using LatentModels.Persistence;

namespace LatentModels.Tests.Cli;

/// <summary>
/// <c>latent sample</c> streams: any -n works (the rows are drawn and written in blocks, never all held), and the
/// blocks do not change the rows of a sampler that draws row by row.
/// </summary>
public sealed class SampleStreamingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("latent-sample-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Counts the rows written and cancels after <paramref name="limit"/> (as Ctrl-C would).</summary>
    private sealed class CancellingWriter(CancellationTokenSource cancellation, long limit) : TextWriter
    {
        public long Rows { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n' && ++Rows == limit)
            {
                cancellation.Cancel();
            }
        }
    }

    private string SavedGmm()
    {
        string path = Path.Combine(_directory, "gmm.json");
        ModelJson.Save(new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 1 }).Fit(CliCatalog.OldFaithful()).Model, path);
        return path;
    }

    [Fact]
    public void Sample_of_int_max_rows_streams_until_cancelled_instead_of_running_out_of_memory()
    {
        using var cancellation = new CancellationTokenSource();
        var output = new CancellingWriter(cancellation, 200_000);
        var error = new StringWriter();
        int code = CliApp.Run(["sample", "--model", SavedGmm(), "-n", "2147483647", "--seed", "1"], output, error, cancellation.Token);
        code.Should().Be(CliApp.Cancelled, error.ToString());
        output.Rows.Should().BeInRange(200_000, 200_000 + (ModelCommands.SampleBlockValues / 2), "cancellation is checked before every block");
    }

    [Fact]
    public void Sample_rows_beyond_one_block_equal_one_library_call_for_a_row_by_row_sampler()
    {
        string path = SavedGmm();
        int n = (3 * ModelCommands.SampleBlockValues / 2) + 17; // three blocks of a two-column model and a part
        var (code, stdout, stderr) = CliTests.Run("sample", "--model", path, "-n", n.ToString(CultureInfo.InvariantCulture), "--seed", "4");
        code.Should().Be(0, stderr);
        double[,] expected = ModelJson.Load<GaussianMixtureModel>(path).Sample(n, new Random(4));
        stdout.Should().Be(Format.AppendCsvRows(new StringBuilder(), expected).ToString());
    }

    [Fact]
    public void Negative_or_unparsable_counts_exit_2_with_one_line()
    {
        string path = SavedGmm();
        CliCatalog.ShouldBeOneLineError(CliTests.Run("sample", "--model", path, "-n", "-1"), "-n -1");
        CliCatalog.ShouldBeOneLineError(CliTests.Run("sample", "--model", path, "-n", "1e99"), "-n 1e99");
        CliTests.Run("sample", "--model", path, "-n", "0").Out.Should().BeEmpty();
    }
}
