namespace LatentModels.Parquet;

/// <summary>What a <see cref="ThriftWalker"/> reports while it walks a structure (the values a caller checks further).</summary>
internal interface IThriftVisitor
{
    /// <summary>An integer field (or enum, or boolean as 1 or 0) of a structure was read.</summary>
    /// <param name="shape">The structure.</param>
    /// <param name="id">The field id.</param>
    /// <param name="value">The value.</param>
    void Number(ThriftShape shape, short id, long value);

    /// <summary>A list field of a structure starts.</summary>
    /// <param name="shape">The structure.</param>
    /// <param name="id">The field id.</param>
    /// <param name="count">The declared number of elements (at most the bytes left).</param>
    void ListStart(ThriftShape shape, short id, int count);

    /// <summary>A structure ended (after all its fields).</summary>
    /// <param name="shape">The structure.</param>
    void End(ThriftShape shape);
}
