namespace LatentModels.Orleans;

/// <summary>
/// Where a shard's rows come from: the seam every data format plugs into. A source is a small, serializable description
/// (a file path and a row range, or the rows themselves) that a shard grain turns into rows with <see cref="Load"/> when
/// it activates — and again on whichever silo it reactivates after a silo dies, which is why a source must be readable
/// from every silo (a shared file system, object storage, or rows carried in the source). The CSV source
/// (<see cref="CsvShardSource"/>), the Parquet source (<see cref="ParquetShardSource"/>) and pushed rows
/// (<see cref="RowsShardSource"/>) exist; another format is another subclass with the same contract (mark it
/// <c>[GenerateSerializer]</c> and give its fields <c>[Id]</c>s).
/// </summary>
[GenerateSerializer]
public abstract class ShardSource
{
    /// <summary>Reads the shard's rows (and optional per-row sample weights). Called on the silo that hosts the shard.</summary>
    /// <returns>The rows, validated (finite values, one width).</returns>
    /// <exception cref="InvalidDataException">The source cannot be read as rows (the message names the place).</exception>
    public abstract ShardData Load();

    /// <summary>A short description of the source for messages (e.g. the path and row range).</summary>
    public abstract string Describe();

    /// <inheritdoc />
    public override string ToString() => Describe();
}
