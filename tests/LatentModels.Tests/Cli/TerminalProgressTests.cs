using LatentModels.Cli;

namespace LatentModels.Tests.Cli;

public class TerminalProgressTests
{
    [Fact]
    public void Captured_writers_get_no_bar()
    {
        var console = new CliConsole(new StringWriter(), new StringWriter(), CancellationToken.None);
        TerminalProgress.ForTerminal(console, "EM").Should().BeNull("stderr is not the process's terminal");
    }

    [Fact]
    public void The_bar_redraws_one_line_from_the_library_reports_and_is_cleared_at_the_end()
    {
        var error = new StringWriter();
        var bar = TerminalProgress.ForWriter(error, "EM");
        bar.Report(new FitProgress(0, 3, 10, -4.25));
        string first = error.ToString();
        first.Should().Be("\rEM start 1 [#########.....................] iteration 3/10  objective -4.25   ");

        // The last iteration is always drawn, whatever the time since the previous draw.
        bar.Report(new FitProgress(1, 10, 10, -4.125));
        string last = error.ToString()[first.Length..];
        last.Should().Be("\rEM start 2 [##############################] iteration 10/10  objective -4.125   ");
        error.ToString().Should().NotContain("\n", "the bar stays on one line");

        bar.Dispose();
        string cleared = error.ToString()[(first.Length + last.Length)..];
        cleared.Should().Be("\r" + new string(' ', 100) + "\r");
        bar.Dispose();
        error.ToString().Length.Should().Be(first.Length + last.Length + cleared.Length, "a second Dispose writes nothing");
    }
}
