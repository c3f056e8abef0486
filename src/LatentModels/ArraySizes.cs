using System.Globalization;

namespace LatentModels;

/// <summary>
/// Size arithmetic for the arrays a call is about to allocate. Products of sizes (n·d, K·d, K·d², hidden widths ×
/// batch rows…) are formed in 64 bits and compared with the largest array .NET allows, so a size beyond it is an
/// <see cref="ArgumentException"/> naming the parameter and the sizes — raised before anything is allocated — rather
/// than a 32-bit product that wraps to a negative length (an <see cref="OverflowException"/> from <c>new T[…]</c>) or
/// a misleading count in a message.
/// </summary>
internal static class ArraySizes
{
    /// <summary>The most elements one array may hold (<see cref="Array.MaxLength"/>).</summary>
    public static long Max => Array.MaxLength;

    /// <summary>
    /// a × b (each non-negative) when it fits one array; otherwise an <see cref="ArgumentException"/> on
    /// <paramref name="paramName"/> saying that <paramref name="what"/> needs that many values.
    /// </summary>
    public static int Product(long a, long b, string paramName, string what) => Check((double)a * b, a * b, paramName, what, $"{a:N0} × {b:N0}");

    /// <summary>a × b × c (each non-negative) when it fits one array; otherwise the same error as <see cref="Product(long, long, string, string)"/>.</summary>
    public static int Product(long a, long b, long c, string paramName, string what)
    {
        double exact = (double)a * b * c;
        return Check(exact, exact <= Max ? a * b * c : -1, paramName, what, $"{a:N0} × {b:N0} × {c:N0}");
    }

    /// <summary>A total of sizes (added in 64 bits by the caller) when it fits one array; otherwise the same error.</summary>
    public static int Total(long total, string paramName, string what) => Check(total, total, paramName, what, null);

    private static int Check(double approximate, long value, string paramName, string what, string? factors)
    {
        if (approximate > Max || value > Max || value < 0)
        {
            string size = factors is null
                ? string.Create(CultureInfo.InvariantCulture, $"{approximate:N0}")
                : string.Create(CultureInfo.InvariantCulture, $"{factors} = {approximate:N0}");
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs {size} values, more than one array can hold ({Max:N0})."), paramName);
        }

        return (int)value;
    }
}
