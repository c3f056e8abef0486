namespace LatentModels.Persistence;

/// <summary>
/// A read-only view of a stream that raises <see cref="ModelFormatException"/> as soon as more than a given number of
/// bytes has been read, so an oversized document is rejected before it is buffered whole.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long maxBytes) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Ask for at most one byte beyond the limit: reading it proves the document too large.
        long allowed = maxBytes - _read + 1;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, allowed)]);
        _read += n;
        if (_read > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        return n;
    }

    public static ModelFormatException TooLarge(long maxBytes) =>
        new($"The model file is larger than {maxBytes} bytes (ModelLoadLimits.MaxDocumentBytes).");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
