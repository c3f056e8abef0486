using System.Numerics.Tensors;
using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// The nearest center of a row whose values (or whose centers) are too large for the ‖c‖² − 2x·c form of the center
/// table: the same arg-min, computed with powers of two that keep every product finite.
/// </summary>
internal static class ScaledNearest
{
    private static readonly double _limit = Math.ScaleB(1.0, RangeFrame.SafeExponent);

    /// <summary>True when a row or center of largest magnitude <paramref name="magnitude"/> may overflow the distance form.</summary>
    public static bool Unsafe(double magnitude) => !(magnitude <= _limit);

    /// <summary>The largest magnitude of <paramref name="values"/> (0 when empty).</summary>
    public static double MaxAbs(ReadOnlySpan<double> values) => values.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(values));

    /// <summary>
    /// The nearest of the K centers (row-major, d columns) to <paramref name="x"/>, first on ties: the arg-min of
    /// ‖cⱼ‖² − 2x·cⱼ (= ‖x − cⱼ‖² − ‖x‖²) scaled by 2^−(e_c + e) with 2^e_c the centers' scale and 2^e the larger of the
    /// row's and the centers': (cⱼ2^−e_c)·(cⱼ2^−e) − 2(x2^−e)·(cⱼ2^−e_c), every factor at most 2 in magnitude.
    /// </summary>
    public static int Nearest(ReadOnlySpan<double> x, ReadOnlySpan<double> centers, int k, int d, double centersMaxAbs)
    {
        double mx = MaxAbs(x);
        int ec = centersMaxAbs > 0 ? Math.ILogB(centersMaxAbs) : 0;
        int e = Math.Max(mx > 0 ? Math.ILogB(mx) : ec, ec);
        int label = 0;
        double best = double.PositiveInfinity;
        for (int j = 0; j < k; j++)
        {
            ReadOnlySpan<double> c = centers.Slice(j * d, d);
            double norm = 0, dot = 0;
            for (int p = 0; p < d; p++)
            {
                double ca = Math.ScaleB(c[p], -ec);
                norm = Math.FusedMultiplyAdd(ca, Math.ScaleB(c[p], -e), norm);
                dot = Math.FusedMultiplyAdd(Math.ScaleB(x[p], -e), ca, dot);
            }

            double v = norm - 2 * dot;
            if (j == 0 || v < best)
            {
                best = v;
                label = j;
            }
        }

        return label;
    }

    /// <summary>
    /// The table's label of a row when its margin proves it (runner-up − best &gt; twice the table's rounding bound, which
    /// holds for all but near-ties in ordinary data), else the exact arg-min: by direct differences ‖x − cⱼ‖² (whose
    /// rounding does not grow with the distance from the origin) or, for values beyond 2^200, by <see cref="Nearest"/>.
    /// </summary>
    public static int Certified(int label, double best, double second, ReadOnlySpan<double> x, LinearAlgebra.CenterTable table, ReadOnlySpan<double> centers, double centersMaxAbs)
    {
        double norm = 0;
        foreach (double v in x)
        {
            norm = Math.FusedMultiplyAdd(v, v, norm);
        }

        if (second - best > 2 * table.ErrorBound(norm))
        {
            return label;
        }

        int k = table.K, d = table.D;
        if (Unsafe(MaxAbs(x)) || Unsafe(centersMaxAbs))
        {
            return Nearest(x, centers, k, d, centersMaxAbs);
        }

        int nearest = 0;
        double min = double.PositiveInfinity;
        for (int j = 0; j < k; j++)
        {
            double s = LinearAlgebra.RowReductions.SquaredDistance(x, centers.Slice(j * d, d));
            if (j == 0 || s < min)
            {
                min = s;
                nearest = j;
            }
        }

        return nearest;
    }
}
