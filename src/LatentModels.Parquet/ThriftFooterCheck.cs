namespace LatentModels.Parquet;

/// <summary>
/// A structural check of a Parquet footer (Thrift compact protocol) before Parquet.Net decodes it: every list, set, map
/// and binary must declare no more elements or bytes than the footer has left (each element takes at least one byte),
/// and structures nest at most <see cref="MaxDepth"/> deep. Parquet.Net sizes its buffers by the declared counts, so a
/// footer of a few hundred bytes could otherwise make it allocate gigabytes (found by fuzzing).
/// </summary>
internal static class ThriftFooterCheck
{
    /// <summary>The deepest nesting of structures, lists, sets and maps accepted (a Parquet footer nests about 6 deep).</summary>
    internal const int MaxDepth = 64;

    /// <summary>What is wrong with the footer, or null when its structure is sound.</summary>
    /// <param name="footer">The footer's bytes (a Thrift compact-protocol <c>FileMetaData</c>).</param>
    internal static string? Problem(ReadOnlySpan<byte> footer)
    {
        int position = 0;
        return Struct(footer, ref position, 0);
    }

    private static string? Struct(ReadOnlySpan<byte> b, ref int p, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"its footer nests deeper than {MaxDepth} levels.";
        }

        while (true)
        {
            if (p >= b.Length)
            {
                return "its footer ends inside a structure.";
            }

            byte header = b[p++];
            if (header == 0)
            {
                return null;
            }

            int type = header & 0x0F;
            if ((header >> 4) == 0 && Varint(b, ref p, out _) is string fieldId)
            {
                return fieldId;
            }

            if (type is 1 or 2)
            {
                continue; // A boolean field holds its value in the type.
            }

            if (Value(b, ref p, type, depth) is string problem)
            {
                return problem;
            }
        }
    }

    private static string? Value(ReadOnlySpan<byte> b, ref int p, int type, int depth)
    {
        switch (type)
        {
            case 1 or 2 or 3:
                // A boolean element of a list, or a byte: one byte.
                return Skip(b, ref p, 1);
            case 4 or 5 or 6:
                return Varint(b, ref p, out _);
            case 7:
                return Skip(b, ref p, 8);
            case 8:
                return Varint(b, ref p, out ulong length) ?? (length > (ulong)(b.Length - p)
                    ? $"its footer declares a string of {length} bytes with {b.Length - p} left."
                    : Skip(b, ref p, (int)length));
            case 9 or 10:
                return List(b, ref p, depth + 1);
            case 11:
                return Map(b, ref p, depth + 1);
            case 12:
                return Struct(b, ref p, depth + 1);
            default:
                return $"its footer holds an unknown Thrift type {type}.";
        }
    }

    private static string? List(ReadOnlySpan<byte> b, ref int p, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"its footer nests deeper than {MaxDepth} levels.";
        }

        if (p >= b.Length)
        {
            return "its footer ends inside a list.";
        }

        byte header = b[p++];
        ulong count = (ulong)(header >> 4);
        if (count == 15 && Varint(b, ref p, out count) is string problem)
        {
            return problem;
        }

        return Elements(b, ref p, count, header & 0x0F, -1, depth);
    }

    private static string? Map(ReadOnlySpan<byte> b, ref int p, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"its footer nests deeper than {MaxDepth} levels.";
        }

        if (Varint(b, ref p, out ulong count) is string problem)
        {
            return problem;
        }

        if (count == 0)
        {
            return null;
        }

        if (p >= b.Length)
        {
            return "its footer ends inside a map.";
        }

        byte types = b[p++];
        return Elements(b, ref p, count, types >> 4, types & 0x0F, depth);
    }

    private static string? Elements(ReadOnlySpan<byte> b, ref int p, ulong count, int type, int valueType, int depth)
    {
        if (count > (ulong)(b.Length - p))
        {
            return $"its footer declares {count} elements with {b.Length - p} bytes left.";
        }

        for (ulong i = 0; i < count; i++)
        {
            string? problem = Value(b, ref p, type, depth);
            if (problem is null && valueType >= 0)
            {
                problem = Value(b, ref p, valueType, depth);
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Skip(ReadOnlySpan<byte> b, ref int p, int bytes)
    {
        if (bytes > b.Length - p)
        {
            return "its footer ends inside a value.";
        }

        p += bytes;
        return null;
    }

    private static string? Varint(ReadOnlySpan<byte> b, ref int p, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (p >= b.Length)
            {
                return "its footer ends inside a number.";
            }

            byte next = b[p++];
            value |= (ulong)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                return null;
            }
        }

        return "its footer holds a number longer than 10 bytes.";
    }
}
