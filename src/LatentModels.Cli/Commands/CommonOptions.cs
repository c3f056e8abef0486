using System.CommandLine;

namespace LatentModels.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "Numeric data file: CSV or whitespace-separated, one observation per line, optional header line.",
        Required = true,
        HelpName = "FILE",
    };

    /// <summary>
    /// <c>--columns a,b,c</c>: the columns of a Parquet <c>--data</c> file to read, in this order (default: every numeric
    /// column). Given once at the root, recursive, so every command that reads <c>--data</c> takes it.
    /// </summary>
    public static Option<string?> Columns() => new("--columns")
    {
        Description = "Parquet --data only: the columns to read, by name, comma-separated, in this order (default: every numeric column; other columns are skipped).",
        HelpName = "a,b,c",
        Recursive = true,
    };

    /// <summary>The <c>--columns</c> names (trimmed), or null when not given.</summary>
    public static IReadOnlyList<string>? ParseColumns(string? value) =>
        value is null ? null : [.. value.Split(',').Select(c => c.Trim())];

    /// <summary>How a command reads its <c>--sample-weights</c> file (for the help text).</summary>
    public enum WeightsReading
    {
        /// <summary>Read whole (the in-memory fits without <c>--out-of-core</c>).</summary>
        Whole,

        /// <summary>Read whole, or in chunks alongside <c>--data</c> with <c>--out-of-core</c>.</summary>
        OutOfCore,

        /// <summary>Always read in chunks alongside <c>--data</c> (the streamed fits).</summary>
        Chunked,
    }

    /// <summary><c>--sample-weights FILE</c>: one non-negative weight per line.</summary>
    /// <param name="reading">How the command reads the file (the help says it).</param>
    public static Option<string?> SampleWeights(WeightsReading reading = WeightsReading.OutOfCore) =>
        new("--sample-weights")
        {
            Description = "File of one non-negative weight per row (a row of weight w counts as w copies)" + reading switch
            {
                WeightsReading.OutOfCore => "; with --out-of-core it is read in chunks alongside --data.",
                WeightsReading.Chunked => "; read in chunks alongside --data.",
                _ => ".",
            },
            HelpName = "FILE",
        };

    /// <summary>
    /// The <c>--sample-weights</c> file as a chunk source read in lockstep with <c>--data</c> (a bad weight, a second column
    /// or a wrong count is reported when a pass reaches it, naming <c>file:line:column</c> where it is a cell).
    /// </summary>
    public static Data.IRowChunkSource OpenSampleWeights(CliConsole console, string path)
    {
        Data.IRowChunkSource weights = DataSources.Open(path, null);
        console.StreamData(path, "--sample-weights");
        return SampleWeightsFile.Checked(weights);
    }

    /// <summary>
    /// The whole <c>--sample-weights</c> file (one weight per line) for a data set of <paramref name="rows"/> rows, read in
    /// chunks and checked as it arrives (<see cref="SampleWeightsFile.ReadAll"/>), or null without a path.
    /// </summary>
    public static double[]? ReadSampleWeights(CliConsole console, string? path, int rows) =>
        path is null ? null : SampleWeightsFile.ReadAll(console, path, rows);

    public static Option<bool> OutOfCore() => new("--out-of-core")
    {
        Description = "Do not load the file: re-read it in chunks every iteration (memory: one chunk, whatever the file's size; see docs/out-of-core.md).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object, as the last line of stdout, instead of the readable summary.",
    };

    public static Option<int?> Seed() => new("--seed")
    {
        Description = "Seed of every random choice (same seed, same result).",
        HelpName = "S",
    };

    public static Option<string?> LabelsOut() => new("--labels-out")
    {
        Description = "Write the fit's own label of every row (its cluster or most probable component, zero-based), one per line, to this file.",
        HelpName = "L.txt",
    };

    /// <summary>Writes one label per line (invariant digits) when a path was given.</summary>
    public static void WriteLabels(string? path, IReadOnlyList<int> labels)
    {
        if (path is null)
        {
            return;
        }

        WriteFile(path, "--labels-out", writer =>
        {
            foreach (int label in labels)
            {
                writer.WriteLine(label.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });
    }

    /// <summary>Writes an output file, an unwritable path being bad input that names the option.</summary>
    public static void WriteFile(string path, string option, Action<TextWriter> write)
    {
        try
        {
            using var writer = new StreamWriter(path);
            write(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot write '{path}': {CliErrors.RawMessage(e)}", e);
        }
    }

    /// <summary>The thread cap of every fit (and of sparse-code): 0 = all cores; the results do not depend on it.</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Thread cap (0: all cores). The results are the same, to the bit, for every value (a stream state saved by --state-out keeps its cap).",
        DefaultValueFactory = _ => 0,
        HelpName = "T",
    };

    /// <summary>The <c>--threads</c> value, checked (0 or more).</summary>
    public static int GetThreads(ParseResult parse, Option<int> threads)
    {
        int value = parse.GetValue(threads);
        return value >= 0 ? value : throw new ArgumentException($"--threads: {value} is negative; give a thread cap of at least 1, or 0 for all cores.");
    }

    public static Option<string?> ModelOut() => new("--model-out")
    {
        Description = "Save the fitted model as JSON to this file (for 'latent score', 'predict' and 'sample').",
        HelpName = "M.json",
    };
}
