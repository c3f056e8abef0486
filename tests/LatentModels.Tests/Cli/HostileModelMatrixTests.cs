using System.Text;
using LatentModels.Cli;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Cli;

/// <summary>
/// Every model and stream state the CLI writes (each fit command of <see cref="CliCatalog.Fits"/> with
/// <c>--model-out</c>, and <c>--state-out</c> where it has one), tampered: truncated at several points, sizes inflated
/// (every integer → 10⁶, 10⁹, 2³¹ − 1), and a seeded selection of the single-field mutations of
/// <see cref="Mutations.All"/> (each number → 0, −1, "NaN", ±1e308, long.MaxValue, 2³¹ or an array; each string → 7 or "";
/// arrays emptied, truncated, extended; fields removed). <c>score</c>, <c>predict</c>, <c>sample</c> and <c>transform</c> on
/// each file either succeed (the tampered file is still a valid model, or the verb does not apply and says so) or exit 2
/// with one line on stderr and no stack trace.
/// </summary>
public sealed class HostileModelMatrixTests
{
    /// <summary>Single-field mutations tried per file (a seeded, evenly spread selection of all of them).</summary>
    private const int MutationsPerFile = 200;

    private static readonly Lazy<string> _directory = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("latent-hostile-matrix-").FullName;
        foreach (CliDataKind kind in Enum.GetValues<CliDataKind>())
        {
            int d = kind switch { CliDataKind.OneColumn => 1, CliDataKind.Real => 2, CliDataKind.Binary => 6, _ => 4 };
            double[,] x = CliCatalog.Data(kind, 200, d, 11);
            CliCatalog.WriteCsv(Path.Combine(dir, $"{kind}.csv"), x);
            CliCatalog.WriteCsv(Path.Combine(dir, $"{kind}-query.csv"), CliCatalog.Data(kind, 12, d, 12));
        }

        return dir;
    });

    public static TheoryData<string> FitNames() => [.. CliCatalog.Fits.Select(f => f.Name)];

    private static IEnumerable<(string Description, string Text)> Tampered(string genuine)
    {
        foreach (double fraction in new[] { 0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99 })
        {
            yield return ($"truncated at {fraction:P0}", genuine[..(int)(genuine.Length * fraction)]);
        }

        yield return ("binary garbage", "\u0000\u0001\u00ff" + genuine[..Math.Min(20, genuine.Length)]);
        foreach (var (description, mutated) in Mutations.Integers(genuine, [1_000_000, 1_000_000_000, int.MaxValue]).Take(45))
        {
            yield return ("inflated " + description, mutated.ToJsonString());
        }

        var all = Mutations.All(genuine).ToList();
        int stride = Math.Max(1, all.Count / MutationsPerFile);
        for (int i = new Random(genuine.Length).Next(stride); i < all.Count; i += stride)
        {
            yield return (all[i].Description, all[i].Mutated.ToJsonString());
        }
    }

    [Theory]
    [MemberData(nameof(FitNames))]
    public void Tampered_files_of_every_model_the_cli_writes_give_exit_0_or_exit_2_with_one_line(string name)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == name);
        string dir = _directory.Value, data = Path.Combine(dir, $"{fit.Kind}.csv"), query = Path.Combine(dir, $"{fit.Kind}-query.csv");
        string model = Path.Combine(dir, $"{name}.model.json"), state = Path.Combine(dir, $"{name}.state.json");
        List<string> args = [.. fit.Args, "--data", data, "--model-out", model];
        if (fit.State)
        {
            args.AddRange(["--state-out", state]);
        }

        var fitted = CliTests.Run([.. args]);
        fitted.Code.Should().Be(0, fitted.Err);
        int runs = 0;
        foreach (string genuinePath in fit.State ? new[] { model, state } : [model])
        {
            string genuine = File.ReadAllText(genuinePath);
            string tamperedPath = Path.Combine(dir, $"{name}.tampered.json");
            foreach ((string description, string text) in Tampered(genuine))
            {
                File.WriteAllText(tamperedPath, text, new UTF8Encoding(false));
                foreach (string[] verb in new[]
                {
                    new[] { "score", "--model", tamperedPath, "--data", query },
                    ["predict", "--model", tamperedPath, "--data", query],
                    ["sample", "--model", tamperedPath, "-n", "5", "--seed", "1"],
                    ["transform", "--model", tamperedPath, "--data", query],
                })
                {
                    var run = CliTests.Run(verb);
                    runs++;
                    if (run.Code != CliApp.Success)
                    {
                        CliCatalog.ShouldBeOneLineError(run, $"{verb[0]} on {Path.GetFileName(genuinePath)} with {description}");
                    }
                }
            }
        }

        runs.Should().BeGreaterThan(100);
    }
}
