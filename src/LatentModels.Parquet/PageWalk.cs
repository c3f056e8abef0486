namespace LatentModels.Parquet;

/// <summary>
/// Walks the pages of one column chunk the way Parquet.Net 6.1 will read them, before it does: from the smallest non-zero
/// of the dictionary, data and index page offsets, header after header, until the data pages declare the chunk's number of
/// values. Each header must be a sound <c>PageHeader</c> of Parquet's Thrift schema (<see cref="ThriftWalker"/>: Parquet.Net
/// allocates a string's declared length before reading it, even in a field it skips), its page must lie before the footer,
/// its uncompressed size be at most <see cref="MaxExpansion"/> times its compressed size plus 64 KiB (Parquet.Net allocates
/// it before decompressing), a dictionary declare at most one value per uncompressed byte, and the page type be one
/// Parquet.Net reads. Snappy is the one codec whose decoder sizes its output from the compressed bytes themselves (their
/// length preamble) rather than from the header: for a Snappy column each compressed page's preamble must declare exactly
/// the header's (checked) uncompressed size. The walk ends where the checked pages end; the reader then reads the chunk through a window that
/// ends there (<see cref="EndCheckedStream.Limit"/>), so Parquet.Net never decodes a header this walk has not checked.
/// </summary>
internal static class PageWalk
{
    /// <summary>The largest ratio of a page's uncompressed to its compressed size accepted (deflate's limit is about 1,032).</summary>
    internal const long MaxExpansion = 1024;

    /// <summary>Parquet's <c>CompressionCodec.SNAPPY</c>.</summary>
    internal const long SnappyCodec = 1;

    /// <summary>The longest page header accepted.</summary>
    internal const int MaxHeaderBytes = 1 << 20;

    /// <summary>What is wrong with the chunk's pages, or null; <paramref name="end"/> is the byte after the last page walked.</summary>
    /// <param name="file">The file (seekable).</param>
    /// <param name="start">The chunk's first page.</param>
    /// <param name="dataEnd">Where the footer starts.</param>
    /// <param name="values">The chunk's declared number of values.</param>
    /// <param name="codec">The chunk's compression codec (Parquet's <c>CompressionCodec</c>).</param>
    /// <param name="end">The byte after the last page walked.</param>
    internal static string? Check(Stream file, long start, long dataEnd, long values, long codec, out long end)
    {
        end = start;
        if (start < 4 || start >= dataEnd)
        {
            return $"its first page (byte {start}) lies outside the data.";
        }

        var facts = new PageHeaderFacts();
        byte[] buffer = new byte[256];
        long position = start;
        long counted = 0;
        while (counted < values)
        {
            if (position >= dataEnd)
            {
                return $"its pages reach the footer with {counted} of its {values} values.";
            }

            int headerLength;
            int want = 256;
            while (true)
            {
                int length = (int)Math.Min(want, dataEnd - position);
                if (length > buffer.Length)
                {
                    buffer = new byte[length];
                }

                file.Seek(position, SeekOrigin.Begin);
                file.ReadExactly(buffer, 0, length);
                facts.Reset();
                var walker = new ThriftWalker(buffer.AsSpan(0, length), facts);
                string? problem = walker.Struct(ParquetThriftSchema.PageHeader);
                if (problem is null)
                {
                    headerLength = walker.Position;
                    break;
                }

                if (length < dataEnd - position && length < MaxHeaderBytes)
                {
                    want = Math.Min(want * 16, MaxHeaderBytes); // The header may be longer than what was read.
                    continue;
                }

                return $"the page header at byte {position} {problem}";
            }

            if (facts.Compressed < 0 || facts.Uncompressed < 0)
            {
                return $"the page at byte {position} declares a negative size.";
            }

            long next = position + headerLength + facts.Compressed;
            if (next > dataEnd)
            {
                return $"the page at byte {position} ({facts.Compressed} bytes) runs into the footer.";
            }

            if (facts.Uncompressed > (MaxExpansion * Math.Max(facts.Compressed, 1)) + (1 << 16))
            {
                return $"the page at byte {position} declares {facts.Uncompressed} bytes uncompressed from {facts.Compressed}.";
            }

            if (Compression(file, position, headerLength, facts, codec, buffer) is string compression)
            {
                return $"the page at byte {position} {compression}";
            }

            switch (facts.Type)
            {
                case 0 or 3 when facts.Values >= 0:
                    counted += facts.Values;
                    break;
                case 2 when facts.Values >= 0 && facts.Values <= facts.Uncompressed:
                    break;
                case 0 or 2 or 3:
                    return $"the page at byte {position} declares {facts.Values} values, or lacks its page header.";
                default:
                    return $"the page at byte {position} has the type {facts.Type}, which this reader cannot read.";
            }

            position = next;
        }

        end = position;
        return null;
    }

    /// <summary>What is wrong with the page's levels or compressed bytes (see the class summary), or null.</summary>
    private static string? Compression(Stream file, long position, int headerLength, PageHeaderFacts facts, long codec, byte[] buffer)
    {
        long levels = 0;
        if (facts.Type == 3)
        {
            levels = facts.DefinitionLevelBytes + facts.RepetitionLevelBytes; // Each is an i32: no overflow.
            if (facts.DefinitionLevelBytes < 0 || facts.RepetitionLevelBytes < 0 || levels > facts.Compressed || levels > facts.Uncompressed)
            {
                return $"declares {facts.DefinitionLevelBytes} and {facts.RepetitionLevelBytes} bytes of levels in a page of {facts.Compressed} bytes ({facts.Uncompressed} uncompressed).";
            }

            if (!facts.ValuesCompressed)
            {
                return null;
            }
        }
        else if (facts.Type is not (0 or 2))
        {
            return null;
        }

        if (codec != SnappyCodec)
        {
            return null;
        }

        long available = facts.Compressed - levels;
        int length = (int)Math.Min(5, available);
        file.Seek(position + headerLength + levels, SeekOrigin.Begin);
        file.ReadExactly(buffer, 0, length);
        long declared = 0;
        for (int i = 0; ; i++)
        {
            if (i == length)
            {
                return $"holds {available} bytes of Snappy data without a complete length.";
            }

            declared |= (long)(buffer[i] & 0x7F) << (7 * i);
            if ((buffer[i] & 0x80) == 0)
            {
                break;
            }
        }

        long expected = facts.Uncompressed - levels;
        return declared == expected
            ? null
            : $"holds Snappy data that declares {declared} bytes uncompressed; its header declares {expected}.";
    }
}
