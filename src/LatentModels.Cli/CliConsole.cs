namespace LatentModels.Cli;

/// <summary>The writers and cancellation a command runs with, and the mapping of failures to exit codes.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="CancellationToken">Cancels long fits.</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error, CancellationToken CancellationToken)
{
    /// <summary>Runs a command body, turning exceptions into messages on stderr and exit codes.</summary>
    /// <param name="body">The command body; returns its exit code.</param>
    public int Guard(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (DataFormatException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return CliApp.BadInput;
        }
        catch (FittingException e)
        {
            Error.WriteLine($"fit failed: {e.Message}");
            return CliApp.FitFailed;
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine("cancelled.");
            return CliApp.Cancelled;
        }
        catch (ArgumentException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return CliApp.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"error: {e.Message}");
            return CliApp.BadInput;
        }
    }
}
