using static LatentModels.Parquet.ThriftKind;

namespace LatentModels.Parquet;

/// <summary>
/// The structures of Parquet's Thrift schema (apache/parquet-format <c>parquet.thrift</c>) that a file's footer and its
/// page headers hold, with every field id and declared type that Parquet.Net 6.1 reads: the checks walk a footer or a page
/// header by these, field by field, as Parquet.Net's decoder does (it reads a field by its id, whatever type is declared).
/// </summary>
internal static class ParquetThriftSchema
{
    // The empty structures (unit types of unions).
    private static readonly ThriftShape _stringType = new("StringType");
    private static readonly ThriftShape _mapType = new("MapType");
    private static readonly ThriftShape _listType = new("ListType");
    private static readonly ThriftShape _enumType = new("EnumType");
    private static readonly ThriftShape _dateType = new("DateType");
    private static readonly ThriftShape _float16Type = new("Float16Type");
    private static readonly ThriftShape _nullType = new("NullType");
    private static readonly ThriftShape _jsonType = new("JsonType");
    private static readonly ThriftShape _bsonType = new("BsonType");
    private static readonly ThriftShape _uuidType = new("UUIDType");
    private static readonly ThriftShape _milliSeconds = new("MilliSeconds");
    private static readonly ThriftShape _microSeconds = new("MicroSeconds");
    private static readonly ThriftShape _nanoSeconds = new("NanoSeconds");
    private static readonly ThriftShape _typeDefinedOrder = new("TypeDefinedOrder");
    private static readonly ThriftShape _encryptionWithFooterKey = new("EncryptionWithFooterKey");

    private static readonly ThriftShape _decimalType = new("DecimalType", F(1, "scale", I32), F(2, "precision", I32));

    private static readonly ThriftShape _timeUnit = new(
        "TimeUnit",
        F(1, "MILLIS", Struct, shape: _milliSeconds),
        F(2, "MICROS", Struct, shape: _microSeconds),
        F(3, "NANOS", Struct, shape: _nanoSeconds));

    private static readonly ThriftShape _timeType = new("TimeType", F(1, "isAdjustedToUTC", Bool), F(2, "unit", Struct, shape: _timeUnit));
    private static readonly ThriftShape _timestampType = new("TimestampType", F(1, "isAdjustedToUTC", Bool), F(2, "unit", Struct, shape: _timeUnit));
    private static readonly ThriftShape _intType = new("IntType", F(1, "bitWidth", Int8), F(2, "isSigned", Bool));
    private static readonly ThriftShape _variantType = new("VariantType", F(1, "specification_version", Int8));
    private static readonly ThriftShape _geometryType = new("GeometryType", F(1, "crs", Binary));
    private static readonly ThriftShape _geographyType = new("GeographyType", F(1, "crs", Binary), F(2, "algorithm", I32));

    private static readonly ThriftShape _logicalType = new(
        "LogicalType",
        F(1, "STRING", Struct, shape: _stringType),
        F(2, "MAP", Struct, shape: _mapType),
        F(3, "LIST", Struct, shape: _listType),
        F(4, "ENUM", Struct, shape: _enumType),
        F(5, "DECIMAL", Struct, shape: _decimalType),
        F(6, "DATE", Struct, shape: _dateType),
        F(7, "TIME", Struct, shape: _timeType),
        F(8, "TIMESTAMP", Struct, shape: _timestampType),
        F(10, "INTEGER", Struct, shape: _intType),
        F(11, "UNKNOWN", Struct, shape: _nullType),
        F(12, "JSON", Struct, shape: _jsonType),
        F(13, "BSON", Struct, shape: _bsonType),
        F(14, "UUID", Struct, shape: _uuidType),
        F(15, "FLOAT16", Struct, shape: _float16Type),
        F(16, "VARIANT", Struct, shape: _variantType),
        F(17, "GEOMETRY", Struct, shape: _geometryType),
        F(18, "GEOGRAPHY", Struct, shape: _geographyType));

    private static readonly ThriftShape _keyValue = new("KeyValue", F(1, "key", Binary), F(2, "value", Binary));

    private static readonly ThriftShape _statistics = new(
        "Statistics",
        F(1, "max", Binary),
        F(2, "min", Binary),
        F(3, "null_count", I64),
        F(4, "distinct_count", I64),
        F(5, "max_value", Binary),
        F(6, "min_value", Binary),
        F(7, "is_max_value_exact", Bool),
        F(8, "is_min_value_exact", Bool));

    private static readonly ThriftShape _pageEncodingStats = new(
        "PageEncodingStats", F(1, "page_type", I32), F(2, "encoding", I32), F(3, "count", I32));

    private static readonly ThriftShape _sizeStatistics = new(
        "SizeStatistics",
        F(1, "unencoded_byte_array_data_bytes", I64),
        F(2, "repetition_level_histogram", List, I64),
        F(3, "definition_level_histogram", List, I64));

    private static readonly ThriftShape _boundingBox = new(
        "BoundingBox",
        F(1, "xmin", Float64),
        F(2, "xmax", Float64),
        F(3, "ymin", Float64),
        F(4, "ymax", Float64),
        F(5, "zmin", Float64),
        F(6, "zmax", Float64),
        F(7, "mmin", Float64),
        F(8, "mmax", Float64));

    private static readonly ThriftShape _geospatialStatistics = new(
        "GeospatialStatistics", F(1, "bbox", Struct, shape: _boundingBox), F(2, "geospatial_types", List, I32));

    private static readonly ThriftShape _columnMetaData = new(
        "ColumnMetaData",
        F(1, "type", I32),
        F(2, "encodings", List, I32),
        F(3, "path_in_schema", List, Binary),
        F(4, "codec", I32),
        F(5, "num_values", I64),
        F(6, "total_uncompressed_size", I64),
        F(7, "total_compressed_size", I64),
        F(8, "key_value_metadata", List, Struct, _keyValue),
        F(9, "data_page_offset", I64),
        F(10, "index_page_offset", I64),
        F(11, "dictionary_page_offset", I64),
        F(12, "statistics", Struct, shape: _statistics),
        F(13, "encoding_stats", List, Struct, _pageEncodingStats),
        F(14, "bloom_filter_offset", I64),
        F(15, "bloom_filter_length", I32),
        F(16, "size_statistics", Struct, shape: _sizeStatistics),
        F(17, "geospatial_statistics", Struct, shape: _geospatialStatistics));

    private static readonly ThriftShape _encryptionWithColumnKey = new(
        "EncryptionWithColumnKey", F(1, "path_in_schema", List, Binary), F(2, "key_metadata", Binary));

    private static readonly ThriftShape _columnCryptoMetaData = new(
        "ColumnCryptoMetaData",
        F(1, "ENCRYPTION_WITH_FOOTER_KEY", Struct, shape: _encryptionWithFooterKey),
        F(2, "ENCRYPTION_WITH_COLUMN_KEY", Struct, shape: _encryptionWithColumnKey));

    private static readonly ThriftShape _columnChunk = new(
        "ColumnChunk",
        F(1, "file_path", Binary),
        F(2, "file_offset", I64),
        F(3, "meta_data", Struct, shape: _columnMetaData),
        F(4, "offset_index_offset", I64),
        F(5, "offset_index_length", I32),
        F(6, "column_index_offset", I64),
        F(7, "column_index_length", I32),
        F(8, "crypto_metadata", Struct, shape: _columnCryptoMetaData),
        F(9, "encrypted_column_metadata", Binary));

    private static readonly ThriftShape _sortingColumn = new(
        "SortingColumn", F(1, "column_idx", I32), F(2, "descending", Bool), F(3, "nulls_first", Bool));

    private static readonly ThriftShape _rowGroup = new(
        "RowGroup",
        F(1, "columns", List, Struct, _columnChunk),
        F(2, "total_byte_size", I64),
        F(3, "num_rows", I64),
        F(4, "sorting_columns", List, Struct, _sortingColumn),
        F(5, "file_offset", I64),
        F(6, "total_compressed_size", I64),
        F(7, "ordinal", I16));

    private static readonly ThriftShape _columnOrder = new("ColumnOrder", F(1, "TYPE_ORDER", Struct, shape: _typeDefinedOrder));

    private static readonly ThriftShape _aesGcmV1 = new(
        "AesGcmV1", F(1, "aad_prefix", Binary), F(2, "aad_file_unique", Binary), F(3, "supply_aad_prefix", Bool));

    private static readonly ThriftShape _aesGcmCtrV1 = new(
        "AesGcmCtrV1", F(1, "aad_prefix", Binary), F(2, "aad_file_unique", Binary), F(3, "supply_aad_prefix", Bool));

    private static readonly ThriftShape _encryptionAlgorithm = new(
        "EncryptionAlgorithm", F(1, "AES_GCM_V1", Struct, shape: _aesGcmV1), F(2, "AES_GCM_CTR_V1", Struct, shape: _aesGcmCtrV1));

    private static readonly ThriftShape _dataPageHeader = new(
        "DataPageHeader",
        F(1, "num_values", I32),
        F(2, "encoding", I32),
        F(3, "definition_level_encoding", I32),
        F(4, "repetition_level_encoding", I32),
        F(5, "statistics", Struct, shape: _statistics));

    private static readonly ThriftShape _indexPageHeader = new("IndexPageHeader");

    private static readonly ThriftShape _dictionaryPageHeader = new(
        "DictionaryPageHeader", F(1, "num_values", I32), F(2, "encoding", I32), F(3, "is_sorted", Bool));

    private static readonly ThriftShape _dataPageHeaderV2 = new(
        "DataPageHeaderV2",
        F(1, "num_values", I32),
        F(2, "num_nulls", I32),
        F(3, "num_rows", I32),
        F(4, "encoding", I32),
        F(5, "definition_levels_byte_length", I32),
        F(6, "repetition_levels_byte_length", I32),
        F(7, "is_compressed", Bool),
        F(8, "statistics", Struct, shape: _statistics));

    /// <summary>One element of the flattened schema tree (<c>num_children</c> is field 5).</summary>
    internal static ThriftShape SchemaElement { get; } = new(
        "SchemaElement",
        F(1, "type", I32),
        F(2, "type_length", I32),
        F(3, "repetition_type", I32),
        F(4, "name", Binary),
        F(5, "num_children", I32),
        F(6, "converted_type", I32),
        F(7, "scale", I32),
        F(8, "precision", I32),
        F(9, "field_id", I32),
        F(10, "logicalType", Struct, shape: _logicalType));

    /// <summary>The footer: version, schema, num_rows and row_groups are required.</summary>
    internal static ThriftShape FileMetaData { get; } = new(
        "FileMetaData",
        F(1, "version", I32),
        F(2, "schema", List, Struct, SchemaElement),
        F(3, "num_rows", I64),
        F(4, "row_groups", List, Struct, _rowGroup),
        F(5, "key_value_metadata", List, Struct, _keyValue),
        F(6, "created_by", Binary),
        F(7, "column_orders", List, Struct, _columnOrder),
        F(8, "encryption_algorithm", Struct, shape: _encryptionAlgorithm),
        F(9, "footer_signing_key_metadata", Binary))
    {
        Required = [1, 2, 3, 4],
    };

    /// <summary>A page's header (type, sizes and one of four headers), read before each page of a column chunk.</summary>
    internal static ThriftShape PageHeader { get; } = new(
        "PageHeader",
        F(1, "type", I32),
        F(2, "uncompressed_page_size", I32),
        F(3, "compressed_page_size", I32),
        F(4, "crc", I32),
        F(5, "data_page_header", Struct, shape: _dataPageHeader),
        F(6, "index_page_header", Struct, shape: _indexPageHeader),
        F(7, "dictionary_page_header", Struct, shape: _dictionaryPageHeader),
        F(8, "data_page_header_v2", Struct, shape: _dataPageHeaderV2))
    {
        Required = [1, 2, 3],
    };

    /// <summary>The header of a data page (version 1); its field 1 is the page's number of values.</summary>
    internal static ThriftShape DataPageHeader => _dataPageHeader;

    /// <summary>The header of a data page (version 2); its field 1 is the page's number of values.</summary>
    internal static ThriftShape DataPageHeaderV2 => _dataPageHeaderV2;

    /// <summary>The header of a dictionary page; its field 1 is the dictionary's number of values.</summary>
    internal static ThriftShape DictionaryPageHeader => _dictionaryPageHeader;

    private static ThriftField F(short id, string name, ThriftKind kind, ThriftKind element = None, ThriftShape? shape = null) =>
        new(id, name, kind, element, shape);
}
