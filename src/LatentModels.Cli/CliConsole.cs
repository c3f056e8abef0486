using System.CommandLine;
using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>The writers and cancellation a command runs with, the data files it read, and the mapping of failures to exit codes.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="CancellationToken">Cancels long fits.</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error, CancellationToken CancellationToken)
{
    private readonly Dictionary<string, DataTable> _tables = new(StringComparer.Ordinal);
    private HashSet<string> _flags = [];
    private Command? _command;

    /// <summary>The command being run (its options name the flags in error messages).</summary>
    internal Command? Command
    {
        get => _command;
        set
        {
            _command = value;
            _flags = CliErrors.FlagsOf(value);
        }
    }

    /// <summary>The <c>--columns</c> choice of the command being run (the columns of a Parquet <c>--data</c> file), or null.</summary>
    internal IReadOnlyList<string>? Columns { get; set; }

    /// <summary>The flags of the command being run.</summary>
    internal IReadOnlySet<string> Flags => _flags;

    /// <summary>
    /// Reads the data file an option names (through <see cref="DataFile"/>, the CLI's only reader) and remembers where its
    /// rows came from, so that a library error about row i, column j of it names <c>file:line:column</c>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option that named it (<c>--data</c>, <c>--sample-weights</c>…).</param>
    internal double[,] ReadData(string path, string option = "--data")
    {
        DataTable table = DataFile.Load(path, option == "--data" ? Columns : null);
        _tables[option] = table;
        return table.Values;
    }

    /// <summary>
    /// Notes a data file that the command streams rather than reads (out-of-core), so that a library error about row i of
    /// it still names <c>file:line:column</c> (the line is found by reading the file again, only then).
    /// </summary>
    internal void StreamData(string path, string option = "--data") => _tables.TryAdd(option, DataFile.Locator(path));

    /// <summary>The table read for an option, if any.</summary>
    internal DataTable? Table(string option) => _tables.GetValueOrDefault(option);

    /// <summary>Runs a command body, turning exceptions into one-line messages on stderr and exit codes.</summary>
    /// <param name="body">The command body; returns its exit code.</param>
    public int Guard(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (RowFormatException e)
        {
            return Fail(CliApp.BadInput, "error: ", e.Message);
        }
        catch (FittingException e)
        {
            return Fail(CliApp.FitFailed, "fit failed: ", CliErrors.DescribeFailure(e, this));
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine("cancelled.");
            return CliApp.Cancelled;
        }
        catch (DataRowsException e)
        {
            return Fail(CliApp.BadInput, "error: ", CliErrors.Describe(e.Inner, this, e.FirstRow, e.SingleRow));
        }
        catch (ArgumentException e)
        {
            return Fail(CliApp.BadInput, "error: ", CliErrors.Describe(e, this));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(CliApp.BadInput, "error: ", CliErrors.RawMessage(e));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(i => i is ArgumentException or FittingException or OperationCanceledException))
        {
            // A parallel loop's failure: report its first cause as if it had been thrown alone.
            return Guard(() =>
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
                return CliApp.BadInput;
            });
        }
        catch (OutOfMemoryException)
        {
            return Fail(CliApp.BadInput, "error: ", "out of memory: the data and options need more memory than this process can have (use fewer rows, columns or components).");
        }
    }

    private int Fail(int code, string prefix, string message)
    {
        Error.WriteLine(prefix + DataFile.OneLine(message));
        return code;
    }
}
