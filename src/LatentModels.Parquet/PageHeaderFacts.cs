namespace LatentModels.Parquet;

/// <summary>The numbers of one page header that <see cref="PageWalk"/> checks, collected while <see cref="ThriftWalker"/> walks it.</summary>
internal sealed class PageHeaderFacts : IThriftVisitor
{
    /// <summary>The page type (0 data, 1 index, 2 dictionary, 3 data v2).</summary>
    internal long Type { get; private set; }

    /// <summary>The declared uncompressed size.</summary>
    internal long Uncompressed { get; private set; }

    /// <summary>The declared compressed size (the bytes after the header).</summary>
    internal long Compressed { get; private set; }

    /// <summary>The number of values of the data or dictionary page, or −1 when its header lacks one.</summary>
    internal long Values { get; private set; } = -1;

    /// <summary>A version-2 data page's bytes of definition levels (stored uncompressed before its values).</summary>
    internal long DefinitionLevelBytes { get; private set; }

    /// <summary>A version-2 data page's bytes of repetition levels (stored uncompressed before its values).</summary>
    internal long RepetitionLevelBytes { get; private set; }

    /// <summary>Whether a version-2 data page's values are compressed (<c>is_compressed</c>, true when absent as Parquet's schema says).</summary>
    internal bool ValuesCompressed { get; private set; } = true;

    /// <summary>Forgets the previous header.</summary>
    internal void Reset()
    {
        Type = -1;
        Uncompressed = 0;
        Compressed = 0;
        Values = -1;
        DefinitionLevelBytes = 0;
        RepetitionLevelBytes = 0;
        ValuesCompressed = true;
    }

    /// <inheritdoc />
    public void Number(ThriftShape shape, short id, long value)
    {
        if (ReferenceEquals(shape, ParquetThriftSchema.PageHeader))
        {
            switch (id)
            {
                case 1:
                    Type = value;
                    break;
                case 2:
                    Uncompressed = value;
                    break;
                case 3:
                    Compressed = value;
                    break;
            }
        }
        else if (ReferenceEquals(shape, ParquetThriftSchema.DataPageHeaderV2) && id == 5)
        {
            DefinitionLevelBytes = value;
        }
        else if (ReferenceEquals(shape, ParquetThriftSchema.DataPageHeaderV2) && id == 6)
        {
            RepetitionLevelBytes = value;
        }
        else if (ReferenceEquals(shape, ParquetThriftSchema.DataPageHeaderV2) && id == 7)
        {
            ValuesCompressed = value != 0;
        }
        else if (id == 1 && (ReferenceEquals(shape, ParquetThriftSchema.DataPageHeader)
            || ReferenceEquals(shape, ParquetThriftSchema.DataPageHeaderV2) || ReferenceEquals(shape, ParquetThriftSchema.DictionaryPageHeader)))
        {
            Values = value;
        }
    }

    /// <inheritdoc />
    public void ListStart(ThriftShape shape, short id, int count)
    {
    }

    /// <inheritdoc />
    public void End(ThriftShape shape)
    {
    }
}
