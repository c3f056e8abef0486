using LatentModels.SparseCoding;
using Xunit.Abstractions;
using static LatentModels.Tests.SparseCoding.BinarySparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary>
/// The exact check: for small H the 2ᴴ latent states are enumerated (in the library, and naively in the test), and the
/// mean-field quantities are compared with the exact ones — ln p(v) ≥ ELBO, ĥ against the exact marginals, the ELBO
/// against Σₕ q(h)[ln p(h, v) − ln q(h)] summed over every state.
/// </summary>
public class BinarySparseCodingExactTests(ITestOutputHelper output)
{
    private static readonly BinarySparseCodingInference _converged = new() { MaxSweeps = 1000, Tolerance = 1e-13 };

    /// <summary>Σₕ q(h)[ln p(h) + ln p(v | h) − ln q(h)] by enumeration: the ELBO computed without the library's formula.</summary>
    private static double EnumeratedElbo(BinarySparseCodingModel model, double[] v, double[] q)
    {
        double[,] atoms = model.Dictionary;
        double[] prior = model.PriorProbabilities, variance = model.NoiseVariance;
        int h = model.Components, d = model.Dimension;
        double elbo = 0;
        for (int s = 0; s < 1 << h; s++)
        {
            double logQ = 0, logP = 0;
            for (int i = 0; i < h; i++)
            {
                bool on = ((s >> i) & 1) == 1;
                logQ += Math.Log(on ? q[i] : 1 - q[i]);
                logP += Math.Log(on ? prior[i] : 1 - prior[i]);
            }

            if (double.IsNegativeInfinity(logQ))
            {
                continue; // q(h) = 0 (a mean rounded to 0 or 1): the state contributes nothing
            }

            for (int k = 0; k < d; k++)
            {
                double mu = 0;
                for (int i = 0; i < h; i++)
                {
                    mu += ((s >> i) & 1) * atoms[i, k];
                }

                logP += -0.5 * Math.Log(2 * Math.PI * variance[k]) - 0.5 * (v[k] - mu) * (v[k] - mu) / variance[k];
            }

            elbo += Math.Exp(logQ) * (logP - logQ);
        }

        return elbo;
    }

    [Theory]
    [InlineData(1, 3, 11)]
    [InlineData(5, 4, 12)]
    [InlineData(9, 7, 13)]
    public void Exact_log_likelihood_and_marginals_match_a_naive_enumeration(int h, int d, int seed)
    {
        BinarySparseCodingModel model = RandomModel(h, d, 1.0, seed);
        double[,] x = model.Sample(40, new Random(seed + 100));
        double[] exact = model.ExactLogLikelihood(x);
        double[,] marginals = model.ExactPosteriorMeans(x);
        for (int r = 0; r < x.GetLength(0); r++)
        {
            (double logLikelihood, double[] naive) = Enumerate(model, Row(x, r));
            exact[r].Should().BeApproximately(logLikelihood, 1e-10 * Math.Max(1, Math.Abs(logLikelihood)), $"row {r}");
            for (int i = 0; i < h; i++)
            {
                marginals[r, i].Should().BeApproximately(naive[i], 1e-10, $"row {r}, latent {i}");
            }
        }
    }

    [Theory]
    [InlineData(BinarySparseCodingUpdate.Sequential)]
    [InlineData(BinarySparseCodingUpdate.Parallel)]
    public void The_ELBO_is_the_enumerated_bound_and_never_exceeds_the_exact_log_likelihood(BinarySparseCodingUpdate update)
    {
        BinarySparseCodingModel model = RandomModel(8, 6, 0.8, 21);
        double[,] x = model.Sample(60, new Random(5));
        var inference = _converged with { Update = update, Damping = 0.5 };
        double[] elbo = model.Elbo(x, inference);
        double[,] q = model.Transform(x, inference);
        double[] exact = model.ExactLogLikelihood(x);
        double worstGap = 0;
        for (int r = 0; r < x.GetLength(0); r++)
        {
            double[] qr = Row(q, r);
            elbo[r].Should().BeApproximately(EnumeratedElbo(model, Row(x, r), qr), 1e-9 * Math.Max(1, Math.Abs(elbo[r])), $"row {r}");
            elbo[r].Should().BeLessThanOrEqualTo(exact[r] + 1e-10, $"row {r}: the ELBO is a lower bound");
            worstGap = Math.Max(worstGap, exact[r] - elbo[r]);
        }

        output.WriteLine($"{update}: largest gap ln p(v) − ELBO over 60 rows = {worstGap:G4} nats");
        worstGap.Should().BeGreaterThan(0, "atoms that overlap make the true posterior correlated");
    }

    [Fact]
    public void On_a_factorised_posterior_mean_field_is_exact()
    {
        // Atoms on disjoint pixels: G = WᵀβW is diagonal, the posterior factorises, so ĥ equals the exact marginals and
        // the ELBO equals ln p(v).
        const int H = 6, D = 12;
        var atoms = new double[H, D];
        for (int i = 0; i < H; i++)
        {
            atoms[i, 2 * i] = 1.0 + 0.1 * i;
            atoms[i, 2 * i + 1] = -0.5;
        }

        var model = new BinarySparseCodingModel(atoms, Enumerable.Range(0, H).Select(i => -1.0 + 0.2 * i).ToArray(), Enumerable.Repeat(0.3, D).ToArray());
        double[,] x = model.Sample(50, new Random(3));
        double[,] q = model.Transform(x, _converged);
        double[,] exact = model.ExactPosteriorMeans(x);
        double[] elbo = model.Elbo(x, _converged), logLikelihood = model.ExactLogLikelihood(x);
        double worst = 0;
        for (int r = 0; r < x.GetLength(0); r++)
        {
            for (int i = 0; i < H; i++)
            {
                worst = Math.Max(worst, Math.Abs(q[r, i] - exact[r, i]));
            }

            elbo[r].Should().BeApproximately(logLikelihood[r], 1e-10 * Math.Max(1, Math.Abs(logLikelihood[r])), $"row {r}");
        }

        output.WriteLine($"factorised case: largest |ĥ − p(h = 1 | v)| = {worst:G3}");
        worst.Should().BeLessThan(1e-10);
    }

    [Fact]
    public void On_nearly_orthogonal_atoms_the_marginals_are_close_and_the_gap_is_reported()
    {
        BinarySparseCodingModel model = RandomModel(10, 40, 1.0, 8); // random atoms in 40 dimensions: small overlaps
        double[,] x = model.Sample(100, new Random(9));
        double[,] q = model.Transform(x, _converged);
        double[,] exact = model.ExactPosteriorMeans(x);
        double[] gap = model.ExactLogLikelihood(x).Zip(model.Elbo(x, _converged), (a, b) => a - b).ToArray();
        double worst = 0, mean = 0;
        for (int r = 0; r < x.GetLength(0); r++)
        {
            for (int i = 0; i < 10; i++)
            {
                double e = Math.Abs(q[r, i] - exact[r, i]);
                worst = Math.Max(worst, e);
                mean += e / (10.0 * x.GetLength(0));
            }
        }

        output.WriteLine($"nearly orthogonal atoms (H = 10, d = 40): |ĥ − exact marginal| mean {mean:G3}, max {worst:G3}; " +
            $"gap ln p(v) − ELBO mean {gap.Average():G3}, max {gap.Max():G3} nats");
        gap.Should().OnlyContain(g => g >= -1e-9);
        mean.Should().BeLessThan(0.02);
        gap.Average().Should().BeLessThan(0.1);
    }

    [Fact]
    public void Each_sequential_sweep_raises_the_ELBO_and_parallel_damped_updates_reach_a_sequential_fixed_point()
    {
        BinarySparseCodingModel model = RandomModel(12, 8, 1.2, 4);
        double[,] x = model.Sample(150, new Random(6));
        int n = x.GetLength(0), h = model.Components, d = model.Dimension;
        var engine = new BinarySparseCodingEngine(h, d, n, 1);
        engine.SetParameters(model.Parameters);
        engine.Prepare(x.AsSpan(), n);
        var logits = new double[n * h];
        var means = new double[n * h];
        var bounds = new double[n];
        var sequential = new BinarySparseCodingInference();
        BinarySparseCodingModel.InitialiseToPrior(model.Parameters.Bias, logits, means);
        double[] before = new double[n];
        engine.Elbo(logits, means, 0, n, before);
        for (int sweep = 0; sweep < 30; sweep++)
        {
            engine.Sweep(logits, means, 0, n, sequential, 1.0);
            engine.Elbo(logits, means, 0, n, bounds);
            for (int r = 0; r < n; r++)
            {
                bounds[r].Should().BeGreaterThanOrEqualTo(before[r] - 1e-12 * Math.Abs(before[r]), $"sweep {sweep}, row {r}");
            }

            bounds.CopyTo(before, 0);
        }

        // Damped parallel updates from the prior, to convergence; then a sequential sweep moves nothing.
        var parallel = new BinarySparseCodingInference { Update = BinarySparseCodingUpdate.Parallel, Damping = 0.6, MaxSweeps = 5000, Tolerance = 1e-14 };
        BinarySparseCodingModel.InitialiseToPrior(model.Parameters.Bias, logits, means);
        int sweeps = engine.Infer(logits, means, 0, n, parallel, 1.0);
        sweeps.Should().BeLessThan(5000, "damped parallel updates converge here");
        double moved = engine.Sweep(logits, means, 0, n, sequential, 1.0);
        output.WriteLine($"parallel (δ = 0.6): {sweeps} sweeps; a sequential sweep then moves a mean by at most {moved:G3}");
        moved.Should().BeLessThan(1e-10);
    }

    [Fact]
    public void Single_sequential_updates_each_raise_the_ELBO()
    {
        // One latent at a time (H sweeps over rows of a single latent through the kernel's coordinate step): the bound
        // after each coordinate update, computed by enumeration, never falls.
        BinarySparseCodingModel model = RandomModel(6, 5, 1.5, 17);
        double[,] x = model.Sample(20, new Random(2));
        int h = model.Components;
        double[] bias = model.Parameters.Bias;
        var engine = new BinarySparseCodingEngine(h, model.Dimension, 1, 1);
        engine.SetParameters(model.Parameters);
        double[] gram = engine.Gram.ToArray();
        for (int r = 0; r < x.GetLength(0); r++)
        {
            double[] v = Row(x, r);
            engine.Prepare(v, 1);
            double[] c = engine.Drive(0).ToArray();
            var l = new double[h];
            var m = new double[h];
            BinarySparseCodingModel.InitialiseToPrior(bias, l, m);
            double previous = EnumeratedElbo(model, v, m);
            for (int step = 0; step < 5 * h; step++)
            {
                int i = step % h;
                double coupling = 0;
                for (int j = 0; j < h; j++)
                {
                    coupling += j == i ? 0 : gram[i * h + j] * m[j];
                }

                // The fixed point of latent i alone, as the kernel's sequential sweep computes it.
                l[i] = bias[i] + c[i] - coupling;
                m[i] = 1 / (1 + Math.Exp(-l[i]));
                double next = EnumeratedElbo(model, v, m);
                next.Should().BeGreaterThanOrEqualTo(previous - 1e-12 * Math.Abs(previous), $"row {r}, step {step}");
                previous = next;
            }

            // And the kernel's sweep reaches the same values as these single updates.
            var kl = new double[h];
            var km = new double[h];
            BinarySparseCodingModel.InitialiseToPrior(bias, kl, km);
            var coupled = new double[h];
            for (int sweep = 0; sweep < 5; sweep++)
            {
                for (int i = 0; i < h; i++)
                {
                    coupled[i] = 0;
                    for (int j = 0; j < h; j++)
                    {
                        coupled[i] += gram[i * h + j] * km[j];
                    }
                }

                LatentModels.LinearAlgebra.BernoulliMeanField.SequentialSweep(bias, c, gram, 1.0, coupled, kl, km);
            }

            for (int i = 0; i < h; i++)
            {
                km[i].Should().BeApproximately(m[i], 1e-12, $"row {r}, latent {i}");
            }
        }
    }
}
