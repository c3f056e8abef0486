using LatentModels.Orleans;

namespace LatentModels.Fuzz;

/// <summary>
/// The fuzz target of the distributed fits' CSV reader (<see cref="CsvShardSource"/>, issue 15): the input is written to a
/// file, cut into shards of <see cref="RowsPerShard"/> rows by <see cref="CsvShardSource.Partition"/>, and every shard is
/// loaded. The documented failure is <see cref="InvalidDataException"/> naming the line; shards that load must hold the
/// rows they declare, all of one width. Kept apart from <see cref="FuzzTargets"/> so that only the Orleans tests (which
/// replay <c>tests/fuzz-corpus/csv-shard/</c>) need the Orleans package.
/// </summary>
public static class ShardFuzzTargets
{
    /// <summary>The target's name (and corpus folder).</summary>
    public const string CsvShard = "csv-shard";

    /// <summary>Rows per shard: small, so that an input of a few lines spans several shards.</summary>
    public const int RowsPerShard = 3;

    /// <summary>Runs the target on one input.</summary>
    /// <param name="input">The file's bytes.</param>
    /// <exception cref="FuzzFindingException">The input broke a promise other than by an exception.</exception>
    public static void Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string path = Path.Combine(Path.GetTempPath(), $"latentmodels-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.csv");
        File.WriteAllBytes(path, input);
        try
        {
            int width = -1;
            foreach (CsvShardSource shard in CsvShardSource.Partition(path, RowsPerShard))
            {
                double[,] rows = shard.Load().Rows;
                if (rows.GetLength(0) != shard.RowCount)
                {
                    throw new FuzzFindingException($"{shard.Describe()} loaded {rows.GetLength(0)} rows");
                }

                if (rows.GetLength(0) > 0)
                {
                    if (width >= 0 && rows.GetLength(1) != width)
                    {
                        throw new FuzzFindingException($"{shard.Describe()} has {rows.GetLength(1)} columns, an earlier shard {width}");
                    }

                    width = rows.GetLength(1);
                }

                foreach (double v in rows)
                {
                    if (!double.IsFinite(v))
                    {
                        throw new FuzzFindingException($"{shard.Describe()} holds {v}");
                    }
                }
            }
        }
        finally
        {
            File.Delete(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > FuzzAllowance.For(input.Length))
            {
                throw new FuzzFindingException($"{CsvShard}: {allocated:N0} bytes allocated for an input of {input.Length:N0} bytes");
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> is the reader's documented failure.</summary>
    /// <param name="e">The exception the target threw.</param>
    public static bool IsDocumented(Exception e) => e.GetType() == typeof(InvalidDataException);
}
