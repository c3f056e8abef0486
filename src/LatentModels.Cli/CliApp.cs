using System.CommandLine;

namespace LatentModels.Cli;

/// <summary>The <c>latent</c> command tree, runnable against any output writers (so tests can drive it).</summary>
public static class CliApp
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code when a fit failed (e.g. a degenerate component).</summary>
    public const int FitFailed = 1;

    /// <summary>Exit code for bad input: unreadable data, invalid options, a wrong or tampered model file.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// Exit code when the run was cancelled (Ctrl-C cancels the <see cref="CancellationToken"/> given to
    /// <see cref="Run"/>): 130 = 128 + SIGINT, what shells report for a command interrupted by Ctrl-C. Nothing is written
    /// to stdout and no model file is saved.
    /// </summary>
    public const int Cancelled = 130;

    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where messages and errors go.</param>
    /// <param name="cancellationToken">Cancels a running fit.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var console = new CliConsole(stdout, stderr, cancellationToken);
        RootCommand root = Build(console);
        Option<string?> columns = CommonOptions.Columns();
        root.Options.Add(columns);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, as every other error: the parser's messages, then where to find the usage.
            string messages = string.Join(" ", parse.Errors.Select(e => DataFile.OneLine(e.Message)));
            stderr.WriteLine($"error: {messages} (run 'latent {string.Join(' ', CommandPath(parse.CommandResult))} --help' for usage)".Replace("  ", " ", StringComparison.Ordinal));
            return BadInput;
        }

        console.Command = parse.CommandResult.Command;
        console.Columns = CommonOptions.ParseColumns(parse.GetValue(columns));
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The verbs from the root to the parsed command (e.g. "fit gmm"; empty for the root).</summary>
    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (; result?.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }

    internal static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand(
            "latent — probabilistic latent-variable models from the command line (LatentModels).\n" +
            "Exit codes: 0 success, 1 fitting failed, 2 bad input, 130 cancelled (Ctrl-C); messages go to stderr.\n" +
            "Example: latent fit gmm --data old_faithful.txt --k 2 --model-out m.json && latent score --model m.json --data old_faithful.txt");
        var fit = new Command("fit",
            "Fit a model to a numeric data file (CSV or whitespace-separated, optional header line).\n" +
            "Example: latent fit gmm --data old_faithful.txt --k 2 --json");
        FitCommands.Add(fit, console);
        root.Subcommands.Add(fit);
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(SparseCodeCommand.Create(console));
        foreach (Command command in ModelCommands.Create(console))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
