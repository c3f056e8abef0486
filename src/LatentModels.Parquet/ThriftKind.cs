namespace LatentModels.Parquet;

/// <summary>The value types of Parquet's Thrift schema (<c>parquet.thrift</c>) as the footer check knows them.</summary>
internal enum ThriftKind : byte
{
    /// <summary>No type (the element kind of a field that is not a list).</summary>
    None,

    /// <summary>A boolean: held in a struct field's header, one byte as a list element.</summary>
    Bool,

    /// <summary>One byte (<c>i8</c>).</summary>
    Int8,

    /// <summary>A zigzag varint of at most 3 bytes' worth of value (<c>i16</c>).</summary>
    I16,

    /// <summary>A zigzag varint of at most 5 bytes (<c>i32</c> and enums).</summary>
    I32,

    /// <summary>A zigzag varint of at most 10 bytes (<c>i64</c>).</summary>
    I64,

    /// <summary>Eight bytes (<c>double</c>).</summary>
    Float64,

    /// <summary>A varint length and that many bytes (<c>binary</c> and <c>string</c>).</summary>
    Binary,

    /// <summary>A list of one element kind.</summary>
    List,

    /// <summary>A nested structure (or union).</summary>
    Struct,
}
