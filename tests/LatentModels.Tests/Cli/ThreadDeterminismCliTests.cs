using System.Text.Json.Nodes;

namespace LatentModels.Tests.Cli;

/// <summary>
/// For every fit command (one row per mode, <see cref="CliCatalog.Fits"/>), the same seed gives the same bytes with
/// <c>--threads 1</c> and <c>--threads 2</c>: the saved model, the labels, the stream state and the JSON summary (its
/// timings removed; a stream state without the thread cap its options record).
/// </summary>
public sealed class ThreadDeterminismCliTests
{
    private static readonly Lazy<string> _directory = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("latent-threads-").FullName;
        CliCatalog.WriteCsv(Path.Combine(dir, "Real.csv"), CliCatalog.Data(CliDataKind.Real, 3000, 4, 7));
        CliCatalog.WriteCsv(Path.Combine(dir, "OneColumn.csv"), CliCatalog.Data(CliDataKind.OneColumn, 3000, 1, 7));
        CliCatalog.WriteCsv(Path.Combine(dir, "Binary.csv"), CliCatalog.Data(CliDataKind.Binary, 9000, 12, 7));
        CliCatalog.WriteCsv(Path.Combine(dir, "Codes.csv"), CliCatalog.Data(CliDataKind.Codes, 9000, 6, 7));
        return dir;
    });

    public static TheoryData<string> FitNames() => [.. CliCatalog.Fits.Select(f => f.Name)];

    /// <summary>The JSON summary without its timings.</summary>
    private static string WithoutTimings(string stdout)
    {
        JsonObject json = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!.AsObject();
        foreach (string timing in new[] { "seconds", "secondsPerEpoch", "epochSeconds" })
        {
            json.Remove(timing);
        }

        return json.ToJsonString();
    }

    /// <summary>A stream state without the thread cap it keeps in its options (a setting, not a result).</summary>
    private static string WithoutThreadCap(string state) =>
        System.Text.RegularExpressions.Regex.Replace(state, @"""maxDegreeOfParallelism"": *-?\d+,?", string.Empty);

    [Theory]
    [MemberData(nameof(FitNames))]
    public void The_same_seed_gives_the_same_bytes_with_one_and_two_threads(string name)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == name);
        string dir = _directory.Value, data = Path.Combine(dir, fit.Kind + ".csv");
        var outputs = new List<string[]>();
        foreach (string threads in new[] { "1", "2" })
        {
            string prefix = Path.Combine(dir, $"{name}-{threads}");
            List<string> args = [.. fit.Args, "--data", data, "--threads", threads, "--json", "--model-out", prefix + ".model.json"];
            if (fit.Labels)
            {
                args.AddRange(["--labels-out", prefix + ".labels.txt"]);
            }

            if (fit.State)
            {
                args.AddRange(["--state-out", prefix + ".state.json"]);
            }

            var run = CliTests.Run([.. args]);
            run.Code.Should().Be(0, run.Err);
            outputs.Add(
            [
                WithoutTimings(run.Out),
                File.ReadAllText(prefix + ".model.json"),
                fit.Labels ? File.ReadAllText(prefix + ".labels.txt") : string.Empty,
                fit.State ? WithoutThreadCap(File.ReadAllText(prefix + ".state.json")) : string.Empty,
            ]);
        }

        outputs[1][0].Should().Be(outputs[0][0], "the JSON summary");
        outputs[1][1].Should().Be(outputs[0][1], "the saved model");
        outputs[1][2].Should().Be(outputs[0][2], "the labels");
        outputs[1][3].Should().Be(outputs[0][3], "the stream state");
    }
}
