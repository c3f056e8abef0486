using System.Globalization;

namespace LatentModels.Cli;

/// <summary>
/// A one-line progress bar on standard error, driven by the library's <see cref="IProgress{T}"/> reports. It draws
/// only when standard error is a terminal, so redirected output and <c>--json</c> consumers never see it, and it
/// redraws at most every 100 ms so that it never slows a fit down.
/// </summary>
internal sealed class TerminalProgress : IProgress<FitProgress>, IDisposable
{
    private readonly TextWriter _error;
    private readonly string _label;
    private long _lastDraw;
    private bool _drawn;

    private TerminalProgress(TextWriter error, string label)
    {
        _error = error;
        _label = label;
    }

    /// <summary>A progress bar when standard error is an interactive terminal, otherwise null (no reporting at all).</summary>
    /// <param name="console">The command's writers.</param>
    /// <param name="label">What is being fitted.</param>
    public static TerminalProgress? ForTerminal(CliConsole console, string label) =>
        ReferenceEquals(console.Error, Console.Error) && !Console.IsErrorRedirected ? new TerminalProgress(console.Error, label) : null;

    /// <summary>A progress bar that draws on <paramref name="error"/> whatever it is (for tests of the drawing).</summary>
    /// <param name="error">Where to draw.</param>
    /// <param name="label">What is being fitted.</param>
    internal static TerminalProgress ForWriter(TextWriter error, string label) => new(error, label);

    /// <inheritdoc/>
    public void Report(FitProgress value)
    {
        long now = Environment.TickCount64;
        if (_drawn && now - _lastDraw < 100 && value.Iteration < value.MaxIterations)
        {
            return;
        }

        _lastDraw = now;
        _drawn = true;
        const int Width = 30;
        int filled = value.MaxIterations > 0 ? Math.Clamp(value.Iteration * Width / value.MaxIterations, 0, Width) : 0;
        string bar = new string('#', filled) + new string('.', Width - filled);
        _error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{_label} start {value.Start + 1} [{bar}] iteration {value.Iteration}/{value.MaxIterations}  objective {value.Objective:G8}   "));
    }

    /// <summary>Clears the bar's line (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (_drawn)
        {
            _error.Write("\r" + new string(' ', 100) + "\r");
            _drawn = false;
        }
    }
}
