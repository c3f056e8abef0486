using System.Text.Json;

namespace LatentModels.Persistence;

/// <summary>
/// Strict readers and plain writers for the fields of model files. Every reader names the field it rejects, so a
/// tampered or truncated file gives a message that says where it is wrong.
/// </summary>
internal static class JsonFields
{
    // The load in progress on this thread (set by ModelJson around a codec's Read): its limits, its document's root,
    // the numbers the document holds (counted on first need) and the values read or reserved so far.
    [ThreadStatic]
    private static ModelLoadLimits? _limits;

    [ThreadStatic]
    private static JsonElement _root;

    [ThreadStatic]
    private static long _present;

    [ThreadStatic]
    private static long _charged;

    private static ModelLoadLimits Limits => _limits ?? ModelLoadLimits.Default;

    /// <summary>
    /// Starts a load of <paramref name="root"/> under <paramref name="limits"/> on this thread; dispose the result to end
    /// it (loads may nest: the outer one is restored).
    /// </summary>
    public static IDisposable BeginLoad(JsonElement root, ModelLoadLimits limits)
    {
        var outer = new LoadState(_limits, _root, _present, _charged);
        (_limits, _root, _present, _charged) = (limits, root, -1, 0);
        return outer;
    }

    private sealed class LoadState(ModelLoadLimits? limits, JsonElement root, long present, long charged) : IDisposable
    {
        public void Dispose() => (_limits, _root, _present, _charged) = (limits, root, present, charged);
    }

    /// <summary>
    /// Accounts for <paramref name="values"/> numbers about to be allocated for the field <paramref name="name"/> from
    /// an array whose elements are present in the file; throws once the load exceeds <see cref="ModelLoadLimits.MaxValues"/>.
    /// </summary>
    public static void Charge(long values, string name)
    {
        // Outside a load (a reader used directly) each array is checked alone: nothing accumulates across calls.
        _charged = (_limits is null ? 0 : _charged) + values;
        if (_charged > Limits.MaxValues)
        {
            throw new ModelFormatException($"The field '{name}' takes the file over {Limits.MaxValues} values (ModelLoadLimits.MaxValues).");
        }
    }

    /// <summary>
    /// Checks a size the file implies but does not hold element by element (e.g. K·d² covariance values from K weights
    /// and d-dimensional means) before it is allocated: within <see cref="ModelLoadLimits.MaxValues"/>, and at most the
    /// numbers the whole document holds, so a small file can never cost more than it weighs. Sizes are computed in
    /// <see cref="long"/>s by the caller (use <see cref="Product"/>).
    /// </summary>
    /// <param name="values">The implied number of values.</param>
    /// <param name="name">The field that implies it.</param>
    /// <param name="presentInFile">False for working memory the loaded object needs beyond its parameters (checked against the limit only).</param>
    public static void Reserve(long values, string name, bool presentInFile = true)
    {
        if (values > Limits.MaxValues)
        {
            throw new ModelFormatException($"The field '{name}' implies {values} values; the limit is {Limits.MaxValues} (ModelLoadLimits.MaxValues).");
        }

        if (presentInFile && _limits is not null && values > NumbersPresent())
        {
            throw new ModelFormatException($"The field '{name}' implies {values} values but the whole file holds only {NumbersPresent()} numbers.");
        }
    }

    /// <summary>
    /// The largest count (points consumed, steps, points per cluster) a file may hold: 2⁵³, the last integer a double
    /// holds exactly, so the statistics that count with it stay exact and the next update cannot overflow.
    /// </summary>
    public const long MaxCount = 1L << 53;

    /// <summary>
    /// The largest pseudo-count (a variational posterior's concentrations, mean precisions, degrees of freedom): 2¹¹⁰,
    /// above any count a fit can reach (weights beyond 2¹⁰⁰ are brought down), so the digamma and log-gamma terms and
    /// their differences stay finite.
    /// </summary>
    public const double MaxPseudoCount = 1.2980742146337069e33; // 2^110

    /// <summary>Returns <paramref name="value"/> if it is a count in [0, <see cref="MaxCount"/>]; otherwise the message names the field.</summary>
    public static long Count(long value, string name) =>
        value is >= 0 and <= MaxCount
            ? value
            : throw new ModelFormatException($"The field '{name}' is {value}; a count must be between 0 and 2^53.");

    /// <summary>Throws unless <paramref name="value"/> is positive and at most <see cref="MaxPseudoCount"/>.</summary>
    public static double PseudoCount(double value, string name) =>
        value > 0 && value <= MaxPseudoCount
            ? value
            : throw new ModelFormatException(System.FormattableString.Invariant($"The field '{name}' is {value}; it must be positive and at most 2^110."));

    /// <summary>
    /// Throws unless the squares of <paramref name="values"/> can be summed <paramref name="terms"/> at a time without
    /// overflow (|v| ≤ √(double.MaxValue / terms)): for values the model squares (distances, Gram matrices), so a file
    /// with a centre of 1e308 is rejected instead of yielding a model whose next call overflows.
    /// </summary>
    public static void SquaresFinite(ReadOnlySpan<double> values, long terms, string name)
    {
        double bound = Math.Sqrt(double.MaxValue / Math.Max(terms, 1));
        for (int i = 0; i < values.Length; i++)
        {
            if (!(Math.Abs(values[i]) <= bound))
            {
                throw new ModelFormatException(System.FormattableString.Invariant(
                    $"The field '{name}' holds {values[i]:R} (entry {i}); its squares would overflow (the limit is {bound:G3} in magnitude)."));
            }
        }
    }

    /// <summary>
    /// Checks a d × d scatter (or covariance) matrix read from the field <paramref name="name"/>: symmetric (within 1e−10
    /// relative), non-negative diagonal and |sₐᵦ| ≤ √(sₐₐ sᵦᵦ) (within 1e−9 relative) — what every positive semi-definite
    /// matrix satisfies (the symmetry tolerance is that of <see cref="global::LatentModels.Distributions.MultivariateGaussian.SymmetryTolerance"/>
    /// or stricter), so a single tampered entry is caught before a Cholesky factor or a covariance fails later.
    /// </summary>
    public static void CheckScatter(ReadOnlySpan<double> m, int d, string name)
    {
        for (int a = 0; a < d; a++)
        {
            double saa = m[a * d + a];
            if (!(saa >= 0))
            {
                throw new ModelFormatException(System.FormattableString.Invariant($"The field '{name}[{a}][{a}]' is {saa:R}; a scatter's diagonal is non-negative."));
            }

            for (int b = 0; b < a; b++)
            {
                double x = m[a * d + b], y = m[b * d + a];
                if (Math.Abs(x - y) > 1e-10 * Math.Max(Math.Abs(x), Math.Abs(y)))
                {
                    throw new ModelFormatException(System.FormattableString.Invariant($"The field '{name}' is not symmetric: [{a}][{b}] is {x:R} but [{b}][{a}] is {y:R}."));
                }

                double bound = Math.Sqrt(saa) * Math.Sqrt(m[b * d + b]);
                if (Math.Abs(x) > bound * (1 + 1e-9) + double.Epsilon)
                {
                    throw new ModelFormatException(System.FormattableString.Invariant(
                        $"The field '{name}' is not positive semi-definite: |[{a}][{b}]| = {Math.Abs(x):R} exceeds √([{a}][{a}]·[{b}][{b}]) = {bound:R}."));
                }
            }
        }
    }

    /// <summary>The product of sizes read from a file, saturating at <see cref="long.MaxValue"/> (never overflows).</summary>
    public static long Product(params ReadOnlySpan<long> sizes)
    {
        long p = 1;
        foreach (long s in sizes)
        {
            if (s < 0)
            {
                return long.MaxValue;
            }

            if (s != 0 && p > long.MaxValue / s)
            {
                return long.MaxValue;
            }

            p *= s;
        }

        return p;
    }

    /// <summary>Throws unless the data dimension <paramref name="d"/> read from the field <paramref name="name"/> is within <see cref="ModelLoadLimits.MaxDimension"/>.</summary>
    public static int Dimension(int d, string name) =>
        d <= Limits.MaxDimension
            ? d
            : throw new ModelFormatException($"The field '{name}' gives the dimension {d}; the limit is {Limits.MaxDimension} (ModelLoadLimits.MaxDimension).");

    private static long NumbersPresent()
    {
        if (_present < 0)
        {
            _present = CountNumbers(_root);
        }

        return _present;
    }

    // Numbers, plus the values a base64 string can carry (one per byte: float weights are 4 bytes each).
    private static long CountNumbers(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number:
                return 1;
            case JsonValueKind.String:
                return e.GetString()!.Length * 3L / 4;
            case JsonValueKind.Array:
                long n = 0;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    n += CountNumbers(item);
                }

                return n;
            case JsonValueKind.Object:
                long m = 0;
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    m += CountNumbers(p.Value);
                }

                return m;
            default:
                return 0;
        }
    }

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

        Charge(expectedCount, name);
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

        Charge(e.GetArrayLength(), name);
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

        int length = e.GetArrayLength();
        if (expectedLength is int n && length != n)
        {
            throw new ModelFormatException($"The field '{name}' has {length} values; {n} were expected.");
        }

        Charge(length, name);
        var result = new double[length];

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

        int length = e.GetArrayLength();
        if (expectedLength is int n && length != n)
        {
            throw new ModelFormatException($"The field '{name}' has {length} values; {n} were expected.");
        }

        Charge(length, name);
        var result = new T[length];

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

        // The whole shape is checked before the matrix is allocated, so rows × columns values are all in the file.
        int columns = expectedColumns ?? 0;
        int i = 0;
        foreach (JsonElement row in e.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw new ModelFormatException($"Row {i} of the field '{name}' must be an array of numbers.");
            }

            if (i == 0)
            {
                columns = row.GetArrayLength();
                if (expectedColumns is int c && columns != c)
                {
                    throw new ModelFormatException($"The field '{name}' has {columns} columns; {c} were expected.");
                }
            }
            else if (row.GetArrayLength() != columns)
            {
                throw new ModelFormatException($"Row {i} of the field '{name}' has {row.GetArrayLength()} values; row 0 has {columns}.");
            }

            i++;
        }

        Charge((long)rows * columns, name);
        var result = new double[rows, columns];
        i = 0;
        foreach (JsonElement row in e.EnumerateArray())
        {
            int j = 0;
            foreach (JsonElement item in row.EnumerateArray())
            {
                result[i, j] = Number(item, $"{name}[{i}][{j}]");
                j++;
            }

            i++;
        }

        return result;
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
