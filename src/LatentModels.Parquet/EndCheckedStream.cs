namespace LatentModels.Parquet;

/// <summary>
/// A read-only view of a seekable stream whose <see cref="ReadByte"/> throws <see cref="EndOfStreamException"/> at the end
/// instead of returning −1. Parquet.Net's Thrift reader decodes page headers from the file with <c>ReadByte</c> and takes −1
/// for the byte 0xFF, so a page header that runs into the end of the file would otherwise be read forever (a varint or a
/// structure of endless 0xFF bytes never ends). Only that reader calls <c>ReadByte</c>. Reads may also be limited to the
/// bytes before <see cref="Limit"/> (the end of the pages checked by <see cref="PageWalk"/>): a read starting there throws,
/// one crossing it is shortened.
/// </summary>
internal sealed class EndCheckedStream : Stream
{
    private readonly Stream _inner;

    /// <summary>A view of <paramref name="inner"/> (not owned: disposing the view leaves it open).</summary>
    /// <param name="inner">A readable, seekable stream.</param>
    internal EndCheckedStream(Stream inner) => _inner = inner;

    /// <summary>The first byte that may not be read (the stream's end by default).</summary>
    internal long Limit { get; set; } = long.MaxValue;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    /// <inheritdoc />
    public override int ReadByte()
    {
        int value = Allowed(1) == 1 ? _inner.ReadByte() : -1;
        return value >= 0 ? value : throw new EndOfStreamException("a Thrift structure runs past the end of the file or of the pages checked.");
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Allowed(count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => _inner.Read(buffer[..Allowed(buffer.Length)]);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, Allowed(count), cancellationToken);

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken);

    /// <summary>How many of <paramref name="count"/> bytes may be read here; throws at the limit.</summary>
    private int Allowed(int count)
    {
        long left = Limit - _inner.Position;
        if (count > 0 && left <= 0)
        {
            throw new EndOfStreamException("a read runs past the pages checked.");
        }

        return (int)Math.Min(count, Math.Max(left, 0));
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
