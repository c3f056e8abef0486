namespace LatentModels.Parquet;

/// <summary>
/// Walks one Thrift compact-protocol structure against Parquet's schema (<see cref="ParquetThriftSchema"/>) the way Parquet.Net
/// 6.1 decodes it, without allocating: a known field is read by its id and must carry the schema's type (Parquet.Net reads
/// it by the schema's type whatever the footer claims); a list must declare its schema's element type and no more elements
/// than bytes are left (every element takes at least one byte); a string no more bytes than are left; a number at most 5
/// (<c>i32</c>) or 10 (<c>i64</c>) bytes; nesting at most <see cref="MaxDepth"/>. An unknown field is skipped as Thrift
/// defines it, and only if Parquet.Net's own skipping (which reads a skipped structure's field headers without their values,
/// and a skipped list's booleans as zero bytes) ends at the same byte: otherwise Parquet.Net would misread what follows.
/// Every step consumes at least one byte or fails, so the walk is linear in the bytes, and whatever it accepts Parquet.Net
/// decodes along the same path, never reading past the end (where its reader would see endless 0xFF bytes and spin).
/// </summary>
internal ref struct ThriftWalker
{
    /// <summary>The deepest nesting of structures and lists accepted (a Parquet footer nests about 7 deep).</summary>
    internal const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly IThriftVisitor? _visitor;
    private int _position;

    /// <summary>A walker at the start of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The encoded structure (and possibly what follows it).</param>
    /// <param name="visitor">Told of the numbers, lists and structure ends read; null for none.</param>
    internal ThriftWalker(ReadOnlySpan<byte> bytes, IThriftVisitor? visitor)
    {
        _bytes = bytes;
        _visitor = visitor;
        _position = 0;
    }

    /// <summary>The number of bytes walked so far.</summary>
    internal readonly int Position => _position;

    private readonly int Left => _bytes.Length - _position;

    /// <summary>Walks one structure of <paramref name="shape"/>: null when it is sound, else what is wrong (a sentence without subject).</summary>
    /// <param name="shape">The structure expected.</param>
    internal string? Struct(ThriftShape shape) => Struct(shape, 1);

    private string? Struct(ThriftShape shape, int depth)
    {
        if (depth > MaxDepth)
        {
            return Deep();
        }

        short last = 0;
        ulong seen = 0;
        while (true)
        {
            if (_position >= _bytes.Length)
            {
                return $"ends inside a {shape.Name}.";
            }

            byte header = _bytes[_position++];
            if (header == 0)
            {
                break;
            }

            int type = header & 0x0F;
            short id;
            if (header >> 4 == 0)
            {
                if (Integer(5, out long value) is string problem)
                {
                    return problem;
                }

                if (value is < short.MinValue or > short.MaxValue)
                {
                    return $"gives a field of a {shape.Name} the id {value}.";
                }

                id = (short)value;
            }
            else
            {
                id = (short)(last + (header >> 4));
            }

            last = id;
            ThriftField? field = shape.Find(id);
            string? fieldProblem;
            if (field is null)
            {
                fieldProblem = Unknown(shape, id, type, depth);
            }
            else if (!Declares(field.Kind, type))
            {
                return $"gives {shape.Name}.{field.Name} (field {id}) the Thrift type {TypeName(type)}; Parquet's schema says {KindName(field.Kind)}.";
            }
            else
            {
                if (id is >= 0 and < 64)
                {
                    seen |= 1UL << id;
                }

                fieldProblem = Value(shape, field, field.Kind, depth, inList: false);
                if (fieldProblem is null && field.Kind == ThriftKind.Bool)
                {
                    _visitor?.Number(shape, id, type == 1 ? 1 : 0); // Compact Thrift: a boolean field's type is 1 (true) or 2 (false).
                }
            }

            if (fieldProblem is not null)
            {
                return fieldProblem;
            }
        }

        ulong missing = shape.RequiredMask & ~seen;
        if (missing != 0)
        {
            return $"has a {shape.Name} without its required {shape.FieldName((short)System.Numerics.BitOperations.TrailingZeroCount(missing))}.";
        }

        _visitor?.End(shape);
        return null;
    }

    private string? Value(ThriftShape shape, ThriftField field, ThriftKind kind, int depth, bool inList)
    {
        long value;
        string? problem;
        switch (kind)
        {
            case ThriftKind.Bool:
                // A boolean field holds its value in its header; a list holds one byte per boolean.
                return inList ? Take(1) : null;
            case ThriftKind.Int8:
                return Take(1);
            case ThriftKind.I16:
                problem = Integer(5, out value) ?? (value is < short.MinValue or > short.MaxValue
                    ? $"gives {shape.Name}.{field.Name} the value {value}, out of the range of an i16."
                    : null);
                break;
            case ThriftKind.I32:
                problem = Integer(5, out value);
                break;
            case ThriftKind.I64:
                problem = Integer(10, out value);
                break;
            case ThriftKind.Float64:
                return Take(8);
            case ThriftKind.Binary:
                return Binary($"{shape.Name}.{field.Name}");
            case ThriftKind.List:
                return List(shape, field, depth + 1);
            default:
                return Struct(field.Shape!, depth + 1);
        }

        if (problem is null && !inList)
        {
            _visitor?.Number(shape, field.Id, value);
        }

        return problem;
    }

    private string? List(ThriftShape shape, ThriftField field, int depth)
    {
        if (depth > MaxDepth)
        {
            return Deep();
        }

        if (ListHeader(out long count, out int elementType) is string problem)
        {
            return problem;
        }

        if (count > 0 && !Declares(field.Element, elementType))
        {
            return $"gives the elements of {shape.Name}.{field.Name} the Thrift type {TypeName(elementType)}; Parquet's schema says {KindName(field.Element)}.";
        }

        if (count > Left)
        {
            return $"declares {count} elements in {shape.Name}.{field.Name} with {Left} bytes left.";
        }

        _visitor?.ListStart(shape, field.Id, (int)count);
        for (long i = 0; i < count; i++)
        {
            if (Value(shape, field, field.Element, depth, inList: true) is string elementProblem)
            {
                return elementProblem;
            }
        }

        return null;
    }

    /// <summary>An unknown field: skipped as Thrift defines it, if Parquet.Net's skipping ends at the same byte.</summary>
    private string? Unknown(ThriftShape shape, short id, int type, int depth)
    {
        int start = _position;
        string? thrift = Skip(type, depth, inList: false);
        int end = _position;
        if (thrift is not null)
        {
            return thrift;
        }

        _position = start;
        string? parquetNet = SkipAsParquetNet(type, depth);
        if (parquetNet is not null || _position != end)
        {
            return $"holds an unknown field {id} of Thrift type {TypeName(type)} in a {shape.Name} that Parquet.Net would not skip as Thrift does.";
        }

        return null;
    }

    /// <summary>Skips a value as the Thrift compact protocol defines it.</summary>
    private string? Skip(int type, int depth, bool inList)
    {
        switch (type)
        {
            case 1 or 2:
                return inList ? Take(1) : null;
            case 3:
                return Take(1);
            case 4 or 5:
                return Integer(5, out _);
            case 6:
                return Integer(10, out _);
            case 7:
                return Take(8);
            case 8:
                return Binary("a string");
            case 9 or 10:
                {
                    if (depth + 1 > MaxDepth)
                    {
                        return Deep();
                    }

                    if (ListHeader(out long count, out int elementType) is string problem)
                    {
                        return problem;
                    }

                    if (count > Left)
                    {
                        return $"declares a list of {count} elements with {Left} bytes left.";
                    }

                    for (long i = 0; i < count; i++)
                    {
                        if (Skip(elementType, depth + 1, inList: true) is string elementProblem)
                        {
                            return elementProblem;
                        }
                    }

                    return null;
                }

            case 11:
                {
                    if (depth + 1 > MaxDepth)
                    {
                        return Deep();
                    }

                    if (Integer(5, out long count, zigzag: false) is string problem)
                    {
                        return problem;
                    }

                    if (count == 0)
                    {
                        return null;
                    }

                    if (Left < 1 || count > (Left - 1) / 2)
                    {
                        return $"declares a map of {count} entries with {Left} bytes left.";
                    }

                    int types = _bytes[_position++];
                    for (long i = 0; i < count; i++)
                    {
                        if ((Skip(types >> 4, depth + 1, inList: true) ?? Skip(types & 0x0F, depth + 1, inList: true)) is string entryProblem)
                        {
                            return entryProblem;
                        }
                    }

                    return null;
                }

            case 12:
                {
                    if (depth + 1 > MaxDepth)
                    {
                        return Deep();
                    }

                    while (true)
                    {
                        if (_position >= _bytes.Length)
                        {
                            return "ends inside a structure.";
                        }

                        byte header = _bytes[_position++];
                        if (header == 0)
                        {
                            return null;
                        }

                        if (((header >> 4 == 0 ? Integer(5, out _) : null) ?? Skip(header & 0x0F, depth + 1, inList: false)) is string fieldProblem)
                        {
                            return fieldProblem;
                        }
                    }
                }

            case 13:
                return Take(16);
            default:
                return $"holds a value of the unknown Thrift type {type}.";
        }
    }

    /// <summary>
    /// Skips a value the way Parquet.Net 6.1 does (to compare where it ends): booleans take no byte even in a list, a
    /// structure's field headers are read without their values, numbers are read however long, and a list declaring a
    /// negative size is empty; sets, maps and other types cannot be skipped.
    /// </summary>
    private string? SkipAsParquetNet(int type, int depth)
    {
        switch (type)
        {
            case 1 or 2:
                return null;
            case 3:
                return Take(1);
            case 4 or 5 or 6:
                return LongVarint(out _);
            case 7:
                return Take(8);
            case 8:
                {
                    if (LongVarint(out uint length) is string problem)
                    {
                        return problem;
                    }

                    return (int)length < 0 ? "declares a negative length." : Take((int)length);
                }

            case 9:
                {
                    if (depth + 1 > MaxDepth)
                    {
                        return Deep();
                    }

                    if (_position >= _bytes.Length)
                    {
                        return "ends inside a list.";
                    }

                    byte header = _bytes[_position++];
                    int size = header >> 4;
                    if (size == 15)
                    {
                        if (LongVarint(out uint declared) is string problem)
                        {
                            return problem;
                        }

                        size = (int)declared;
                    }

                    int elementType = header & 0x0F;
                    if (size <= 0 || elementType is 1 or 2)
                    {
                        return null; // Parquet.Net loops over nothing, or over booleans that take no byte.
                    }

                    if (size > Left)
                    {
                        return $"declares a list of {size} elements with {Left} bytes left.";
                    }

                    for (int i = 0; i < size; i++)
                    {
                        if (SkipAsParquetNet(elementType, depth + 1) is string elementProblem)
                        {
                            return elementProblem;
                        }
                    }

                    return null;
                }

            case 12:
                while (true)
                {
                    if (_position >= _bytes.Length)
                    {
                        return "ends inside a structure.";
                    }

                    byte header = _bytes[_position++];
                    if (header == 0)
                    {
                        return null;
                    }

                    if (header >> 4 == 0 && LongVarint(out _) is string problem)
                    {
                        return problem;
                    }
                }

            default:
                return $"holds a value of Thrift type {TypeName(type)} that Parquet.Net cannot skip.";
        }
    }

    private string? ListHeader(out long count, out int elementType)
    {
        count = 0;
        elementType = 0;
        if (_position >= _bytes.Length)
        {
            return "ends inside a list.";
        }

        byte header = _bytes[_position++];
        elementType = header & 0x0F;
        count = header >> 4;
        if (count == 15)
        {
            if (Integer(5, out count, zigzag: false) is string problem)
            {
                return problem;
            }

            if (count > int.MaxValue)
            {
                return $"declares a list of {count} elements.";
            }
        }

        return null;
    }

    private string? Binary(string what)
    {
        if (Integer(5, out long length, zigzag: false) is string problem)
        {
            return problem;
        }

        return length > Left ? $"declares {what} of {length} bytes with {Left} left." : Take((int)length);
    }

    private string? Take(int bytes)
    {
        if (bytes > Left)
        {
            return "ends inside a value.";
        }

        _position += bytes;
        return null;
    }

    /// <summary>A varint of at most <paramref name="maxBytes"/> bytes (5: 32 bits, 10: 64 bits), zigzag-decoded unless told.</summary>
    private string? Integer(int maxBytes, out long value, bool zigzag = true)
    {
        value = 0;
        ulong raw = 0;
        for (int i = 0; ; i++)
        {
            if (i == maxBytes)
            {
                return $"holds a number longer than {maxBytes} bytes.";
            }

            if (_position >= _bytes.Length)
            {
                return "ends inside a number.";
            }

            byte next = _bytes[_position++];
            raw |= (ulong)(next & 0x7F) << (7 * i);
            if ((next & 0x80) == 0)
            {
                if ((maxBytes == 5 && raw > uint.MaxValue) || (maxBytes == 10 && i == 9 && next > 1))
                {
                    return $"holds a number too large for {(maxBytes == 5 ? 32 : 64)} bits.";
                }

                break;
            }
        }

        value = !zigzag
            ? (long)raw
            : maxBytes == 5 ? (int)((uint)raw >> 1) ^ -(int)((uint)raw & 1) : (long)(raw >> 1) ^ -(long)(raw & 1);
        return null;
    }

    /// <summary>A varint as Parquet.Net reads it: any number of bytes, the 32-bit value shifted in modulo 32.</summary>
    private string? LongVarint(out uint value)
    {
        value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (_position >= _bytes.Length)
            {
                return "ends inside a number.";
            }

            byte next = _bytes[_position++];
            value |= (uint)((next & 0x7F) << (shift & 31));
            if ((next & 0x80) == 0)
            {
                return null;
            }
        }
    }

    private static string Deep() => $"nests deeper than {MaxDepth} levels.";

    private static bool Declares(ThriftKind kind, int type) => kind switch
    {
        ThriftKind.Bool => type is 1 or 2,
        ThriftKind.Int8 => type == 3,
        ThriftKind.I16 => type == 4,
        ThriftKind.I32 => type == 5,
        ThriftKind.I64 => type == 6,
        ThriftKind.Float64 => type == 7,
        ThriftKind.Binary => type == 8,
        ThriftKind.List => type == 9,
        ThriftKind.Struct => type == 12,
        _ => false,
    };

    private static string TypeName(int type) => type switch
    {
        0 => "stop",
        1 or 2 => "bool",
        3 => "byte",
        4 => "i16",
        5 => "i32",
        6 => "i64",
        7 => "double",
        8 => "binary",
        9 => "list",
        10 => "set",
        11 => "map",
        12 => "struct",
        13 => "uuid",
        _ => $"#{type}",
    };

    private static string KindName(ThriftKind kind) => kind switch
    {
        ThriftKind.Bool => "bool",
        ThriftKind.Int8 => "byte",
        ThriftKind.I16 => "i16",
        ThriftKind.I32 => "i32",
        ThriftKind.I64 => "i64",
        ThriftKind.Float64 => "double",
        ThriftKind.Binary => "binary",
        ThriftKind.List => "list",
        _ => "struct",
    };
}
