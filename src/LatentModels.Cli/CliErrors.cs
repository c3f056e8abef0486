using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LatentModels.Cli;

/// <summary>
/// The one place where the library's <see cref="ArgumentException"/>s become CLI messages: one line, naming the flag
/// (<c>--k</c>) instead of the library's parameter or property (<c>Components</c>, <c>options</c>), and naming
/// <c>file:line:column</c> instead of the library's 0-based data coordinates (row i, column j).
/// </summary>
internal static partial class CliErrors
{
    /// <summary>
    /// Library parameter and options-property names → the flags that set them, most specific first; the first flag the
    /// running command has is used (<c>Components</c> is <c>--k</c> for the mixtures, <c>--components</c> for binary
    /// sparse coding).
    /// </summary>
    private static readonly Dictionary<string, string[]> _flags = new(StringComparer.Ordinal)
    {
        ["Components"] = ["--k", "--components"],
        ["Clusters"] = ["--k"],
        ["Atoms"] = ["--atoms"],
        ["Starts"] = ["--starts"],
        ["MaxIterations"] = ["--max-iter"],
        ["Tolerance"] = ["--tol"],
        ["Regularization"] = ["--reg"],
        ["PseudoCount"] = ["--pseudo-count"],
        ["PriorCount"] = ["--prior-count"],
        ["WeightConcentration"] = ["--weight-concentration"],
        ["BatchSize"] = ["--batch-size"],
        ["MaxEpochs"] = ["--max-epochs"],
        ["MaxNoImprovement"] = ["--max-no-improvement"],
        ["Epochs"] = ["--epochs"],
        ["StepDelay"] = ["--tau"],
        ["ForgettingRate"] = ["--kappa"],
        ["Passes"] = ["--passes"],
        ["LatentDimension"] = ["--latent"],
        ["HiddenSizes"] = ["--hidden"],
        ["LearningRate"] = ["--learning-rate"],
        ["WeightDecay"] = ["--weight-decay"],
        ["Activation"] = ["--activation"],
        ["Likelihood"] = ["--likelihood"],
        ["Alpha"] = ["--alpha"],
        ["alpha"] = ["--alpha"],
        ["Nonzeros"] = ["--nonzeros"],
        ["Positive"] = ["--positive"],
        ["PositiveCodes"] = ["--positive"],
        ["Damping"] = ["--damping"],
        ["Inference"] = ["--inference", "--damping"],
        ["InitialWeights"] = ["--weights-init"],
        ["InitialMeans"] = ["--means-init"],
        ["InitialPrecisions"] = ["--precisions-init"],
        ["InitialModel"] = ["--init-model"],
        ["initialModel"] = ["--init-model"],
        ["MaxDegreeOfParallelism"] = ["--threads"],
        ["Seed"] = ["--seed"],
        ["Init"] = ["--init"],
        ["Covariance"] = ["--covariance"],
        ["Prior"] = ["--prior"],
        ["WeightPrior"] = ["--weight-prior"],
        ["Algorithm"] = ["--algorithm"],
        ["count"] = ["-n"],
        ["samples"] = ["--iwae-samples"],
        ["dictionary"] = ["--dictionary"],
    };

    /// <summary>Names that are also ordinary words at the start of a sentence: mapped as parameter names, not replaced in the text.</summary>
    private static readonly HashSet<string> _notInText = ["Init", "Prior", "Covariance", "Algorithm", "Seed", "Positive", "Inference", "count", "samples", "dictionary", "alpha", "initialModel", "Likelihood", "Activation"];

    /// <summary>Parameter names under which the library reports a problem of the rows of <c>--data</c>.</summary>
    private static readonly HashSet<string> _dataParameters = ["data", "x", "batch", "point", "rows", "values"];

    /// <summary>Parameter names under which the library reports a problem of the <c>--sample-weights</c> file.</summary>
    private static readonly HashSet<string> _weightParameters = ["sampleWeights", "weights", "weight"];

    /// <summary>The one-line message (without the "error: " prefix) for an <see cref="ArgumentException"/>.</summary>
    /// <param name="e">The exception.</param>
    /// <param name="console">The run: its command's options and the data files it read.</param>
    /// <param name="rowOffset">Added to the library's row numbers (the first row of the mini-batch that failed).</param>
    /// <param name="singleRow">Whether the failing call was given the single row <paramref name="rowOffset"/> (a point: its message names no row).</param>
    public static string Describe(ArgumentException e, CliConsole console, long rowOffset = 0, bool singleRow = false)
    {
        string message = RawMessage(e);
        if (message.StartsWith('-'))
        {
            return message; // the CLI's own message, which names its flag
        }

        string? parameter = e.ParamName is { } p ? p[(p.LastIndexOf('.') + 1)..] : null;
        string? dataOption = parameter is null ? null
            : _dataParameters.Contains(parameter) ? "--data"
            : _weightParameters.Contains(parameter) ? "--sample-weights"
            : null;
        if (dataOption is not null && console.Table(dataOption) is { } table)
        {
            return Locate(message, table, rowOffset, singleRow, dataOption);
        }

        IReadOnlySet<string> flags = console.Flags;
        message = ReplaceNames(message, flags);
        string? flag = parameter is not null ? FlagOf(parameter, flags) : null;
        flag ??= dataOption is not null && flags.Contains(dataOption) ? dataOption : null;
        return flag is null || message.StartsWith(flag, StringComparison.Ordinal) ? message : $"{flag}: {message}";
    }

    /// <summary>A fit failure's one-line message, its remedies naming the running command's flags (<c>--reg</c>, not <c>Regularization</c>).</summary>
    public static string DescribeFailure(FittingException e, CliConsole console) => ReplaceNames(RawMessage(e), console.Flags);

    /// <summary>The exception's message on one line, without the runtime's "(Parameter …)" and "Actual value was …" parts.</summary>
    internal static string RawMessage(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
        }

        IEnumerable<string> lines = message.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.StartsWith("Actual value was", StringComparison.Ordinal));
        return DataFile.OneLine(string.Join(' ', lines));
    }

    private static string? FlagOf(string name, IReadOnlySet<string> flags) =>
        _flags.TryGetValue(name, out string[]? candidates) ? candidates.FirstOrDefault(flags.Contains) : null;

    /// <summary>Replaces the library's property names in the text by the running command's flags.</summary>
    private static string ReplaceNames(string message, IReadOnlySet<string> flags) =>
        Identifier().Replace(message, m => !_notInText.Contains(m.Value) && FlagOf(m.Value, flags) is { } flag ? flag : m.Value);

    /// <summary>
    /// <c>file:line:column: message</c> for a message naming 0-based (row, column) coordinates of <paramref name="table"/>
    /// (the coordinates are removed from the text), or <c>file: message</c> when it names none (<c>option: message</c>
    /// when the message names the file itself).
    /// </summary>
    private static string Locate(string message, DataTable table, long rowOffset, bool singleRow, string option)
    {
        string unlocated = message.Contains(table.Name, StringComparison.Ordinal) ? $"{option}: {message}" : $"{table.Name}: {message}";
        Match match = Coordinates().Match(message);
        if (!match.Success)
        {
            // A point's message names at most its column.
            Match pointColumn = PointColumn().Match(message);
            int j = pointColumn.Success && int.TryParse(pointColumn.Groups["column"].Value, CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
            return singleRow && table.Locate(rowOffset, j) is (int pointLine, int pointCharacter)
                ? $"{table.Name}:{pointLine}:{pointCharacter}: {message}"
                : unlocated;
        }

        long row = long.Parse(match.Groups["row"].Value, CultureInfo.InvariantCulture) + rowOffset;
        int column = match.Groups["column"].Success && int.TryParse(match.Groups["column"].Value, CultureInfo.InvariantCulture, out int c) ? c : 0;
        if (table.Locate(row, column) is not (int line, int character))
        {
            return unlocated;
        }

        string rest = Coordinates().Replace(message, string.Empty, 1);
        return $"{table.Name}:{line}:{character}: {rest}";
    }

    /// <summary>A column named without a row: "column 3".</summary>
    [GeneratedRegex(@"column (?<column>\d+)")]
    private static partial Regex PointColumn();

    /// <summary>An identifier (a word of letters) in a message.</summary>
    [GeneratedRegex(@"\b[A-Za-z]+\b")]
    private static partial Regex Identifier();

    /// <summary>The library's data coordinates: "at row 3, column 1", "of row 3", "row 3".</summary>
    [GeneratedRegex(@" ?(?:at |of )?row (?<row>\d+)(?:, column (?<column>\d+))?")]
    private static partial Regex Coordinates();

    /// <summary>The long names of a command's options (and their aliases).</summary>
    internal static HashSet<string> FlagsOf(Command? command)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (command is null)
        {
            return flags;
        }

        foreach (Option option in command.Options)
        {
            flags.Add(option.Name);
            foreach (string alias in option.Aliases)
            {
                flags.Add(alias);
            }
        }

        return flags;
    }
}
