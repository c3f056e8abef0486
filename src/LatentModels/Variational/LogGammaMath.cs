namespace LatentModels.Variational;

/// <summary>
/// ln Γ(x) and the digamma function ψ(x) for x &gt; 0, as the variational discrete mixtures need them (Dirichlet and
/// Beta normalisers and expected logarithms). Both shift x up to at least 10 by the recurrences
/// ln Γ(x) = ln Γ(x + 1) − ln x and ψ(x) = ψ(x + 1) − 1/x, then use the asymptotic (Stirling) series, accurate to a few
/// units in the last place there.
/// </summary>
internal static class LogGammaMath
{
    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        double shift = 0;
        while (x < 10)
        {
            shift += Math.Log(x);
            x += 1;
        }

        double inv = 1 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188)))));
        return (x - 0.5) * Math.Log(x) - x + HalfLogTwoPi + series - shift;
    }

    /// <summary>ψ(x) = d ln Γ(x) / dx for x &gt; 0.</summary>
    public static double Digamma(double x)
    {
        double shift = 0;
        while (x < 10)
        {
            shift += 1 / x;
            x += 1;
        }

        double inv = 1 / x, inv2 = inv * inv;
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
        return Math.Log(x) - 0.5 * inv - series - shift;
    }
}
