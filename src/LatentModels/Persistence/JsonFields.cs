using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>
/// Strict readers and plain writers for the fields of model files. Every reader names the field it rejects, so a
/// tampered or truncated file gives a message that says where it is wrong.
/// </summary>
internal static class JsonFields
{
    public static JsonElement Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out JsonElement value))
        {
            throw new ModelFormatException($"The model file lacks the field '{name}'.");
        }

        return value;
    }

    public static string String(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new ModelFormatException($"The field '{name}' must be a string.");
    }

    public static int Int(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int value)
            ? value
            : throw new ModelFormatException($"The field '{name}' must be a 32-bit integer.");
    }

    public static long Long(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long value)
            ? value
            : throw new ModelFormatException($"The field '{name}' must be a 64-bit integer.");
    }

    public static bool Bool(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFormatException($"The field '{name}' must be true or false."),
        };
    }

    public static double Double(JsonElement obj, string name) => Number(Property(obj, name), name);

    /// <summary>A finite number, or NaN where the file holds <c>null</c> (JSON has no NaN; see <see cref="WriteDoubleOrNull"/>).</summary>
    public static double DoubleOrNaN(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind == JsonValueKind.Null ? double.NaN : Number(e, name);
    }

    /// <summary>The member of <typeparamref name="TEnum"/> whose exact (case-sensitive) name the field holds.</summary>
    public static TEnum Enum<TEnum>(JsonElement obj, string name) where TEnum : struct, Enum
    {
        JsonElement e = Property(obj, name);
        string[] names = System.Enum.GetNames<TEnum>();
        if (e.ValueKind == JsonValueKind.String && Array.IndexOf(names, e.GetString()) >= 0)
        {
            return System.Enum.Parse<TEnum>(e.GetString()!);
        }

        throw new ModelFormatException($"The field '{name}' must be one of the strings {string.Join(", ", names.Select(n => $"\"{n}\""))}.");
    }

    /// <summary>A nested object.</summary>
    public static JsonElement Object(JsonElement obj, string name)
    {
        JsonElement e = Property(obj, name);
        return e.ValueKind == JsonValueKind.Object ? e : throw new ModelFormatException($"The field '{name}' must be an object.");
    }

    /// <summary>Throws unless a count read from the file (an array length or a size field) is at least one.</summary>
    public static int Positive(int count, string name) =>
        count >= 1 ? count : throw new ModelFormatException($"The field '{name}' is empty; it must hold at least one entry.");

    public static double[] Vector(JsonElement obj, string name, int? expectedLength = null) =>
        VectorValue(Property(obj, name), name, expectedLength);

    /// <summary>An array of arrays of numbers whose lengths may differ (e.g. per-variable category probabilities).</summary>
    public static double[][] Jagged(JsonElement obj, string name) => JaggedValue(Property(obj, name), name);

    /// <summary>An array of <paramref name="expectedCount"/> jagged arrays, entries named <c>name[k][j][c]</c>.</summary>
    public static double[][][] JaggedList(JsonElement obj, string name, int expectedCount)
    {
        JsonElement e = Property(obj, name);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != expectedCount)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of {expectedCount} arrays of arrays.");
        }

        var result = new double[expectedCount][][];
        int k = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            result[k] = JaggedValue(item, $"{name}[{k}]");
            k++;
        }

        return result;
    }

    private static double[][] JaggedValue(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of arrays of numbers.");
        }

        var result = new double[e.GetArrayLength()][];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            result[i] = VectorValue(item, $"{name}[{i}]", null);
            i++;
        }

        return result;
    }

    private static double[] VectorValue(JsonElement e, string name, int? expectedLength)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of numbers.");
        }

        var result = new double[e.GetArrayLength()];
        if (expectedLength is int n && result.Length != n)
        {
            throw new ModelFormatException($"The field '{name}' has {result.Length} values; {n} were expected.");
        }

        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            result[i] = Number(item, $"{name}[{i}]");
            i++;
        }

        return result;
    }

    public static int[] IntVector(JsonElement obj, string name, int? expectedLength = null) =>
        Integers(obj, name, expectedLength, "a 32-bit integer", (JsonElement e, out int v) => e.TryGetInt32(out v));

    public static long[] LongVector(JsonElement obj, string name, int? expectedLength = null) =>
        Integers(obj, name, expectedLength, "a 64-bit integer", (JsonElement e, out long v) => e.TryGetInt64(out v));

    private delegate bool TryGet<T>(JsonElement e, out T value);

    private static T[] Integers<T>(JsonElement obj, string name, int? expectedLength, string what, TryGet<T> tryGet)
    {
        JsonElement e = Property(obj, name);
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of integers.");
        }

        var result = new T[e.GetArrayLength()];
        if (expectedLength is int n && result.Length != n)
        {
            throw new ModelFormatException($"The field '{name}' has {result.Length} values; {n} were expected.");
        }

        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !tryGet(item, out result[i]))
            {
                throw new ModelFormatException($"The field '{name}[{i}]' must be {what}.");
            }

            i++;
        }

        return result;
    }

    /// <summary>Whether the field is present and holds <c>null</c> (a missing field is an error).</summary>
    public static bool IsNull(JsonElement obj, string name) => Property(obj, name).ValueKind == JsonValueKind.Null;

    /// <summary>
    /// Reads a nested object with <paramref name="read"/>; a format error inside it names the object too, e.g.
    /// "The field 'clusters' must be a 32-bit integer (in 'options')."
    /// </summary>
    public static T Nested<T>(JsonElement obj, string name, Func<JsonElement, T> read)
    {
        JsonElement e = Object(obj, name);
        try
        {
            return read(e);
        }
        catch (ModelFormatException x)
        {
            throw new ModelFormatException($"{x.Message.TrimEnd('.')} (in '{name}').", x);
        }
    }

    public static double[,] Matrix(JsonElement obj, string name, int? expectedRows = null, int? expectedColumns = null) =>
        MatrixValue(Property(obj, name), name, expectedRows, expectedColumns);

    private static double[,] MatrixValue(JsonElement e, string name, int? expectedRows, int? expectedColumns)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of rows.");
        }

        int rows = e.GetArrayLength();
        if (expectedRows is int r && rows != r)
        {
            throw new ModelFormatException($"The field '{name}' has {rows} rows; {r} were expected.");
        }

        int columns = -1;
        double[,]? result = null;
        int i = 0;
        foreach (JsonElement row in e.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw new ModelFormatException($"Row {i} of the field '{name}' must be an array of numbers.");
            }

            if (columns < 0)
            {
                columns = row.GetArrayLength();
                if (expectedColumns is int c && columns != c)
                {
                    throw new ModelFormatException($"The field '{name}' has {columns} columns; {c} were expected.");
                }

                result = new double[rows, columns];
            }
            else if (row.GetArrayLength() != columns)
            {
                throw new ModelFormatException($"Row {i} of the field '{name}' has {row.GetArrayLength()} values; row 0 has {columns}.");
            }

            int j = 0;
            foreach (JsonElement item in row.EnumerateArray())
            {
                result![i, j] = Number(item, $"{name}[{i}][{j}]");
                j++;
            }

            i++;
        }

        return result ?? new double[0, expectedColumns ?? 0];
    }

    public static double[][,] Matrices(JsonElement obj, string name, int expectedCount, int order)
    {
        JsonElement e = Property(obj, name);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != expectedCount)
        {
            throw new ModelFormatException($"The field '{name}' must be an array of {expectedCount} matrices.");
        }

        var result = new double[expectedCount][,];
        int k = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            result[k] = MatrixValue(item, $"{name}[{k}]", order, order);
            k++;
        }

        return result;
    }

    private static double Number(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double value) || !double.IsFinite(value))
        {
            throw new ModelFormatException($"The field '{name}' must be a finite number.");
        }

        return value;
    }

    /// <summary>Writes a number, or <c>null</c> for NaN (read back by <see cref="DoubleOrNaN"/>).</summary>
    public static void WriteDoubleOrNull(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    public static void WriteVector(Utf8JsonWriter writer, string name, ReadOnlySpan<double> values)
    {
        writer.WriteStartArray(name);
        foreach (double v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    public static void WriteIntVector(Utf8JsonWriter writer, string name, ReadOnlySpan<int> values)
    {
        writer.WriteStartArray(name);
        foreach (int v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    public static void WriteLongVector(Utf8JsonWriter writer, string name, ReadOnlySpan<long> values)
    {
        writer.WriteStartArray(name);
        foreach (long v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    public static void WriteMatrix(Utf8JsonWriter writer, string name, double[,] matrix)
    {
        writer.WriteStartArray(name);
        WriteMatrixRows(writer, matrix);
        writer.WriteEndArray();
    }

    public static void WriteMatrices(Utf8JsonWriter writer, string name, IReadOnlyList<double[,]> matrices)
    {
        writer.WriteStartArray(name);
        foreach (double[,] m in matrices)
        {
            writer.WriteStartArray();
            WriteMatrixRows(writer, m);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static void WriteMatrixRows(Utf8JsonWriter writer, double[,] matrix)
    {
        for (int i = 0; i < matrix.GetLength(0); i++)
        {
            writer.WriteStartArray();
            for (int j = 0; j < matrix.GetLength(1); j++)
            {
                writer.WriteNumberValue(matrix[i, j]);
            }

            writer.WriteEndArray();
        }
    }
}
