namespace LatentModels.Parquet;

/// <summary>
/// A read-only view of a seekable stream whose <see cref="ReadByte"/> throws <see cref="EndOfStreamException"/> at the end
/// instead of returning −1. Parquet.Net's Thrift reader decodes page headers from the file with <c>ReadByte</c> and takes −1
/// for the byte 0xFF, so a page header that runs into the end of the file would otherwise be read forever (a varint or a
/// structure of endless 0xFF bytes never ends). Only that reader calls <c>ReadByte</c>; bulk reads pass through unchanged.
/// </summary>
internal sealed class EndCheckedStream : Stream
{
    private readonly Stream _inner;

    /// <summary>A view of <paramref name="inner"/> (not owned: disposing the view leaves it open).</summary>
    /// <param name="inner">A readable, seekable stream.</param>
    internal EndCheckedStream(Stream inner) => _inner = inner;

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
        int value = _inner.ReadByte();
        return value >= 0 ? value : throw new EndOfStreamException("a Thrift structure runs past the end of the file.");
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

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
