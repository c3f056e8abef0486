using System.Text;
using LatentModels.Cli;
using LatentModels.Data;
using LatentModels.Parquet;
using LatentModels.Persistence;

namespace LatentModels.Fuzz;

/// <summary>
/// The fuzz targets: each feeds one input (the bytes of a file) to one reader or loader of the library or the CLI. A
/// target either returns, or throws the reader's documented exception (<see cref="IsDocumented"/>); anything else — any
/// other exception type, or a read that allocates more than the input can justify — is a finding. The fuzzing harness
/// (<c>Program</c>) and the corpus replay test (<c>FuzzCorpusReplayTests</c>) run this same code.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The model loader: <see cref="ModelJson.Load(Stream)"/>, every codec (the format names one).</summary>
    public const string Model = "model";

    /// <summary>The CLI's text-table reader: <see cref="DataFile.Read(TextReader, string)"/> (CSV, semicolon or whitespace).</summary>
    public const string Csv = "csv";

    /// <summary>The IDX image reader: <see cref="IdxReader.ReadImages(Stream, int?)"/> (plain or gzip).</summary>
    public const string IdxImages = "idx-images";

    /// <summary>The IDX label reader: <see cref="IdxReader.ReadLabels(Stream, int?)"/> (plain or gzip).</summary>
    public const string IdxLabels = "idx-labels";

    /// <summary>The CLI's data-file reader on a file: <see cref="DataFile.Read(string)"/> (detects IDX/gzip, else text).</summary>
    public const string DataFileTarget = "data-file";

    /// <summary>
    /// The library's streamed CSV reader, <see cref="CsvRowChunkSource"/> (3-row chunks), checked against the CLI's reader
    /// (<see cref="DataFile.Read(TextReader, string)"/>, the same rules): both read the same bits, or both fail at the same line.
    /// </summary>
    public const string CsvChunks = "csv-chunks";

    /// <summary>
    /// The Parquet reader, <see cref="ParquetRowChunkSource"/>, on the input written to a file: its column names, then every
    /// chunk (3-row chunks, all of one width, finite). The documented failure is <see cref="RowFormatException"/> naming the file.
    /// </summary>
    public const string Parquet = "parquet";

    /// <summary>The targets that exist (the corpus has one folder per target).</summary>
    public static IReadOnlyList<string> All { get; } = [Model, Csv, IdxImages, IdxLabels, DataFileTarget, CsvChunks, Parquet];

    /// <summary>The most a target may allocate for an input of <paramref name="length"/> bytes (<see cref="FuzzAllowance.For"/>).</summary>
    /// <param name="length">The input's length in bytes.</param>
    public static long AllocationAllowance(long length) => FuzzAllowance.For(length);

    /// <summary>Runs one target on one input.</summary>
    /// <param name="target">One of <see cref="All"/>.</param>
    /// <param name="input">The input file's bytes.</param>
    /// <exception cref="ArgumentException">Unknown target.</exception>
    /// <exception cref="FuzzFindingException">The input broke a promise other than by an exception (see the message).</exception>
    public static void Run(string target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            switch (target)
            {
                case Model:
                    LoadModel(input);
                    break;
                case Csv:
                    using (var reader = new StreamReader(new MemoryStream(input, writable: false), Encoding.UTF8))
                    {
                        Table(DataFile.Read(reader, "input.csv"));
                    }

                    break;
                case IdxImages:
                    Table(IdxReader.ReadImages(new MemoryStream(input, writable: false)), allowNoRows: true);
                    break;
                case IdxLabels:
                    foreach (int label in IdxReader.ReadLabels(new MemoryStream(input, writable: false)))
                    {
                        if (label is < 0 or > 255)
                        {
                            throw new FuzzFindingException($"label {label} is not a byte");
                        }
                    }

                    break;
                case DataFileTarget:
                    ReadDataFile(input);
                    break;
                case CsvChunks:
                    ReadChunks(input);
                    break;
                case Parquet:
                    ReadParquet(input);
                    break;
                default:
                    throw new ArgumentException($"Unknown fuzz target '{target}'; the targets are {string.Join(", ", All)}.", nameof(target));
            }
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationAllowance(input.Length))
            {
                throw new FuzzFindingException($"{target}: {allocated:N0} bytes allocated for an input of {input.Length:N0} bytes");
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> is the documented failure of <paramref name="target"/>.</summary>
    /// <param name="target">One of <see cref="All"/>.</param>
    /// <param name="e">The exception the target threw.</param>
    public static bool IsDocumented(string target, Exception e) => e is not FuzzFindingException && target switch
    {
        Model => e.GetType() == typeof(ModelFormatException),
        Csv or DataFileTarget => e.GetType() == typeof(RowFormatException) && ((RowFormatException)e).Problem.Length > 0,
        CsvChunks or Parquet => e.GetType() == typeof(RowFormatException) && ((RowFormatException)e).Problem.Length > 0,
        IdxImages or IdxLabels => e.GetType() == typeof(InvalidDataException),
        _ => false,
    };

    private static void LoadModel(byte[] input)
    {
        object model = ModelJson.Load(new MemoryStream(input, writable: false));

        // A file that loads is a model that saves, and what it saves loads into the same document (a round trip).
        string saved = ModelJson.Serialize(model);
        string again = ModelJson.Serialize(ModelJson.Deserialize(saved));
        if (saved != again)
        {
            throw new FuzzFindingException("a loaded model does not round-trip: saving its reloaded copy gives another document");
        }
    }

    private static void ReadChunks(byte[] input)
    {
        var source = new CsvRowChunkSource(() => new StreamReader(new MemoryStream(input, writable: false), Encoding.UTF8), "input.csv");
        var rows = new List<double[,]>();
        RowFormatException? failure = null;
        try
        {
            foreach (double[,] chunk in source.ReadChunks(3))
            {
                // Every chunk but the last has exactly 3 rows, the last at least one; all have one width. A chunk may be
                // the same array as the previous one (valid until the enumeration moves on): keep copies.
                if (chunk.GetLength(0) is 0 or > 3 || (rows.Count > 0 && (rows[^1].GetLength(0) != 3 || chunk.GetLength(1) != rows[0].GetLength(1))))
                {
                    throw new FuzzFindingException($"a {chunk.GetLength(0)} × {chunk.GetLength(1)} chunk was returned after {rows.Count}");
                }

                rows.Add((double[,])chunk.Clone());
            }
        }
        catch (RowFormatException e)
        {
            failure = e;
        }

        double[,]? whole = null;
        RowFormatException? cliFailure = null;
        try
        {
            using var reader = new StreamReader(new MemoryStream(input, writable: false), Encoding.UTF8);
            whole = DataFile.Read(reader, "input.csv");
        }
        catch (RowFormatException e)
        {
            cliFailure = e;
        }

        if (failure is not null || cliFailure is not null)
        {
            if (failure is null || cliFailure is null || failure.Line != cliFailure.Line)
            {
                throw new FuzzFindingException($"the streamed reader and the CLI's reader disagree: '{failure?.Message}' versus '{cliFailure?.Message}'");
            }

            throw failure;
        }

        double[] streamed = rows.SelectMany(chunk => chunk.Cast<double>()).ToArray();
        if (whole!.GetLength(1) != rows[0].GetLength(1) || !streamed.SequenceEqual(whole.Cast<double>()))
        {
            throw new FuzzFindingException("the streamed reader and the CLI's reader read different tables");
        }
    }

    private static void ReadParquet(byte[] input)
    {
        string path = Path.Combine(Path.GetTempPath(), $"latentmodels-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.parquet");
        File.WriteAllBytes(path, input);
        try
        {
            var source = new ParquetRowChunkSource(path);
            int width = source.ColumnNames().Count;
            if (width == 0)
            {
                throw new FuzzFindingException("the source reads no columns");
            }

            bool last = false;
            foreach (double[,] chunk in source.ReadChunks(3))
            {
                // Every chunk but the last has exactly 3 rows, the last at least one; all have the width of the column names.
                if (last || chunk.GetLength(0) is 0 or > 3 || chunk.GetLength(1) != width)
                {
                    throw new FuzzFindingException($"a {chunk.GetLength(0)} × {chunk.GetLength(1)} chunk was returned for {width} columns");
                }

                last = chunk.GetLength(0) < 3;
                foreach (double v in chunk)
                {
                    if (!double.IsFinite(v))
                    {
                        throw new FuzzFindingException($"a chunk holds {v}");
                    }
                }
            }
        }
        catch (RowFormatException e) when (e.File != path)
        {
            throw new FuzzFindingException($"the error names '{e.File}', not the file read: {e.Message}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void ReadDataFile(byte[] input)
    {
        string path = Path.Combine(Path.GetTempPath(), $"latentmodels-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.data");
        File.WriteAllBytes(path, input);
        try
        {
            Table(DataFile.Read(path));
        }
        catch (RowFormatException e) when (e.File != path)
        {
            throw new FuzzFindingException($"the error names '{e.File}', not the file read: {e.Message}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Table(double[,] table, bool allowNoRows = false)
    {
        if ((table.GetLength(0) == 0 && !allowNoRows) || table.GetLength(1) == 0)
        {
            throw new FuzzFindingException($"a {table.GetLength(0)} × {table.GetLength(1)} table was returned");
        }

        foreach (double v in table)
        {
            if (!double.IsFinite(v))
            {
                throw new FuzzFindingException($"the table holds {v}");
            }
        }
    }
}
