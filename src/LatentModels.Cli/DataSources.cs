using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>
/// Opens a <c>--data</c> file as a chunk source for the commands that stream (bounded memory): CSV and whitespace-separated
/// text is streamed by <see cref="CsvRowChunkSource"/> (the same rules as <see cref="DataFile"/>); an IDX or gzip file
/// (small MNIST images) is read whole by <see cref="DataFile"/> and served from memory; a Parquet file is streamed by row
/// group by <see cref="LatentModels.Parquet.ParquetRowChunkSource"/>. A text file of at most 64 MiB is parsed once: its
/// rows are kept (<see cref="CachedRowChunkSource"/>, at most 64 MiB of values) and later passes read them from memory.
/// </summary>
internal static class DataSources
{
    /// <summary>The source of a data file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The <c>--columns</c> choice (Parquet only), or null.</param>
    /// <exception cref="RowFormatException">The file is missing or is a directory.</exception>
    public static IRowChunkSource Open(string path, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new RowFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        if (DataFile.IsParquet(path))
        {
            return DataFile.OpenParquet(path, columns);
        }

        DataFile.CheckNoColumns(path, columns);
        if (IsIdxOrGzip(path))
        {
            return new ArrayRowChunkSource(DataFile.Read(path), path);
        }

        // A text file of at most 64 MiB is parsed once and its rows kept (at most 64 MiB of values) for the fits' later
        // passes; a larger file is streamed every pass (memory bounded whatever its size).
        var csv = new CsvRowChunkSource(path);
        return new FileInfo(path).Length <= CachedBytes ? new CachedRowChunkSource(csv, CachedBytes / sizeof(double)) : csv;
    }

    /// <summary>The largest text file whose rows are kept in memory after the first pass, and the most bytes of values kept.</summary>
    internal const long CachedBytes = 64L << 20;

    private static bool IsIdxOrGzip(string path)
    {
        Span<byte> head = stackalloc byte[3];
        using var stream = System.IO.File.OpenRead(path);
        int read = stream.ReadAtLeast(head, 3, throwOnEndOfStream: false);
        return read == 3 && ((head[0] == 0x1F && head[1] == 0x8B) || (head[0] == 0 && head[1] == 0 && head[2] == 0x08));
    }

    /// <summary>
    /// Streams the rows of <paramref name="source"/> <paramref name="passes"/> times into <paramref name="update"/> in
    /// mini-batches of <paramref name="batchSize"/> rows (the last of a pass shorter), re-reading the file for every pass;
    /// memory is one mini-batch. Returns the rows of one pass and the columns.
    /// </summary>
    public static (int Rows, int Columns) Stream(IRowChunkSource source, int batchSize, int passes, Action<double[,], int> update, CancellationToken cancellationToken)
    {
        int rows = 0, columns = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            int seen = 0;
            foreach (double[,] batch in source.ReadChunks(batchSize, cancellationToken))
            {
                update(batch, seen);
                seen = checked(seen + batch.GetLength(0));
                columns = batch.GetLength(1);
            }

            rows = seen;
        }

        return (rows, columns);
    }

    /// <summary>
    /// <see cref="Stream"/> into an online estimator, as <see cref="FitCommands.Stream{TModel}"/> does on an array: the
    /// same mini-batches, one point at a time for a batch size of 1 (read in larger chunks).
    /// </summary>
    public static (int Rows, int Columns) Stream<TModel>(IOnlineEstimator<TModel> online, IRowChunkSource source, int batchSize, int passes, CancellationToken cancellationToken)
    {
        if (batchSize > 1)
        {
            return Stream(source, batchSize, passes, (batch, first) => FitCommands.UpdateRows(() => online.Update(batch), first), cancellationToken);
        }

        double[] point = [];
        return Stream(source, 4096, passes, (chunk, first) =>
        {
            int d = chunk.GetLength(1);
            if (point.Length != d)
            {
                point = new double[d];
            }

            for (int i = 0; i < chunk.GetLength(0); i++)
            {
                for (int j = 0; j < d; j++)
                {
                    point[j] = chunk[i, j];
                }

                FitCommands.UpdateRows(() => online.Update(point), first + i, singleRow: true);
            }
        }, cancellationToken);
    }
}
