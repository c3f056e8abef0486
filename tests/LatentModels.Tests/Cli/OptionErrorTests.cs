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
        Sweep(command, fit.Args, DataFor(fit.Kind), data => ["--data", data]).Should().BeGreaterThan(0, "negative values are rejected");
    }

    [Theory]
    [InlineData("score")]
    [InlineData("predict")]
    [InlineData("sample")]
    [InlineData("transform")]
    [InlineData("sparse-code")]
    public void Every_bad_numeric_option_of_the_model_verbs_names_its_flag(string verb)
    {
        string dir = Directory.CreateTempSubdirectory("latent-verb-options-").FullName;
        double[,] x = CliCatalog.Data(CliDataKind.Real, 60, 2, 1);
        string data = CliCatalog.WriteCsv(Path.Combine(dir, "x.csv"), x), dictionary = CliCatalog.WriteCsv(Path.Combine(dir, "d.csv"), new double[,] { { 1, 0 }, { 0.6, 0.8 } });
        string model = Path.Combine(dir, "m.json");
        Run("fit", verb == "transform" ? "binary-sparse-coding" : "gmm", "--data", data, verb == "transform" ? "--components" : "--k", "2", "--model-out", model).Code.Should().Be(0);
        Command command = CliApp.Build(new CliConsole(TextWriter.Null, TextWriter.Null, default)).Subcommands.Single(c => c.Name == verb);
        string[] baseArgs = verb switch
        {
            "sample" => ["sample", "--model", model, "-n", "3"],
            "sparse-code" => ["sparse-code", "--dictionary", dictionary],
            _ => [verb, "--model", model],
        };
        int rejected = Sweep(command, baseArgs, data, d => verb == "sample" ? [] : ["--data", d]);
        if (verb is "sample" or "sparse-code")
        {
            rejected.Should().BeGreaterThan(0, "negative values are rejected");
        }

        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Unwritable_output_files_name_their_flag()
    {
        string data = DataFor(CliDataKind.Real), missing = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "out");
        var labels = Run("fit", "kmeans", "--data", data, "--k", "2", "--labels-out", missing);
        CliCatalog.ShouldBeOneLineError(labels, "--labels-out");
        labels.Err.Should().StartWith($"error: --labels-out: cannot write '{missing}'");
        var model = Run("fit", "kmeans", "--data", data, "--k", "2", "--model-out", missing);
        CliCatalog.ShouldBeOneLineError(model, "--model-out");
        model.Err.Should().StartWith("error: --model-out: cannot write");
    }

    private static int Sweep(Command command, string[] baseArgs, string data, Func<string, string[]> dataArgs)
    {
        HashSet<string> flags = [.. command.Options.SelectMany(o => o.Aliases.Append(o.Name))];
        int rejected = 0;
        foreach (Option option in command.Options.Where(o => Underlying(o) == typeof(int) || Underlying(o) == typeof(double) || Underlying(o) == typeof(long)))
        {
            if (option.Name is "--seed")
            {
                continue;
            }

            foreach (string value in BadValues(option, option.Name))
            {
                // The base arguments' own value of this flag is replaced (the parser would take the last one anyway).
                List<string> args = [.. baseArgs];
                int at = args.FindIndex(a => option.Name == a || option.Aliases.Contains(a));
                if (at >= 0)
                {
                    args.RemoveRange(at, 2);
                }

                args.AddRange([.. dataArgs(data), option.Name, value]);
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

        return rejected;
    }
}
