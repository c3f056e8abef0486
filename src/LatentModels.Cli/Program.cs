namespace LatentModels.Cli;

/// <summary>Entry point of the <c>latent</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool; Ctrl-C cancels a running fit (exit code 130), a second Ctrl-C ends the process.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>0 on success, 1 when a fit fails, 2 on bad input, 130 when cancelled by Ctrl-C.</returns>
    public static int Main(string[] args)
    {
        var cancellation = new CancellationTokenSource(); // never disposed: a late Ctrl-C must still find it usable
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C cancels the running fit cleanly (exit code 130); a second one ends the process at once.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        return CliApp.Run(args, Console.Out, Console.Error, cancellation.Token);
    }
}
