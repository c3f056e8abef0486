using System.CommandLine;
using LatentModels.Cli;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// Option errors name the flag, never the library's parameter or property: every numeric option of every fit command
/// (found in the command tree, so new options are covered) is given −1, 0, a huge value and, for real options, NaN and
/// −∞; every run either succeeds, fails to fit (exit 1), or exits 2 with one line naming a flag of the command — with no
/// library name (<c>Components</c>, <c>options</c>…) and none of the runtime's "(Parameter …)" / "Actual value was" text.
/// </summary>
public sealed class OptionErrorTests
{
    /// <summary>Property and parameter names of the library's options that a CLI message must not show.</summary>
    private static readonly string[] _libraryNames =
    [
        "Components", "Clusters", "Atoms", "Starts", "MaxIterations", "Tolerance", "Regularization", "PseudoCount", "PriorCount",
        "WeightConcentration", "BatchSize", "MaxEpochs", "MaxNoImprovement", "Epochs", "StepDelay", "ForgettingRate", "Passes",
        "LatentDimension", "HiddenSizes", "LearningRate", "WeightDecay", "Alpha", "Nonzeros", "Damping", "InitialWeights",
        "InitialMeans", "InitialPrecisions", "InitialModel", "MaxDegreeOfParallelism", "(Parameter", "Actual value was", "'options'",
    ];

    private static readonly Lazy<(string Real, string Binary, string Codes, string One)> _data = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("latent-options-").FullName;
        return (CliCatalog.WriteCsv(Path.Combine(dir, "real.csv"), CliCatalog.Data(CliDataKind.Real, 60, 2, 1)),
            CliCatalog.WriteCsv(Path.Combine(dir, "binary.csv"), CliCatalog.Data(CliDataKind.Binary, 60, 6, 1)),
            CliCatalog.WriteCsv(Path.Combine(dir, "codes.csv"), CliCatalog.Data(CliDataKind.Codes, 60, 4, 1)),
            CliCatalog.WriteCsv(Path.Combine(dir, "one.csv"), CliCatalog.Data(CliDataKind.OneColumn, 60, 1, 1)));
    });

    internal static string DataFor(CliDataKind kind) => kind switch
    {
        CliDataKind.Binary => _data.Value.Binary,
        CliDataKind.Codes => _data.Value.Codes,
        CliDataKind.OneColumn => _data.Value.One,
        _ => _data.Value.Real,
    };

    /// <summary>Values that stop early or are rejected (never a huge number of starts, passes or epochs: those would run).</summary>
    private static Type Underlying(Option option) => Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;

    private static string[] BadValues(Option option, string flag) => Underlying(option) switch
    {
        Type t when t == typeof(double) => ["-1", "0", "NaN", "-Infinity", "1e308"],
        Type t when t == typeof(long) => ["-1", "0"],
        _ when flag is "--max-iter" or "--starts" or "--epochs" or "--passes" or "--max-epochs" or "--latent" or "--components" or "--atoms" or "--k" or "--hidden" or "--iwae-samples"
            => ["-1", "0", "-2147483648"],
        _ => ["-1", "0", "2147483647", "-2147483648"],
    };

    public static TheoryData<string> FitNames() => [.. CliCatalog.Fits.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FitNames))]
    public void Every_bad_numeric_option_names_its_flag(string name)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == name);
        Command command = CliApp.Build(new CliConsole(TextWriter.Null, TextWriter.Null, default)).Subcommands.Single(c => c.Name == "fit")
            .Subcommands.Single(c => c.Name == fit.Args[1]);
        HashSet<string> flags = [.. command.Options.SelectMany(o => o.Aliases.Append(o.Name))];
        string data = DataFor(fit.Kind);
        int rejected = 0;
        foreach (Option option in command.Options.Where(o => Underlying(o) == typeof(int) || Underlying(o) == typeof(double) || Underlying(o) == typeof(long)))
        {
            if (option.Name is "--seed")
            {
                continue;
            }

            foreach (string value in BadValues(option, option.Name))
            {
                // The catalogue's own value of this flag is replaced (the parser would take the last one anyway).
                List<string> args = [.. fit.Args];
                int at = args.IndexOf(option.Name);
                if (at >= 0)
                {
                    args.RemoveRange(at, 2);
                }

                args.AddRange(["--data", data, option.Name, value]);
                var run = Run([.. args]);
                string because = string.Join(' ', args);
                run.Code.Should().BeOneOf([CliApp.Success, CliApp.FitFailed, CliApp.BadInput], because + ": " + run.Err);
                if (run.Code == CliApp.Success)
                {
                    continue;
                }

                if (run.Code == CliApp.BadInput)
                {
                    rejected++;
                    CliCatalog.ShouldBeOneLineError(run, because);
                    run.Err.Should().Match(e => flags.Any(f => e.Contains(f + ":", StringComparison.Ordinal) || e.Contains(f + " ", StringComparison.Ordinal) || e.Contains(f + "'", StringComparison.Ordinal))
                        || e.Contains(data, StringComparison.Ordinal), because + ": " + run.Err);
                }

                foreach (string library in _libraryNames)
                {
                    run.Err.Should().NotContain(library, because);
                }
            }
        }

        rejected.Should().BeGreaterThan(0, "negative values are rejected");
    }
}
