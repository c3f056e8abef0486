namespace LatentModels.Data;

/// <summary>
/// Numeric rows streamed from text: comma-, semicolon- or whitespace-separated values, one observation per line, an
/// optional header line (a first line whose every cell is a name, see <see cref="CsvRules"/>), blank lines and lines
/// starting with '#' ignored — the rules of the <c>latent</c> CLI's data files. The file is read line by line for every pass; memory is one chunk plus
/// the reader's buffer, whatever the file's size.
/// </summary>
/// <remarks>
/// Validation at the door: every row must have the width of the first and every field must parse (invariant culture)
/// as a finite number; otherwise <see cref="RowFormatException"/> names the file, line and column. An empty file (no
/// data rows) is an error too. A problem is raised when the enumeration reaches it: a fit over a bad file fails at the
/// bad line of its first pass, before it returns anything.
/// </remarks>
public sealed class CsvRowChunkSource : IRowChunkSource
{
    private const int InitialRows = 1024;

    private readonly Func<TextReader> _open;

    /// <summary>A source over a file.</summary>
    /// <param name="path">The file (its name as given is used in messages).</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="RowFormatException">There is no such file (it is a directory, or missing).</exception>
    public CsvRowChunkSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!System.IO.File.Exists(path))
        {
            throw new RowFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        Name = path;
        _open = () => new StreamReader(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 1 << 16 });
    }

    /// <summary>A source over text opened afresh for every pass (e.g. a <see cref="StringReader"/> factory in tests).</summary>
    /// <param name="open">Opens the text from its start; the source disposes each reader it opens.</param>
    /// <param name="name">The name used in messages.</param>
    public CsvRowChunkSource(Func<TextReader> open, string name)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(name);
        _open = open;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        return Read(chunkRows, cancellationToken);
    }

    private IEnumerable<double[,]> Read(int chunkRows, CancellationToken cancellationToken)
    {
        using TextReader text = _open();
        var reader = new CsvRowReader(text, Name);
        double[,]? chunk = null;
        int columns = -1, filled = 0;
        while (reader.ReadRow())
        {
            if (columns < 0)
            {
                columns = reader.Columns;
                chunk = new double[Math.Min(chunkRows, InitialRows), columns];
            }
            else if (filled == chunk!.GetLength(0))
            {
                // Grown by doubling up to the chunk size: memory follows the rows actually read, not a huge chunk size.
                var larger = new double[(int)Math.Min(chunkRows, 2L * filled), columns];
                chunk.AsSpan().CopyTo(larger.AsWritableSpan());
                chunk = larger;
            }

            reader.Row.CopyTo(chunk!.AsWritableSpan().Slice(filled * columns, columns));
            if (++filled == chunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return chunk!;
                filled = 0;
            }
        }

        if (filled > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var last = new double[filled, columns];
            chunk!.AsSpan()[..(filled * columns)].CopyTo(last.AsWritableSpan());
            yield return last;
        }
    }
}
