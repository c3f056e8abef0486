namespace LatentModels.Cli;

/// <summary>Entry point of the <c>latent</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool; Ctrl-C cancels a running fit.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>0 on success, 1 when a fit fails, 2 on bad input, 130 when cancelled by Ctrl-C.</returns>
    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return CliApp.Run(args, Console.Out, Console.Error, cancellation.Token);
    }
}
