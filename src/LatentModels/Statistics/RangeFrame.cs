using System.Numerics.Tensors;

namespace LatentModels.Statistics;

/// <summary>
/// The change of units a fit works in when the data's range or position would cost it accuracy or overflow:
/// z = (x·2^−e₁ − m)·2^−e₂, with m a per-column centre (the mid-range of the prescaled data, or none) and powers of two
/// so that every scaling is exact in binary floating point. Data already in a safe range, not far from the origin
/// relative to its spread, gets the identity frame: the fit takes exactly its ordinary path and gives the same bits.
/// </summary>
/// <remarks>
/// The frame scales when the largest magnitude (after centring) lies outside [2^−<see cref="SafeExponent"/>,
/// 2^<see cref="SafeExponent"/>]: there squares and sums of squares of d coordinates can neither overflow nor lose
/// precision to underflow. It centres when the data sit more than <see cref="FarRatio"/> spreads from the origin: the
/// ‖x‖² − 2x·c + ‖c‖² form of squared distances then loses the digits that tell the clusters apart.
/// </remarks>
internal sealed class RangeFrame
{
    /// <summary>Magnitudes within 2^±200 need no scaling.</summary>
    internal const int SafeExponent = 200;

    /// <summary>Data whose centre is more than this many spreads from the origin are centred.</summary>
    internal const double FarRatio = 16;

    private RangeFrame(int prescale, double[]? centre, int scale)
    {
        Prescale = prescale;
        Centre = centre;
        Scale = scale;
    }

    /// <summary>
    /// The frame of the given parts (as read back from another process: the distributed fits send the driver's frame to
    /// every shard); the identity when nothing changes.
    /// </summary>
    internal static RangeFrame Of(int prescale, double[]? centre, int scale) =>
        centre is null && prescale == 0 && scale == 0 ? Identity : new RangeFrame(prescale, centre, scale);

    /// <summary>The frame that changes nothing.</summary>
    public static RangeFrame Identity { get; } = new(0, null, 0);

    /// <summary>e₁: the data are first multiplied by 2^−e₁.</summary>
    public int Prescale { get; }

    /// <summary>m, in the prescaled units (null: no centring).</summary>
    public double[]? Centre { get; }

    /// <summary>e₂: the centred data are multiplied by 2^−e₂.</summary>
    public int Scale { get; }

    /// <summary>e₁ + e₂: a length in the frame is the original length × 2^−Exponent.</summary>
    public int Exponent => Prescale + Scale;

    /// <summary>True when the frame changes nothing.</summary>
    public bool IsIdentity => Centre is null && Prescale == 0 && Scale == 0;

    /// <summary>True when <paramref name="magnitude"/> (a largest absolute value) is positive and outside the safe range.</summary>
    internal static bool Unsafe(double magnitude) =>
        magnitude > 0 && (magnitude > Math.ScaleB(1.0, SafeExponent) || magnitude < Math.ScaleB(1.0, -SafeExponent));

    /// <summary>The frame for n rows of d finite values (row-major).</summary>
    public static RangeFrame ForRows(ReadOnlySpan<double> x, int n, int d)
    {
        if (n == 0 || d == 0)
        {
            return Identity;
        }

        var min = new double[d];
        var max = new double[d];
        min.AsSpan().Fill(double.PositiveInfinity);
        max.AsSpan().Fill(double.NegativeInfinity);
        double a = AddExtremes(x, n, d, min, max);
        return FromExtremes(a, min, max);
    }

    /// <summary>
    /// Folds n rows (row-major) into per-column minima and maxima and returns their largest magnitude: exact and
    /// order-free, so rows fed in any pieces give <see cref="ForRows(ReadOnlySpan{double}, int, int)"/>'s frame through
    /// <see cref="FromExtremes"/> (the out-of-core fits' range pass).
    /// </summary>
    public static double AddExtremes(ReadOnlySpan<double> x, int n, int d, Span<double> min, Span<double> max)
    {
        double a = n == 0 ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x[..(n * d)]));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = x.Slice(i * d, d);
            for (int p = 0; p < d; p++)
            {
                min[p] = Math.Min(min[p], row[p]);
                max[p] = Math.Max(max[p], row[p]);
            }
        }

        return a;
    }

    /// <summary>The frame of rows with largest magnitude <paramref name="a"/> and the given per-column minima and maxima.</summary>
    public static RangeFrame FromExtremes(double a, ReadOnlySpan<double> min, ReadOnlySpan<double> max)
    {
        int d = min.Length;
        int e1 = Unsafe(a) ? Math.ILogB(a) : 0;

        // Mid-range and half-range of the prescaled columns (halving first: no overflow).
        var centre = new double[d];
        double spread = 0, far = 0;
        for (int p = 0; p < d; p++)
        {
            double lo = Math.ScaleB(min[p], -e1), hi = Math.ScaleB(max[p], -e1);
            centre[p] = 0.5 * lo + 0.5 * hi;
            spread = Math.Max(spread, 0.5 * hi - 0.5 * lo);
            far = Math.Max(far, Math.Abs(centre[p]));
        }

        bool centred = spread > 0 && far > FarRatio * spread;
        double m = centred ? spread : Math.ScaleB(a, -e1);
        int e2 = Unsafe(m) ? Math.ILogB(m) : 0;
        return !centred && e1 == 0 && e2 == 0 ? Identity : new RangeFrame(e1, centred ? centre : null, e2);
    }

    /// <summary>The frame for the rows of a matrix.</summary>
    public static RangeFrame ForRows(double[,] data) => ForRows(data.AsSpan(), data.GetLength(0), data.GetLength(1));

    /// <summary>Writes the rows of <paramref name="source"/> (row-major, d columns) in frame units into <paramref name="destination"/>.</summary>
    public void ToFrame(ReadOnlySpan<double> source, Span<double> destination, int d)
    {
        int e1 = -Prescale, e2 = -Scale;
        double[]? c = Centre;
        for (int i = 0; i < source.Length; i++)
        {
            double v = Math.ScaleB(source[i], e1);
            if (c is not null)
            {
                v -= c[i % d];
            }

            destination[i] = Math.ScaleB(v, e2);
        }
    }

    /// <summary>A matrix in frame units (a new array).</summary>
    public double[,] ToFrame(double[,] data)
    {
        var result = new double[data.GetLength(0), data.GetLength(1)];
        ToFrame(data.AsSpan(), result.AsWritableSpan(), data.GetLength(1));
        return result;
    }

    /// <summary>
    /// Maps points in frame units back to the original units in place (row-major, d columns). A value beyond the largest
    /// double (possible only by rounding at the very edge of the range) is clamped to ±<see cref="double.MaxValue"/>.
    /// </summary>
    public void FromFrame(Span<double> values, int d)
    {
        if (IsIdentity)
        {
            return;
        }

        double[]? c = Centre;
        for (int i = 0; i < values.Length; i++)
        {
            double v = Math.ScaleB(values[i], Scale);
            if (c is not null)
            {
                v += c[i % d];
            }

            v = Math.ScaleB(v, Prescale);
            values[i] = Math.Clamp(v, -double.MaxValue, double.MaxValue);
        }
    }

    /// <summary>Maps a squared length (or a variance) from frame units back: × 2^(2·Exponent), +∞ beyond the largest double.</summary>
    public double SquaredFromFrame(double value) => Math.ScaleB(value, 2 * Exponent);

    /// <summary>Maps a squared length (or a variance) into frame units: × 2^(−2·Exponent).</summary>
    public double SquaredToFrame(double value) => Math.ScaleB(value, -2 * Exponent);

    /// <summary>
    /// The power of two that brings the largest of <paramref name="weights"/> into [1, 2) when it lies outside
    /// [2^−20, 2^20] (0 otherwise, so ordinary weights keep their bits). Dividing by it is exact.
    /// </summary>
    public static int WeightExponent(ReadOnlySpan<double> weights) => WeightExponentOfMax(weights.Length == 0 ? 0 : TensorPrimitives.Max(weights));

    /// <summary><see cref="WeightExponent"/> from the largest weight (weights read in pieces).</summary>
    public static int WeightExponentOfMax(double max) => max > 0 && (max > 1048576.0 || max < 1.0 / 1048576.0) ? Math.ILogB(max) : 0;

    /// <summary>The power of two <see cref="RelativeWeights"/> divides weights of the given <see cref="WeightExponent"/> by (0: none).</summary>
    public static int RelativeExponent(int weightExponent, bool counts) =>
        !counts ? weightExponent : weightExponent > CountExponent ? weightExponent - CountExponent : 0;

    /// <summary>Under a prior, weights (counts) whose largest exceeds 2^this are brought down to [2^this, 2^(this+1)).</summary>
    internal const int CountExponent = 100;

    /// <summary>
    /// Sample weights as a fit uses them. Without a prior only their ratios matter, so they are divided by a power of two
    /// when their largest lies outside [2^−20, 2^20] (exact: the fit is the same to the bits as for any other power-of-two
    /// multiple). Under a prior they are counts weighed against its pseudo-counts (a row of weight w counts as w copies),
    /// so their scale is part of the model: they are left as given, except that counts beyond 2^100 are divided by a power
    /// of two down to [2^100, 2^101), where the prior's pseudo-counts are already far below rounding (the fit is the same
    /// to rounding) and no weighted sum can overflow. Returns <paramref name="weights"/> itself when nothing changes, else
    /// a new array; the caller's array is never modified.
    /// </summary>
    public static double[]? RelativeWeights(double[]? weights, bool counts)
    {
        if (weights is null)
        {
            return null;
        }

        int exponent = RelativeExponent(WeightExponent(weights), counts);
        if (exponent == 0)
        {
            return weights;
        }

        var scaled = (double[])weights.Clone();
        NormalizeWeights(scaled, exponent);
        return scaled;
    }

    /// <summary>Divides <paramref name="weights"/> in place by 2^<paramref name="exponent"/> (exact unless a weight is 2^1022 times smaller than the largest).</summary>
    public static void NormalizeWeights(Span<double> weights, int exponent)
    {
        if (exponent == 0)
        {
            return;
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = Math.ScaleB(weights[i], -exponent);
        }
    }
}
