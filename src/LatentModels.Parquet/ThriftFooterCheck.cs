namespace LatentModels.Parquet;

/// <summary>
/// Validates a Parquet footer (a Thrift compact-protocol <c>FileMetaData</c>) against Parquet's Thrift schema before
/// Parquet.Net decodes it, in time linear in its length (<see cref="ThriftWalker"/>): every known field must carry its
/// schema type, every list its element type and no more elements than bytes are left, every string no more bytes than are
/// left, numbers at most 5 or 10 bytes, nesting at most <see cref="MaxDepth"/>; unknown fields are skipped only where
/// Parquet.Net skips them to the same byte; the required fields (version, schema, num_rows, row_groups) are present, the
/// structure ends exactly at the footer's end, and the schema's <c>num_children</c> form one tree at most
/// <see cref="SchemaTreeCollector.MaxDepth"/> deep. Parquet.Net's decoder trusts the footer: it reads past the end as endless
/// 0xFF bytes (so a varint or a skipped structure there never ends), reads fields by id whatever type the footer gives them,
/// and sizes lists and strings by their declared counts. A footer this check accepts is decoded by Parquet.Net along the same
/// path, inside its bytes, allocating at most a small multiple of its length (found by fuzzing: a 17-byte footer on which
/// Parquet.Net spun forever, one of 270 bytes that made it allocate 1.9 GB).
/// </summary>
internal static class ThriftFooterCheck
{
    /// <summary>The deepest nesting of structures and lists accepted (a Parquet footer nests about 7 deep).</summary>
    internal const int MaxDepth = ThriftWalker.MaxDepth;

    /// <summary>What is wrong with the footer, or null when it is a sound <c>FileMetaData</c>.</summary>
    /// <param name="footer">The footer's bytes (a Thrift compact-protocol <c>FileMetaData</c>).</param>
    internal static string? Problem(ReadOnlySpan<byte> footer)
    {
        var schema = new SchemaTreeCollector();
        var walker = new ThriftWalker(footer, schema);
        if (walker.Struct(ParquetThriftSchema.FileMetaData) is string problem)
        {
            return "its footer " + problem;
        }

        return walker.Position != footer.Length
            ? $"its footer's FileMetaData ends after {walker.Position} of its {footer.Length} bytes."
            : schema.Problem();
    }
}
