using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Json;
using LatentModels.Persistence;

namespace LatentModels.Orleans;

/// <summary>
/// A model or statistics object as it travels between the driver and the shards: the <see cref="ModelJson"/> document in
/// a compact binary form — its structure (names, strings, brackets) as a short token stream and every number as its 8
/// IEEE-754 bytes — so a double costs 8 bytes on the wire instead of ~30 characters, and every value comes back bit for
/// bit. Decoding rebuilds the document and loads it with <see cref="ModelJson"/> under <see cref="ModelLoadLimits.Default"/>,
/// so what arrives passes the same validation as a model file; the encoding itself is checked before anything is
/// allocated (sizes against the bytes present and <see cref="MaxBytes"/>), and a corrupt or hostile payload fails with
/// <see cref="ModelFormatException"/>. Orleans serializes it with its registered codec (<see cref="ModelPayloadCodec"/>).
/// </summary>
/// <remarks>
/// Layout: a format byte (1); the varint length of the structure; the structure; the varint count of numbers; the numbers
/// (little-endian). Structure tokens: object/array start and end, a property name or string (varint length + UTF-8), a run
/// of numbers (varint count, taken in order from the numbers), a number kept as text (an integer beyond 15 digits), true,
/// false, null.
/// </remarks>
[Immutable]
public sealed class ModelPayload
{
    /// <summary>The largest payload accepted (bytes): 256 MiB, <see cref="ModelLoadLimits.MaxDocumentBytes"/>'s default.</summary>
    public const int MaxBytes = 256 << 20;

    private const byte FormatByte = 1;
    private const int MaxDepth = 64;

    // The most characters a number takes in the rebuilt document ("-2.2250738585072014E-308" and a separator).
    private const int MaxNumberChars = 26;

    private enum Token : byte
    {
        StartObject = 1,
        EndObject,
        StartArray,
        EndArray,
        PropertyName,
        String,
        Numbers,
        NumberText,
        True,
        False,
        Null,
    }

    private readonly byte[] _bytes;

    private ModelPayload(byte[] bytes) => _bytes = bytes;

    /// <summary>The payload's size in bytes (what the statistics and models cost on the wire, before Orleans' framing).</summary>
    public int Length => _bytes.Length;

    /// <summary>The encoded bytes (read-only).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Encodes a model, statistics object or state that <see cref="ModelJson"/> can save.</summary>
    /// <param name="model">The object.</param>
    /// <returns>Its payload.</returns>
    /// <exception cref="ArgumentException">The object's type cannot be saved.</exception>
    public static ModelPayload Encode(object model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var json = new MemoryStream();
        ModelJson.Save(model, json);
        return FromJson(json.GetBuffer().AsSpan(0, (int)json.Length));
    }

    /// <summary>Wraps encoded bytes (as received), checking only their size; <see cref="Decode"/> checks the rest.</summary>
    /// <param name="bytes">The encoded payload (copied).</param>
    /// <exception cref="ModelFormatException">More than <see cref="MaxBytes"/> bytes.</exception>
    public static ModelPayload FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= MaxBytes ? new ModelPayload(bytes.ToArray()) : throw TooLarge(bytes.Length);

    internal static ModelPayload Wrap(byte[] bytes) => bytes.Length <= MaxBytes ? new ModelPayload(bytes) : throw TooLarge(bytes.Length);

    internal static ModelFormatException TooLarge(long length) =>
        new($"The model payload declares {length} bytes; the limit is {MaxBytes} (ModelPayload.MaxBytes).");

    /// <summary>The object, loaded through <see cref="ModelJson"/> under <see cref="ModelLoadLimits.Default"/>.</summary>
    /// <exception cref="ModelFormatException">The payload is corrupt, or its document is not a valid model.</exception>
    public object Decode() => ModelJson.Load(new MemoryStream(ToJson(), writable: false), ModelLoadLimits.Default);

    /// <summary>The object as a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <exception cref="ModelFormatException">The payload is corrupt, invalid, or holds another type.</exception>
    public T Decode<T>() where T : class =>
        Decode() as T ?? throw new ModelFormatException($"The model payload does not hold a {typeof(T).Name}.");

    /// <summary>Encodes a <see cref="ModelJson"/> document (UTF-8).</summary>
    internal static ModelPayload FromJson(ReadOnlySpan<byte> json)
    {
        var structure = new ArrayBufferWriter<byte>(256);
        var numbers = new ArrayBufferWriter<byte>(Math.Max(64, json.Length / 3));
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        int run = 0;
        void Flush()
        {
            if (run > 0)
            {
                Put(structure, Token.Numbers);
                PutVarint(structure, (uint)run);
                run = 0;
            }
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && AsDouble(ref reader, out double value))
            {
                BinaryPrimitives.WriteInt64LittleEndian(numbers.GetSpan(8), BitConverter.DoubleToInt64Bits(value));
                numbers.Advance(8);
                run++;
                continue;
            }

            Flush();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Put(structure, Token.StartObject);
                    break;
                case JsonTokenType.EndObject:
                    Put(structure, Token.EndObject);
                    break;
                case JsonTokenType.StartArray:
                    Put(structure, Token.StartArray);
                    break;
                case JsonTokenType.EndArray:
                    Put(structure, Token.EndArray);
                    break;
                case JsonTokenType.PropertyName:
                    PutText(structure, Token.PropertyName, ref reader);
                    break;
                case JsonTokenType.String:
                    PutText(structure, Token.String, ref reader);
                    break;
                case JsonTokenType.Number:
                    PutText(structure, Token.NumberText, ref reader);
                    break;
                case JsonTokenType.True:
                    Put(structure, Token.True);
                    break;
                case JsonTokenType.False:
                    Put(structure, Token.False);
                    break;
                case JsonTokenType.Null:
                    Put(structure, Token.Null);
                    break;
                default:
                    break; // comments are not written by ModelJson
            }
        }

        Flush();
        var payload = new ArrayBufferWriter<byte>(1 + 10 + structure.WrittenCount + numbers.WrittenCount);
        payload.GetSpan(1)[0] = FormatByte;
        payload.Advance(1);
        PutVarint(payload, (uint)structure.WrittenCount);
        payload.Write(structure.WrittenSpan);
        PutVarint(payload, (uint)(numbers.WrittenCount / 8));
        payload.Write(numbers.WrittenSpan);
        return Wrap(payload.WrittenSpan.ToArray());
    }

    /// <summary>Rebuilds the <see cref="ModelJson"/> document, checking every size against the bytes present first.</summary>
    internal byte[] ToJson()
    {
        ReadOnlySpan<byte> p = _bytes;
        int at = 0;
        if (p.Length == 0 || p[at++] != FormatByte)
        {
            throw Corrupt($"it does not start with the format byte {FormatByte}");
        }

        int structureLength = Varint(p, ref at, "structure length");
        ReadOnlySpan<byte> structure = p.Slice(at, structureLength);
        at += structureLength;
        int count = Varint(p, ref at, "number count", unit: 8);
        ReadOnlySpan<byte> numbers = p.Slice(at, count * 8);
        if (at + (count * 8) != p.Length)
        {
            throw Corrupt($"{p.Length - at - (count * 8)} bytes follow its {count} numbers");
        }

        // The rebuilt document is at most this long: check it against the load limit before writing it.
        long bound = (structureLength * 8L) + ((long)count * MaxNumberChars);
        if (bound > ModelLoadLimits.Default.MaxDocumentBytes)
        {
            throw new ModelFormatException($"The model payload would rebuild a document of up to {bound} bytes; the limit is {ModelLoadLimits.Default.MaxDocumentBytes} (ModelLoadLimits.MaxDocumentBytes).");
        }

        var json = new ArrayBufferWriter<byte>((int)Math.Min(bound, 1 << 20) + 64);
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = false, MaxDepth = MaxDepth }))
        {
            int s = 0, next = 0;
            try
            {
                while (s < structure.Length)
                {
                    var token = (Token)structure[s++];
                    switch (token)
                    {
                        case Token.StartObject:
                            writer.WriteStartObject();
                            break;
                        case Token.EndObject:
                            writer.WriteEndObject();
                            break;
                        case Token.StartArray:
                            writer.WriteStartArray();
                            break;
                        case Token.EndArray:
                            writer.WriteEndArray();
                            break;
                        case Token.PropertyName:
                            writer.WritePropertyName(Text(structure, ref s));
                            break;
                        case Token.String:
                            writer.WriteStringValue(Text(structure, ref s));
                            break;
                        case Token.NumberText:
                            ReadOnlySpan<byte> text = Text(structure, ref s);
                            if (!Utf8Parser.TryParse(text, out long integer, out int used) || used != text.Length)
                            {
                                throw Corrupt("a number kept as text is not an integer");
                            }

                            writer.WriteNumberValue(integer);
                            break;
                        case Token.Numbers:
                            int run = Varint(structure, ref s, "run of numbers", limit: count - next);
                            for (int i = 0; i < run; i++, next++)
                            {
                                double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(numbers.Slice(next * 8, 8)));
                                writer.WriteNumberValue(double.IsFinite(value) ? value : throw Corrupt($"number {next} is {value}, not a finite number"));
                            }

                            break;
                        case Token.True:
                            writer.WriteBooleanValue(true);
                            break;
                        case Token.False:
                            writer.WriteBooleanValue(false);
                            break;
                        case Token.Null:
                            writer.WriteNullValue();
                            break;
                        default:
                            throw Corrupt($"byte {s - 1} of its structure is not a token ({(byte)token})");
                    }
                }
            }
            catch (InvalidOperationException e)
            {
                throw new ModelFormatException($"The model payload is corrupt: its structure is not a JSON document ({e.Message})", e);
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException($"The model payload is corrupt: {e.Message}", e);
            }

            if (next != count)
            {
                throw Corrupt($"its structure uses {next} of its {count} numbers");
            }

            if (writer.CurrentDepth != 0)
            {
                throw Corrupt("its structure ends inside an object or array");
            }
        }

        return json.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A number token that travels as a double: any non-integer (ModelJson writes doubles in their shortest round-trip
    /// form, which a double gives back) and any integer of at most 15 digits (exact in a double, and written back as the
    /// same integer). Longer integers stay text.
    /// </summary>
    private static bool AsDouble(ref Utf8JsonReader reader, out double value)
    {
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        bool integer = raw.IndexOfAny(".eE"u8) < 0;
        int digits = raw.Length - (raw.Length > 0 && raw[0] == (byte)'-' ? 1 : 0);
        value = 0;
        return (!integer || digits <= 15) && reader.TryGetDouble(out value);
    }

    private static void Put(ArrayBufferWriter<byte> output, Token token)
    {
        output.GetSpan(1)[0] = (byte)token;
        output.Advance(1);
    }

    private static void PutText(ArrayBufferWriter<byte> output, Token token, ref Utf8JsonReader reader)
    {
        // The unescaped text: names and strings are written back through the writer, which escapes them again.
        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        byte[] text = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            int written = reader.TokenType == JsonTokenType.Number ? Raw(ref reader, text) : reader.CopyString(text);
            Put(output, token);
            PutVarint(output, (uint)written);
            output.Write(text.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
        }
    }

    private static int Raw(ref Utf8JsonReader reader, byte[] destination)
    {
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        raw.CopyTo(destination);
        return raw.Length;
    }

    private static void PutVarint(IBufferWriter<byte> output, uint value)
    {
        Span<byte> span = output.GetSpan(5);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>
    /// Reads a varint that must be at most <paramref name="limit"/>, or else at most what the bytes after it can hold in
    /// items of <paramref name="unit"/> bytes.
    /// </summary>
    private static int Varint(ReadOnlySpan<byte> p, ref int at, string what, int unit = 1, int? limit = null)
    {
        uint value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (at >= p.Length || shift > 28)
            {
                throw Corrupt($"its {what} is truncated or too long");
            }

            byte b = p[at++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        int max = Math.Max(0, limit ?? ((p.Length - at) / unit));
        return value <= (uint)max
            ? (int)value
            : throw Corrupt($"its {what} is {value}, more than the {max} its bytes can hold");
    }

    private static ReadOnlySpan<byte> Text(ReadOnlySpan<byte> structure, ref int s)
    {
        int length = Varint(structure, ref s, "text length");
        ReadOnlySpan<byte> text = structure.Slice(s, length);
        s += length;
        return text;
    }

    private static ModelFormatException Corrupt(string what) => new($"The model payload is corrupt: {what}.");
}
