using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The centering transpose of the mixture E- and M-steps: a row-major block (rows × d) becomes a component-ready
/// transposed block (d × rows, row stride <c>stride</c>) with a shift subtracted, destination[j·stride + i] = x[i·d + j] − shift[j].
/// </summary>
/// <remarks>
/// For d a multiple of 4 on AVX machines, 4 × 4 tiles are transposed in registers (unpack and lane permutes, no
/// arithmetic) before the shift is subtracted — the same single rounding per element as the scalar form, so both paths
/// give identical bits. A register transpose is tied to its width by nature (it is a fixed shuffle network), so this
/// operation has one vector body, at 256 bits, and no generic width.
/// </remarks>
internal static class CenterTranspose
{
    /// <summary>Writes the centered, transposed block: destination[j·stride + i] = x[i·d + j] − shift[j].</summary>
    /// <param name="x">rows × d, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="shift">d values subtracted.</param>
    /// <param name="destination">d × rows with row stride <paramref name="stride"/>.</param>
    /// <param name="stride">Row stride of the destination (≥ rows).</param>
    public static void Run(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
        if (Avx.IsSupported && d % 4 == 0 && rows >= 4)
        {
            Tiles4x4(x, rows, d, shift, destination, stride);
            return;
        }

        Scalar(x, rows, d, shift, destination, stride);
    }

    /// <summary>The element-by-element form (any d, any machine).</summary>
    internal static void Scalar(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
        for (int j = 0; j < d; j++)
        {
            double s = shift[j];
            Span<double> dst = destination.Slice(j * stride, rows);
            for (int i = 0; i < rows; i++)
            {
                dst[i] = x[i * d + j] - s;
            }
        }
    }

    /// <summary>d a multiple of 4: 4 × 4 tiles transposed in registers, then the shift subtracted; the last rows element by element.</summary>
    private static void Tiles4x4(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i <= rows - 4; i += 4)
        {
            ref double x0 = ref Unsafe.Add(ref rx, i * d);
            for (int j = 0; j < d; j += 4)
            {
                Vector256<double> r0 = Vector256.LoadUnsafe(ref x0, (nuint)j);
                Vector256<double> r1 = Vector256.LoadUnsafe(ref x0, (nuint)(d + j));
                Vector256<double> r2 = Vector256.LoadUnsafe(ref x0, (nuint)(2 * d + j));
                Vector256<double> r3 = Vector256.LoadUnsafe(ref x0, (nuint)(3 * d + j));
                Vector256<double> t0 = Avx.UnpackLow(r0, r1);
                Vector256<double> t1 = Avx.UnpackHigh(r0, r1);
                Vector256<double> t2 = Avx.UnpackLow(r2, r3);
                Vector256<double> t3 = Avx.UnpackHigh(r2, r3);
                (Avx.Permute2x128(t0, t2, 0x20) - Vector256.Create(shift[j])).StoreUnsafe(ref rd, (nuint)(j * stride + i));
                (Avx.Permute2x128(t1, t3, 0x20) - Vector256.Create(shift[j + 1])).StoreUnsafe(ref rd, (nuint)((j + 1) * stride + i));
                (Avx.Permute2x128(t0, t2, 0x31) - Vector256.Create(shift[j + 2])).StoreUnsafe(ref rd, (nuint)((j + 2) * stride + i));
                (Avx.Permute2x128(t1, t3, 0x31) - Vector256.Create(shift[j + 3])).StoreUnsafe(ref rd, (nuint)((j + 3) * stride + i));
            }
        }

        for (; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                destination[j * stride + i] = x[i * d + j] - shift[j];
            }
        }
    }
}
