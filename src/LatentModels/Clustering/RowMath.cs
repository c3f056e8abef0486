using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.Clustering;

/// <summary>Short vectorised row operations used per row in the K-Means loops (no call overhead for small d).</summary>
internal static class RowMath
{
    /// <summary>‖a − b‖² computed directly (not through the norm expansion).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SquaredDistance(ref double a, ref double b, int d)
    {
        int p = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && d >= 4)
        {
            Vector256<double> acc = Vector256<double>.Zero;
            for (; p + 4 <= d; p += 4)
            {
                Vector256<double> diff = Vector256.LoadUnsafe(ref a, (nuint)p) - Vector256.LoadUnsafe(ref b, (nuint)p);
                acc += diff * diff;
            }

            s = Vector256.Sum(acc);
        }

        for (; p < d; p++)
        {
            double diff = Unsafe.Add(ref a, p) - Unsafe.Add(ref b, p);
            s += diff * diff;
        }

        return s;
    }

    /// <summary>‖a − b‖² of two spans.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        SquaredDistance(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);

    /// <summary>acc += w·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref double acc, ref double x, double w, int d)
    {
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> wv = Vector256.Create(w);
            for (; p + 4 <= d; p += 4)
            {
                (Vector256.LoadUnsafe(ref acc, (nuint)p) + wv * Vector256.LoadUnsafe(ref x, (nuint)p)).StoreUnsafe(ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += w * Unsafe.Add(ref x, p);
        }
    }

    /// <summary>acc += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref double acc, ref double x, int d)
    {
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; p + 4 <= d; p += 4)
            {
                (Vector256.LoadUnsafe(ref acc, (nuint)p) + Vector256.LoadUnsafe(ref x, (nuint)p)).StoreUnsafe(ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += Unsafe.Add(ref x, p);
        }
    }

    /// <summary>acc += w·(x − m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCenterd(ref double acc, ref double x, ref double m, double w, int d)
    {
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> wv = Vector256.Create(w);
            for (; p + 4 <= d; p += 4)
            {
                Vector256<double> z = Vector256.LoadUnsafe(ref x, (nuint)p) - Vector256.LoadUnsafe(ref m, (nuint)p);
                (Vector256.LoadUnsafe(ref acc, (nuint)p) + wv * z).StoreUnsafe(ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += w * (Unsafe.Add(ref x, p) - Unsafe.Add(ref m, p));
        }
    }
}
