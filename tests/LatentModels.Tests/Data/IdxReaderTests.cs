using System.IO.Compression;
using LatentModels.Data;

namespace LatentModels.Tests.Data;

/// <summary>The IDX reader on tiny files the test writes itself (plain and gzip), and on damaged ones.</summary>
public class IdxReaderTests
{
    /// <summary>An IDX file: 0, 0, type, dimension count, big-endian sizes, then the bytes.</summary>
    private static byte[] Idx(byte type, int[] sizes, byte[] values)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)sizes.Length };
        foreach (int size in sizes)
        {
            bytes.AddRange([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        }

        bytes.AddRange(values);
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] plain)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        return output.ToArray();
    }

    private static readonly byte[] _pixels = Enumerable.Range(0, 3 * 2 * 3).Select(i => (byte)(i * 15)).ToArray();

    [Fact]
    public void Images_become_rows_of_pixels_scaled_to_the_unit_interval_plain_and_gzip()
    {
        byte[] plain = Idx(0x08, [3, 2, 3], _pixels);
        string path = Path.Combine(Path.GetTempPath(), $"idx-{Guid.NewGuid():N}");
        try
        {
            foreach ((string name, byte[] content) in new[] { ("plain", plain), ("gzip", Gzip(plain)) })
            {
                File.WriteAllBytes(path, content);
                double[,] images = IdxReader.ReadImages(path);
                images.GetLength(0).Should().Be(3, name);
                images.GetLength(1).Should().Be(6, name);
                for (int r = 0; r < 3; r++)
                {
                    for (int k = 0; k < 6; k++)
                    {
                        images[r, k].Should().Be(_pixels[r * 6 + k] / 255.0, $"{name}: image {r}, pixel {k}");
                    }
                }

                IdxReader.ReadImages(path, maxCount: 2).GetLength(0).Should().Be(2);
                IdxReader.ReadImages(path, maxCount: 10).GetLength(0).Should().Be(3);
                using var nonSeekable = new NonSeekableStream(content);
                IdxReader.ReadImages(nonSeekable).Should().BeEquivalentTo(images);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Labels_are_read_as_integers()
    {
        byte[] labels = Idx(0x08, [5], [7, 0, 9, 255, 3]);
        IdxReader.ReadLabels(new MemoryStream(labels)).Should().Equal(7, 0, 9, 255, 3);
        IdxReader.ReadLabels(new MemoryStream(Gzip(labels)), maxCount: 3).Should().Equal(7, 0, 9);
    }

    [Fact]
    public void The_caller_stream_is_left_open()
    {
        var stream = new MemoryStream(Idx(0x08, [2], [1, 2]));
        IdxReader.ReadLabels(stream);
        stream.CanRead.Should().BeTrue();
    }

    [Fact]
    public void Damaged_files_raise_InvalidDataException_saying_what_is_wrong()
    {
        void Fails(byte[] content, string fragment, bool images = true)
        {
            Action read = images ? () => IdxReader.ReadImages(new MemoryStream(content)) : () => IdxReader.ReadLabels(new MemoryStream(content));
            read.Should().Throw<InvalidDataException>().Where(e => e.Message.Contains(fragment), fragment);
        }

        byte[] good = Idx(0x08, [3, 2, 3], _pixels);
        Fails([1, 0, 8, 3], "two zero bytes");
        Fails(Idx(0x0D, [3, 2, 3], _pixels), "0x0d");
        Fails(Idx(0x08, [18], _pixels), "two dimensions");
        Fails(Idx(0x08, [3, 2, 3], _pixels), "one dimension", images: false);
        Fails(good[..30], "truncated");
        Fails(Gzip(good[..30]), "ends inside image 2");
        Fails(good[..9], "ends inside the size of dimension 1");
        Fails([], "ends inside the header");
        Fails(Idx(0x08, [3, -1, 3], []), "negative size");
        Fails(Idx(0x08, [2], [1]), "truncated", images: false);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Action missing = () => IdxReader.ReadImages(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}"));
        missing.Should().Throw<FileNotFoundException>();
        Action negative = () => IdxReader.ReadLabels(new MemoryStream(Idx(0x08, [1], [1])), -1);
        negative.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "maxCount");
        Action empty = () => IdxReader.ReadLabels("");
        empty.Should().Throw<ArgumentException>();
    }

    /// <summary>A read-only stream that cannot seek (as a network or pipe stream).</summary>
    private sealed class NonSeekableStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
