using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentModels.Tests.Cli;

namespace LatentModels.Tests.Reliability;

/// <summary><c>fit kmeans --out-of-core</c> on a file of extreme range or position prints what the in-memory fit prints, bit for bit.</summary>
public sealed class KMeansOutOfCoreRangeCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("latent-ooc-range-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1e200, 0.0, false)]
    [InlineData(1e300, 0.0, false)]
    [InlineData(1.0, 1e9, false)]
    [InlineData(1e150, 1e159, true)]
    [InlineData(1e-200, 0.0, true)]
    public void Out_of_core_prints_the_in_memory_fit(double scale, double shift, bool weighted)
    {
        double[,] x = RangeTestData.Map(RangeTestData.Blobs(600, 3, 2), scale, shift);
        var text = new StringBuilder();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            text.AppendJoin(',', Enumerable.Range(0, 3).Select(p => x[i, p].ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        string path = Path.Combine(_directory, "x.csv");
        File.WriteAllText(path, text.ToString());
        var args = new List<string> { "fit", "kmeans", "--data", path, "--k", "3", "--seed", "5", "--json" };
        if (weighted)
        {
            string weights = Path.Combine(_directory, "w.txt");
            File.WriteAllLines(weights, Enumerable.Range(0, 600).Select(i => (1e300 * (1 + i % 4)).ToString("R", CultureInfo.InvariantCulture)));
            args.AddRange(["--sample-weights", weights]);
        }

        string labelsInMemory = Path.Combine(_directory, "a.txt"), labelsStreamed = Path.Combine(_directory, "b.txt");
        var inMemory = CliTests.Run([.. args, "--labels-out", labelsInMemory]);
        var streamed = CliTests.Run([.. args, "--labels-out", labelsStreamed, "--out-of-core"]);
        inMemory.Code.Should().Be(0, inMemory.Err);
        streamed.Code.Should().Be(0, streamed.Err);
        JsonElement a = CliTests.LastJson(inMemory.Out), b = CliTests.LastJson(streamed.Out);
        foreach (string name in new[] { "n", "d", "inertia", "iterations", "converged", "inertiaTrace", "centers" })
        {
            b.GetProperty(name).GetRawText().Should().Be(a.GetProperty(name).GetRawText(), name);
        }

        File.ReadAllLines(labelsStreamed).Should().Equal(File.ReadAllLines(labelsInMemory));

        // The three blobs (rows i, i + 3, … share a label).
        string[] l = File.ReadAllLines(labelsInMemory);
        for (int i = 3; i < l.Length; i++)
        {
            l[i].Should().Be(l[i % 3], $"row {i}");
        }
    }
}
