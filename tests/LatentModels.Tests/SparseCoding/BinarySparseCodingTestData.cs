using LatentModels.SparseCoding;

namespace LatentModels.Tests.SparseCoding;

/// <summary>The bars test and small random binary sparse coding problems, plus a naive enumeration to check against.</summary>
internal static class BinarySparseCodingTestData
{
    /// <summary>The 2·side bars of a side × side image (horizontal, then vertical), as rows of 0/1 pixels.</summary>
    public static double[,] Bars(int side)
    {
        var bars = new double[2 * side, side * side];
        for (int b = 0; b < side; b++)
        {
            for (int j = 0; j < side; j++)
            {
                bars[b, b * side + j] = 1;
                bars[side + b, j * side + b] = 1;
            }
        }

        return bars;
    }

    /// <summary>
    /// The bars test: n images of side × side pixels, each of the 2·side bars on with probability <paramref name="p"/>,
    /// v = Σ bars + 𝒩(0, σ²) per pixel (overlaps add, as the model's Wh).
    /// </summary>
    public static double[,] BarsImages(int n, int side, double p, double sigma, int seed)
    {
        double[,] bars = Bars(side);
        int h = bars.GetLength(0), d = side * side;
        var random = new Random(seed);
        var x = new double[n, d];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < h; i++)
            {
                if (random.NextDouble() < p)
                {
                    for (int k = 0; k < d; k++)
                    {
                        x[r, k] += bars[i, k];
                    }
                }
            }

            for (int k = 0; k < d; k++)
            {
                x[r, k] += sigma * Normal(random);
            }
        }

        return x;
    }

    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Whether every true bar is matched by a distinct atom with cosine ≥ <paramref name="threshold"/> (bipartite matching).</summary>
    public static bool RecoversEveryBar(double[,] atoms, double[,] bars, double threshold, out double[] bestCosines)
    {
        int nb = bars.GetLength(0), na = atoms.GetLength(0);
        var ok = new bool[nb, na];
        bestCosines = new double[nb];
        for (int b = 0; b < nb; b++)
        {
            bestCosines[b] = double.NegativeInfinity;
            for (int a = 0; a < na; a++)
            {
                double c = Cosine(bars, b, atoms, a);
                ok[b, a] = c >= threshold;
                bestCosines[b] = Math.Max(bestCosines[b], c);
            }
        }

        var owner = Enumerable.Repeat(-1, na).ToArray();
        for (int b = 0; b < nb; b++)
        {
            if (!Augment(b, ok, owner, new bool[na]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Augment(int b, bool[,] ok, int[] owner, bool[] seen)
    {
        for (int a = 0; a < owner.Length; a++)
        {
            if (ok[b, a] && !seen[a])
            {
                seen[a] = true;
                if (owner[a] < 0 || Augment(owner[a], ok, owner, seen))
                {
                    owner[a] = b;
                    return true;
                }
            }
        }

        return false;
    }

    private static double Cosine(double[,] x, int i, double[,] y, int j)
    {
        double xy = 0, xx = 0, yy = 0;
        for (int k = 0; k < x.GetLength(1); k++)
        {
            xy += x[i, k] * y[j, k];
            xx += x[i, k] * x[i, k];
            yy += y[j, k] * y[j, k];
        }

        return xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : 0;
    }

    /// <summary>A random model: atoms 𝒩(0, 1) × <paramref name="scale"/>, prior logits in [−2, 0], noise variances in [0.2, 0.6].</summary>
    public static BinarySparseCodingModel RandomModel(int h, int d, double scale, int seed)
    {
        var random = new Random(seed);
        var atoms = new double[h, d];
        for (int i = 0; i < h; i++)
        {
            for (int k = 0; k < d; k++)
            {
                atoms[i, k] = scale * Normal(random);
            }
        }

        double[] logits = Enumerable.Range(0, h).Select(_ => -2 * random.NextDouble()).ToArray();
        double[] variances = Enumerable.Range(0, d).Select(_ => 0.2 + 0.4 * random.NextDouble()).ToArray();
        return new BinarySparseCodingModel(atoms, logits, variances);
    }

    /// <summary>
    /// Naive enumeration, written independently of the library: for each state h, ln p(h) + ln 𝒩(v | Wh, β⁻¹) summed
    /// directly; returns ln p(v) and the posterior marginals.
    /// </summary>
    public static (double LogLikelihood, double[] Marginals) Enumerate(BinarySparseCodingModel model, double[] v)
    {
        double[,] atoms = model.Dictionary;
        double[] prior = model.PriorProbabilities, variance = model.NoiseVariance;
        int h = model.Components, d = model.Dimension;
        var logJoint = new double[1 << h];
        for (int s = 0; s < logJoint.Length; s++)
        {
            double lp = 0;
            for (int i = 0; i < h; i++)
            {
                lp += ((s >> i) & 1) == 1 ? Math.Log(prior[i]) : Math.Log(1 - prior[i]);
            }

            for (int k = 0; k < d; k++)
            {
                double mu = 0;
                for (int i = 0; i < h; i++)
                {
                    mu += ((s >> i) & 1) * atoms[i, k];
                }

                double r = v[k] - mu;
                lp += -0.5 * Math.Log(2 * Math.PI * variance[k]) - 0.5 * r * r / variance[k];
            }

            logJoint[s] = lp;
        }

        double max = logJoint.Max();
        double sum = logJoint.Sum(x => Math.Exp(x - max));
        double lse = max + Math.Log(sum);
        var marginals = new double[h];
        for (int s = 0; s < logJoint.Length; s++)
        {
            double w = Math.Exp(logJoint[s] - lse);
            for (int i = 0; i < h; i++)
            {
                marginals[i] += ((s >> i) & 1) * w;
            }
        }

        return (lse, marginals);
    }

    public static double[] Row(double[,] x, int r) => Enumerable.Range(0, x.GetLength(1)).Select(k => x[r, k]).ToArray();
}
