using System.Text;
using System.Text.Json;

namespace LatentModels.Cli;

/// <summary>Builds the single JSON object a command prints as the last line of stdout under <c>--json</c>.</summary>
public sealed class JsonLine
{
    private readonly List<(string Name, object? Value)> _fields = [];

    /// <summary>Adds a field (string, bool, integer, double, or arrays of these).</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value.</param>
    public JsonLine Add(string name, object? value)
    {
        _fields.Add((name, value));
        return this;
    }

    /// <summary>The object as one line of JSON (doubles in round-trip form; NaN and infinities as null).</summary>
    public override string ToString()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case double:
                writer.WriteNullValue();
                break;
            case double[,] matrix:
                writer.WriteStartArray();
                for (int r = 0; r < matrix.GetLength(0); r++)
                {
                    writer.WriteStartArray();
                    for (int c = 0; c < matrix.GetLength(1); c++)
                    {
                        WriteValue(writer, matrix[r, c]);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Cannot write a {value.GetType().Name} as JSON.", nameof(value));
        }
    }
}
