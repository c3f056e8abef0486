namespace LatentModels.Randomness;

/// <summary>Standard normal variates from a caller's <see cref="Random"/> (Box–Muller, both outputs used).</summary>
internal static class StandardNormal
{
    /// <summary>One standard normal variate.</summary>
    public static double Next(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with independent standard normal variates.</summary>
    public static void Fill(Random random, Span<double> destination)
    {
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            destination[i] = radius * cos;
            destination[i + 1] = radius * sin;
        }

        if (i < destination.Length)
        {
            destination[i] = Next(random);
        }
    }
}
