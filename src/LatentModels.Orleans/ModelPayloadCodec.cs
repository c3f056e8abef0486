using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace LatentModels.Orleans;

/// <summary>
/// Orleans' codec for <see cref="ModelPayload"/>: one length-prefixed field holding the payload's bytes. Reading checks the
/// declared length against <see cref="ModelPayload.MaxBytes"/> and against the bytes actually present before it allocates,
/// so a corrupt or hostile message fails with a clear exception, never a huge allocation.
/// </summary>
[RegisterSerializer]
public sealed class ModelPayloadCodec : IFieldCodec<ModelPayload>
{
    /// <inheritdoc />
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [System.Diagnostics.CodeAnalysis.AllowNull] Type expectedType, [System.Diagnostics.CodeAnalysis.AllowNull] ModelPayload value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(ModelPayload), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)value.Length);
        writer.Write(value.Bytes);
    }

    /// <inheritdoc />
    /// <exception cref="LatentModels.Persistence.ModelFormatException">The declared length exceeds <see cref="ModelPayload.MaxBytes"/> or the bytes present.</exception>
    public ModelPayload ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<ModelPayload, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        uint length = reader.ReadVarUInt32();
        if (length > ModelPayload.MaxBytes || length > reader.Remaining)
        {
            throw length > ModelPayload.MaxBytes
                ? ModelPayload.TooLarge(length)
                : new LatentModels.Persistence.ModelFormatException($"The model payload declares {length} bytes but only {reader.Remaining} remain in the message.");
        }

        var bytes = new byte[length];
        reader.ReadBytes(bytes);
        ModelPayload result = ModelPayload.Wrap(bytes);
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }
}
