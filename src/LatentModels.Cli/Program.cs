namespace LatentModels.Cli;

/// <summary>Entry point of the <c>latent</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>0 on success, 1 when a fit fails, 2 on bad input.</returns>
    public static int Main(string[] args) => args.Length == 0 ? 2 : 0;
}
