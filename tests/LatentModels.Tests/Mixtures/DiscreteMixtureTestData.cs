using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Tests.Mixtures;

/// <summary>Known Bernoulli and categorical mixtures, and a naive reference EM written with plain loops.</summary>
internal static class DiscreteMixtureTestData
{
    /// <summary>Three well-separated Bernoulli prototypes in d = 20 (probabilities 0.1 or 0.9), weights 0.5/0.3/0.2.</summary>
    public static MixtureModel<IndependentBernoulli> ThreePrototypes()
    {
        var p = new double[3, 20];
        for (int j = 0; j < 20; j++)
        {
            p[0, j] = j < 10 ? 0.9 : 0.1;
            p[1, j] = j % 2 == 0 ? 0.9 : 0.1;
            p[2, j] = j >= 5 && j < 15 ? 0.1 : 0.9;
        }

        return BernoulliMixture.CreateModel([0.5, 0.3, 0.2], p);
    }

    public static MixtureModel<IndependentCategorical> TwoCategoricalProfiles() =>
        new(new IndependentCategoricalFamily([3, 2, 4, 3]), [0.6, 0.4],
        [
            new IndependentCategorical([[0.8, 0.1, 0.1], [0.9, 0.1], [0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.8]]),
            new IndependentCategorical([[0.1, 0.1, 0.8], [0.2, 0.8], [0.1, 0.1, 0.1, 0.7], [0.6, 0.3, 0.1]]),
        ]);

    public static double[][] Probabilities(MixtureModel<IndependentBernoulli> model) =>
        model.Distributions.Select(c => c.Probabilities.ToArray()).ToArray();

    /// <summary>log p(x | p) = Σⱼ xⱼ log pⱼ + (1 − xⱼ) log(1 − pⱼ), term by term.</summary>
    public static double NaiveBernoulliLog(double[] p, double[,] x, int i)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            s += x[i, j] == 1 ? Math.Log(p[j]) : Math.Log(1 - p[j]);
        }

        return s;
    }

    /// <summary>The naive E-step of the reference EMs: rᵢₖ = exp(ℓᵢₖ − maxₖ ℓᵢₖ) / Σₖ exp(ℓᵢₖ − maxₖ ℓᵢₖ) for the log-joints ℓᵢₖ = <paramref name="logJoint"/>(i, k).</summary>
    private static double[,] NaiveResponsibilities(int n, int k, Func<int, int, double> logJoint)
    {
        var r = new double[n, k];
        for (int i = 0; i < n; i++)
        {
            var lj = new double[k];
            for (int c = 0; c < k; c++)
            {
                lj[c] = logJoint(i, c);
            }

            double max = lj.Max(), s = 0;
            for (int c = 0; c < k; c++)
            {
                s += Math.Exp(lj[c] - max);
            }

            for (int c = 0; c < k; c++)
            {
                r[i, c] = Math.Exp(lj[c] - max) / s;
            }
        }

        return r;
    }

    /// <summary>
    /// Naive Bernoulli-mixture EM with pseudo-count α: responsibilities from exp of the shifted log-joints, πₖ = Nₖ/N,
    /// pₖⱼ = (Σᵢ rᵢₖxᵢⱼ + α)/(Nₖ + 2α). Returns the weights and probabilities after <paramref name="iterations"/> M-steps.
    /// </summary>
    public static (double[] Weights, double[][] P) ReferenceBernoulliEm(double[,] x, double[] weights, double[][] p, double alpha, int iterations)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = weights.Length;
        double[] w = (double[])weights.Clone();
        double[][] prob = p.Select(r => (double[])r.Clone()).ToArray();
        for (int t = 0; t < iterations; t++)
        {
            double[,] r = NaiveResponsibilities(n, k, (i, c) => Math.Log(w[c]) + NaiveBernoulliLog(prob[c], x, i));

            for (int c = 0; c < k; c++)
            {
                double nk = 0;
                var ones = new double[d];
                for (int i = 0; i < n; i++)
                {
                    nk += r[i, c];
                    for (int j = 0; j < d; j++)
                    {
                        ones[j] += r[i, c] * x[i, j];
                    }
                }

                w[c] = nk / n;
                for (int j = 0; j < d; j++)
                {
                    prob[c][j] = (ones[j] + alpha) / (nk + 2 * alpha);
                }
            }
        }

        return (w, prob);
    }

    /// <summary>Naive categorical-mixture EM with pseudo-count α (pₖⱼ[c] = (Σᵢ rᵢₖ[xᵢⱼ = c] + α)/(Nₖ + Cⱼα)).</summary>
    public static (double[] Weights, double[][][] P) ReferenceCategoricalEm(double[,] x, double[] weights, double[][][] p, double alpha, int iterations)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = weights.Length;
        double[] w = (double[])weights.Clone();
        double[][][] prob = p.Select(c => c.Select(v => (double[])v.Clone()).ToArray()).ToArray();
        for (int t = 0; t < iterations; t++)
        {
            double[,] r = NaiveResponsibilities(n, k, (i, c) =>
            {
                double lj = Math.Log(w[c]);
                for (int j = 0; j < d; j++)
                {
                    lj += Math.Log(prob[c][j][(int)x[i, j]]);
                }

                return lj;
            });

            for (int c = 0; c < k; c++)
            {
                double nk = 0;
                for (int i = 0; i < n; i++)
                {
                    nk += r[i, c];
                }

                w[c] = nk / n;
                for (int j = 0; j < d; j++)
                {
                    int categories = prob[c][j].Length;
                    var counts = new double[categories];
                    for (int i = 0; i < n; i++)
                    {
                        counts[(int)x[i, j]] += r[i, c];
                    }

                    for (int q = 0; q < categories; q++)
                    {
                        prob[c][j][q] = (counts[q] + alpha) / (nk + categories * alpha);
                    }
                }
            }
        }

        return (w, prob);
    }
}
