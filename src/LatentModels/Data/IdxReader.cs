using System.Buffers.Binary;
using System.IO.Compression;

namespace LatentModels.Data;

/// <summary>
/// Reads the IDX files of MNIST and its relatives (plain or gzip-compressed, detected from the first bytes): unsigned-byte
/// images as rows of pixels scaled to [0, 1], unsigned-byte labels as integers.
/// </summary>
/// <remarks>
/// The format: two zero bytes, a type byte (0x08 for unsigned bytes, the only type read here), the number of dimensions,
/// one big-endian 32-bit size per dimension, then the values in row-major order. An image file has at least two
/// dimensions (count × rows × columns…; every image becomes one row of rows·columns values), a label file one. Sizes are
/// checked before anything is allocated (against the file's length when it is not compressed; a compressed file's values
/// are read into a buffer that grows only as they arrive, so a small file declaring a huge size costs no more than it
/// holds); a malformed or truncated file raises <see cref="InvalidDataException"/> saying what is wrong.
/// </remarks>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads the images of an IDX file as an n × (rows·columns) matrix of pixels scaled to [0, 1] (value / 255).</summary>
    /// <param name="path">An IDX image file, plain or gzip-compressed.</param>
    /// <param name="maxCount">Reads at most this many images (the first ones); null reads them all.</param>
    /// <exception cref="ArgumentException">The path is empty or <paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an IDX file of unsigned-byte images, or it is truncated.</exception>
    public static double[,] ReadImages(string path, int? maxCount = null)
    {
        using Stream stream = Open(path);
        return ReadImages(stream, maxCount);
    }

    /// <summary>Reads the images of an IDX stream (plain or gzip-compressed) as rows of pixels scaled to [0, 1].</summary>
    /// <param name="stream">The stream, positioned at the start of the file; not closed.</param>
    /// <param name="maxCount">Reads at most this many images; null reads them all.</param>
    /// <exception cref="ArgumentException"><paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="InvalidDataException">The content is not an IDX file of unsigned-byte images, or it is truncated.</exception>
    public static double[,] ReadImages(Stream stream, int? maxCount = null)
    {
        return ReadDecompressed(stream, maxCount, ReadImages);
    }

    private static double[,] ReadImages(Stream input, long? available, int? maxCount)
    {
        int[] sizes = ReadHeader(input, "images");
        if (sizes.Length < 2)
        {
            throw new InvalidDataException($"An IDX image file has at least two dimensions (count × pixels…), this one has {sizes.Length}.");
        }

        long pixels = 1;
        for (int i = 1; i < sizes.Length && pixels <= Array.MaxLength; i++)
        {
            pixels *= sizes[i]; // at most 2^31 · 2^31: stops before it could overflow
        }

        if (pixels == 0 || pixels > Array.MaxLength)
        {
            throw new InvalidDataException(pixels == 0
                ? "An image of 0 pixels cannot be read."
                : $"An image of more than {Array.MaxLength} pixels (the largest array) cannot be read (dimensions {string.Join(" × ", sizes.Skip(1))}).");
        }

        int n = Math.Min(sizes[0], maxCount ?? int.MaxValue);
        CheckAvailable(available, 4 + 4L * sizes.Length, (long)n * pixels, $"{n} images of {pixels} pixels");
        if ((long)n * pixels > Array.MaxLength)
        {
            throw new InvalidDataException($"{n} images of {pixels} pixels exceed the largest array; read fewer (maxCount).");
        }

        byte[] bytes = ReadValues(input, available, (long)n * pixels, pixels, "image", sizes[0]);
        var result = new double[n, (int)pixels];
        int k = 0;
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < pixels; c++)
            {
                result[r, c] = bytes[k++] / 255.0;
            }
        }

        return result;
    }

    /// <summary>Reads the labels of an IDX label file (one dimension of unsigned bytes).</summary>
    /// <param name="path">An IDX label file, plain or gzip-compressed.</param>
    /// <param name="maxCount">Reads at most this many labels (the first ones); null reads them all.</param>
    /// <exception cref="ArgumentException">The path is empty or <paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an IDX file of unsigned-byte labels, or it is truncated.</exception>
    public static int[] ReadLabels(string path, int? maxCount = null)
    {
        using Stream stream = Open(path);
        return ReadLabels(stream, maxCount);
    }

    /// <summary>Reads the labels of an IDX label stream (plain or gzip-compressed).</summary>
    /// <param name="stream">The stream, positioned at the start of the file; not closed.</param>
    /// <param name="maxCount">Reads at most this many labels; null reads them all.</param>
    /// <exception cref="ArgumentException"><paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="InvalidDataException">The content is not an IDX file of unsigned-byte labels, or it is truncated.</exception>
    public static int[] ReadLabels(Stream stream, int? maxCount = null)
    {
        return ReadDecompressed(stream, maxCount, ReadLabels);
    }

    private static int[] ReadLabels(Stream input, long? available, int? maxCount)
    {
        int[] sizes = ReadHeader(input, "labels");
        if (sizes.Length != 1)
        {
            throw new InvalidDataException($"An IDX label file has one dimension, this one has {sizes.Length}.");
        }

        int n = Math.Min(sizes[0], maxCount ?? int.MaxValue);
        CheckAvailable(available, 8, n, $"{n} labels");
        byte[] bytes = ReadValues(input, available, n, 1, "label", sizes[0]);
        return bytes.Select(b => (int)b).ToArray();
    }

    /// <summary>
    /// Checks the arguments, opens the (possibly gzip-compressed) content of <paramref name="stream"/> and reads it with
    /// <paramref name="read"/>; a decompressing wrapper is disposed afterwards, the caller's stream is left open.
    /// </summary>
    private static T ReadDecompressed<T>(Stream stream, int? maxCount, Func<Stream, long?, int?, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckCount(maxCount);
        Stream input = Decompressed(stream, out long? available, out bool owned);
        try
        {
            return read(input, available, maxCount);
        }
        finally
        {
            if (owned)
            {
                input.Dispose();
            }
        }
    }

    private static void CheckCount(int? maxCount)
    {
        if (maxCount is int m && m < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), m, "The number of items to read must be non-negative.");
        }
    }

    private static Stream Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such IDX file: '{path}'.", path);
        }

        return File.OpenRead(path);
    }

    /// <summary>
    /// The content: a gzip stream when the data starts with the gzip magic bytes, otherwise the stream itself (a
    /// non-seekable stream is first copied to memory so its first bytes can be looked at). Dispose the result only when
    /// <paramref name="owned"/>.
    /// </summary>
    /// <param name="stream">The raw stream.</param>
    /// <param name="available">The content's length when it is known (uncompressed).</param>
    /// <param name="owned">Whether the returned stream was created here.</param>
    private static Stream Decompressed(Stream stream, out long? available, out bool owned)
    {
        Stream source = stream;
        owned = false;
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            source = copy;
            owned = true;
        }

        long start = source.Position;
        int first = source.ReadByte();
        int second = first < 0 ? -1 : source.ReadByte();
        source.Position = start;
        if (first == 0x1f && second == 0x8b)
        {
            available = null;
            owned = true;
            return new GZipStream(source, CompressionMode.Decompress, leaveOpen: ReferenceEquals(source, stream));
        }

        available = source.Length - start;
        return source;
    }

    private static int[] ReadHeader(Stream input, string what)
    {
        Span<byte> head = stackalloc byte[4];
        ReadExactly(input, head, "the header");
        if (head[0] != 0 || head[1] != 0)
        {
            throw new InvalidDataException($"Not an IDX file: it starts with 0x{head[0]:x2} 0x{head[1]:x2}, not two zero bytes.");
        }

        if (head[2] != UnsignedByte)
        {
            throw new InvalidDataException($"IDX type 0x{head[2]:x2} is not supported: {what} are read from unsigned bytes (0x08).");
        }

        int dimensions = head[3];
        if (dimensions == 0)
        {
            throw new InvalidDataException("The IDX file declares no dimensions.");
        }

        var sizes = new int[dimensions];
        Span<byte> size = stackalloc byte[4];
        for (int i = 0; i < dimensions; i++)
        {
            ReadExactly(input, size, $"the size of dimension {i}");
            int value = BinaryPrimitives.ReadInt32BigEndian(size);
            if (value < 0)
            {
                throw new InvalidDataException($"Dimension {i} of the IDX file has the negative size {value}.");
            }

            sizes[i] = value;
        }

        return sizes;
    }

    private static void CheckAvailable(long? available, long header, long needed, string what)
    {
        if (available is long length && length - header < needed)
        {
            throw new InvalidDataException($"The IDX file is truncated: {what} need {needed} bytes after the header, it has {Math.Max(0, length - header)}.");
        }
    }

    /// <summary>
    /// Reads the <paramref name="count"/> value bytes. When the content's length is known it has been checked to hold
    /// them, and they are read into one array; otherwise (gzip) they are read in chunks into a buffer that grows only as
    /// bytes arrive, so a small file declaring a huge size allocates no more than it holds before it is found truncated.
    /// </summary>
    private static byte[] ReadValues(Stream input, long? available, long count, long itemSize, string item, int declared)
    {
        // A known length has been checked to hold the values: one exact array. Otherwise grow as the bytes arrive.
        var buffer = new byte[available is null ? Math.Min(count, 1 << 16) : count];
        long done = 0;
        while (done < count)
        {
            if (done == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }

            int read = input.Read(buffer, (int)done, buffer.Length - (int)done);
            if (read == 0)
            {
                throw new InvalidDataException($"The IDX file ends inside {item} {done / itemSize} of {declared}.");
            }

            done += read;
        }

        return buffer;
    }

    private static void ReadExactly(Stream input, Span<byte> buffer, string what)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = input.Read(buffer[done..]);
            if (read == 0)
            {
                throw new InvalidDataException($"The IDX file ends inside {what}.");
            }

            done += read;
        }
    }
}
