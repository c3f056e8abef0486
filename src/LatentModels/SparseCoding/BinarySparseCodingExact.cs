using System.Numerics;
using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Exact inference of binary sparse coding for small H by enumerating the 2ᴴ latent states. ln p(v) = ½Σ ln β − (d/2)
/// ln 2π − ½vᵀβv + ln Σₕ exp(s(h) + hᵀu), where s(h) = ln p(h) − ½hᵀGh does not depend on the row (computed once) and
/// u = Wᵀβv; hᵀu is updated in O(1) per state by walking the states in Gray-code order. The log-sum-exp runs through the
/// kernel; the posterior marginals weight each state by exp(value − ln Σ).
/// </summary>
internal static class BinarySparseCodingExact
{
    private const int ChunkRows = 4096, BlockRows = 8;

    public static void Run(BinarySparseCodingModel model, double[,] data, int maxDegreeOfParallelism, double[] logLikelihood, double[,]? marginals)
    {
        BinarySparseCodingParameters p = model.Parameters;
        int n = data.GetLength(0), h = p.Components, d = p.Dimension;
        if (n == 0)
        {
            return;
        }

        int capacity = Math.Min(n, ChunkRows);
        var engine = new BinarySparseCodingEngine(h, d, capacity, maxDegreeOfParallelism);
        engine.SetParameters(p);
        double[] score = StateScores(p.Bias, engine.Gram, h);
        ReadOnlySpan<double> x = data.AsSpan();
        for (int start = 0; start < n; start += capacity)
        {
            int count = Math.Min(capacity, n - start);
            engine.Prepare(x.Slice(start * d, count * d), count);
            var state = (Engine: engine, Score: score, H: h, Start: start, LogLikelihood: logLikelihood, Marginals: marginals);
            ParallelBlocks.For(count, BlockRows, maxDegreeOfParallelism, state, static (s, block, r0, r1) =>
            {
                int h = s.H, states = 1 << h;
                var values = new double[states];
                Span<double> u = stackalloc double[h];
                Span<double> sums = stackalloc double[h];
                for (int r = r0; r < r1; r++)
                {
                    ReadOnlySpan<double> c = s.Engine.Drive(r);
                    for (int i = 0; i < h; i++)
                    {
                        u[i] = c[i] + 0.5 * s.Engine.Diagonal[i];
                    }

                    // Gray-code walk: state k differs from state k − 1 in bit tzcnt(k).
                    double a = 0;
                    int current = 0;
                    values[0] = s.Score[0];
                    for (int k = 1; k < states; k++)
                    {
                        int bit = BitOperations.TrailingZeroCount(k);
                        current ^= 1 << bit;
                        a += (current & (1 << bit)) != 0 ? u[bit] : -u[bit];
                        values[k] = s.Score[current] + a;
                    }

                    double lse = LogSumExp.Compute(values);
                    s.LogLikelihood[s.Start + r] = s.Engine.LogNormalizer - 0.5 * s.Engine.Quadratic(r) + lse;
                    if (s.Marginals is double[,] m)
                    {
                        sums.Clear();
                        for (int k = 0; k < states; k++)
                        {
                            double w = Math.Exp(values[k] - lse);
                            int g = k ^ (k >> 1);
                            while (g != 0)
                            {
                                int bit = BitOperations.TrailingZeroCount(g);
                                sums[bit] += w;
                                g &= g - 1;
                            }
                        }

                        for (int i = 0; i < h; i++)
                        {
                            m[s.Start + r, i] = Math.Min(1.0, sums[i]);
                        }
                    }
                }
            });
        }
    }

    /// <summary>s(h) = Σᵢ ln p(hᵢ) − ½hᵀGh for every state h (bit i of the index is hᵢ).</summary>
    private static double[] StateScores(ReadOnlySpan<double> bias, ReadOnlySpan<double> gram, int h)
    {
        int states = 1 << h;
        var score = new double[states];
        double offAll = 0;
        for (int i = 0; i < h; i++)
        {
            offAll -= BernoulliMeanField.Softplus(bias[i]);
        }

        score[0] = offAll;
        for (int s = 1; s < states; s++)
        {
            // Add the highest set bit j to the state without it: ln p changes by −softplus(−bⱼ) + softplus(bⱼ) = bⱼ, and
            // −½hᵀGh by −½Gⱼⱼ − Σ_{i in rest} Gᵢⱼ.
            int j = 31 - BitOperations.LeadingZeroCount((uint)s);
            int rest = s & ~(1 << j);
            double quad = 0.5 * gram[j * h + j];
            for (int bits = rest; bits != 0; bits &= bits - 1)
            {
                quad += gram[j * h + BitOperations.TrailingZeroCount(bits)];
            }

            score[s] = score[rest] + bias[j] - quad;
        }

        return score;
    }
}
