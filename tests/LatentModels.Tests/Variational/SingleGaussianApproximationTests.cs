using LatentModels.Distributions;
using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

/// <summary>
/// A bimodal mixture approximated by one Gaussian (Bishop Fig. 10.3): KL(q‖p) locks onto the mode the start leads to,
/// KL(p‖q) matches the mixture's moments; the divergences are checked against Simpson's rule on a fine x grid.
/// </summary>
public class SingleGaussianApproximationTests
{
    private static readonly UnivariateGaussianMixture _target = new([0.4, 0.6], [-4.0, 3.0], [0.5, 0.8]);

    private static double MixtureDensity(double x) =>
        (0.4 * Math.Exp(-(x + 4) * (x + 4) / (2 * 0.5)) / Math.Sqrt(2 * Math.PI * 0.5))
        + (0.6 * Math.Exp(-(x - 3) * (x - 3) / (2 * 0.8)) / Math.Sqrt(2 * Math.PI * 0.8));

    /// <summary>ln p(x) written out by hand: the log of the two weighted densities, shifted by the larger exponent.</summary>
    private static double LogMixtureDensity(double x)
    {
        double a = Math.Log(0.4 / Math.Sqrt(2 * Math.PI * 0.5)) - ((x + 4) * (x + 4) / (2 * 0.5));
        double b = Math.Log(0.6 / Math.Sqrt(2 * Math.PI * 0.8)) - ((x - 3) * (x - 3) / (2 * 0.8));
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>∫ f over [−80, 80] by composite Simpson with 640,000 intervals.</summary>
    private static double Simpson(Func<double, double> f)
    {
        const int N = 640_000;
        const double A = -80, B = 80;
        double h = (B - A) / N, sum = f(A) + f(B);
        for (int i = 1; i < N; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * f(A + (i * h));
        }

        return sum * h / 3;
    }

    private static double QuadratureReverseKl(UnivariateGaussian q) => Simpson(x =>
    {
        double qx = q.Density(x);
        return qx == 0 ? 0 : qx * (q.LogDensity(x) - LogMixtureDensity(x));
    });

    private static double QuadratureForwardKl(UnivariateGaussian q) => Simpson(x =>
    {
        double px = MixtureDensity(x);
        return px == 0 ? 0 : px * (LogMixtureDensity(x) - q.LogDensity(x));
    });

    private static void ShouldBeNonIncreasing(IReadOnlyList<double> trace)
    {
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeLessThanOrEqualTo(trace[t - 1], $"an accepted step may not raise KL(q‖p) (step {t})");
        }
    }

    [Theory]
    [InlineData(-5.0, 1.0, 0)]
    [InlineData(-3.0, 0.3, 0)]
    [InlineData(-2.0, 0.2, 0)]
    [InlineData(1.0, 2.0, 1)]
    [InlineData(3.5, 0.2, 1)]
    [InlineData(-1.0, 0.3, 1)] // between the modes, narrow: it widens, sees the heavier mode and goes there
    public void Reverse_kl_locks_onto_the_mode_the_start_leads_to(double startMean, double startSd, int mode)
    {
        SingleGaussianFit fit = SingleGaussianApproximation.MinimizeReverseKl(_target, startMean, startSd);
        fit.Converged.Should().BeTrue();
        ShouldBeNonIncreasing(fit.KlTrace);
        fit.KlTrace.Should().HaveCount(fit.Iterations + 1);
        double[] means = [-4.0, 3.0], variances = [0.5, 0.8], weights = [0.4, 0.6];
        // The other component pulls the optimum slightly off the mode (by 7·10⁻⁵ here, the tails overlap a little).
        fit.Approximation.Mean.Should().BeApproximately(means[mode], 2e-4);
        fit.Approximation.Variance.Should().BeApproximately(variances[mode], 1e-3 * variances[mode]);

        // Sitting on one well-separated component, KL(q‖p) ≈ −ln wₖ (a little below: q gains from p's other mass).
        fit.Kl.Should().BeApproximately(-Math.Log(weights[mode]), 1e-3);
        fit.Kl.Should().BeLessThan(-Math.Log(weights[mode]));
        fit.Kl.Should().BeApproximately(QuadratureReverseKl(fit.Approximation), 1e-9);

        // A stationary point: nearby Gaussians have a larger divergence.
        foreach ((double dm, double ds) in new[] { (0.01, 0.0), (-0.01, 0.0), (0.0, 0.01), (0.0, -0.01) })
        {
            var nearby = new UnivariateGaussian(fit.Approximation.Mean + dm, fit.Approximation.StandardDeviation + ds);
            SingleGaussianApproximation.ReverseKl(_target, nearby).Should().BeGreaterThan(fit.Kl);
        }
    }

    [Fact]
    public void A_wide_start_still_ends_on_a_single_mode()
    {
        SingleGaussianFit fit = SingleGaussianApproximation.MinimizeReverseKl(_target, 0.0, 6.0);
        fit.Converged.Should().BeTrue();
        ShouldBeNonIncreasing(fit.KlTrace);
        double distance = Math.Min(Math.Abs(fit.Approximation.Mean + 4), Math.Abs(fit.Approximation.Mean - 3));
        distance.Should().BeLessThan(2e-4);
        fit.Approximation.Variance.Should().BeLessThan(1.0, "it covers one mode, not both");
    }

    [Fact]
    public void Forward_kl_matches_the_mixtures_moments()
    {
        UnivariateGaussian q = SingleGaussianApproximation.MatchMoments(_target);

        // By hand: mean 0.4·(−4) + 0.6·3 = 0.2; E[x²] = 0.4·(0.5 + 16) + 0.6·(0.8 + 9) = 12.48, variance 12.44; and by
        // quadrature.
        q.Mean.Should().BeApproximately(0.2, 1e-15);
        q.Variance.Should().BeApproximately(12.44, 1e-13);
        Simpson(x => x * MixtureDensity(x)).Should().BeApproximately(q.Mean, 1e-10);
        Simpson(x => (x - 0.2) * (x - 0.2) * MixtureDensity(x)).Should().BeApproximately(q.Variance, 1e-10);

        double kl = SingleGaussianApproximation.ForwardKl(_target, q);
        kl.Should().BeApproximately(QuadratureForwardKl(q), 1e-9);

        // It is the minimiser of KL(p‖q): moving the mean or the width raises it.
        foreach ((double dm, double ds) in new[] { (0.05, 0.0), (-0.05, 0.0), (0.0, 0.05), (0.0, -0.05) })
        {
            var nearby = new UnivariateGaussian(q.Mean + dm, q.StandardDeviation + ds);
            SingleGaussianApproximation.ForwardKl(_target, nearby).Should().BeGreaterThan(kl);
        }

        // Each fit wins its own direction.
        UnivariateGaussian reverse = SingleGaussianApproximation.MinimizeReverseKl(_target, 3, 1).Approximation;
        SingleGaussianApproximation.ReverseKl(_target, reverse).Should().BeLessThan(SingleGaussianApproximation.ReverseKl(_target, q));
        SingleGaussianApproximation.ForwardKl(_target, q).Should().BeLessThan(SingleGaussianApproximation.ForwardKl(_target, reverse));
        SingleGaussianApproximation.ForwardKl(_target, reverse).Should().BeApproximately(QuadratureForwardKl(reverse), 1e-8);
    }

    [Fact]
    public void Quadrature_stays_accurate_for_a_very_wide_q()
    {
        var wide = new UnivariateGaussian(1.0, 4.0);
        SingleGaussianApproximation.ReverseKl(_target, wide).Should().BeApproximately(QuadratureReverseKl(wide), 1e-9);
        var narrow = new UnivariateGaussian(-0.5, 0.05);
        SingleGaussianApproximation.ReverseKl(_target, narrow).Should().BeApproximately(QuadratureReverseKl(narrow), 1e-8);
    }

    [Fact]
    public void A_single_component_target_is_recovered_exactly_in_both_directions()
    {
        var single = new UnivariateGaussianMixture([1.0], [1.5], [0.3]);
        SingleGaussianFit fit = SingleGaussianApproximation.MinimizeReverseKl(single, -2.0, 3.0);
        fit.Converged.Should().BeTrue();
        ShouldBeNonIncreasing(fit.KlTrace);
        fit.Approximation.Mean.Should().BeApproximately(1.5, 1e-7);
        fit.Approximation.Variance.Should().BeApproximately(0.3, 1e-7);
        fit.Kl.Should().BeApproximately(0, 1e-13);

        // A wrong Gaussian's divergences equal the closed form KL between two Gaussians (each direction).
        var q = new UnivariateGaussian(0.5, 0.8);
        var p = new UnivariateGaussian(1.5, Math.Sqrt(0.3));
        SingleGaussianApproximation.ReverseKl(single, q).Should().BeApproximately(q.KullbackLeibler(p), 1e-12);
        SingleGaussianApproximation.ForwardKl(single, q).Should().BeApproximately(p.KullbackLeibler(q), 1e-12);
        SingleGaussianApproximation.MatchMoments(single).Variance.Should().BeApproximately(0.3, 1e-15);
    }

    [Fact]
    public void Bad_mixtures_and_starts_are_rejected_naming_the_parameter()
    {
        double[] weights = [0.4, 0.6];
        Action sum = () => _ = new UnivariateGaussianMixture([0.4, 0.5], [0, 1], [1, 1]);
        sum.Should().Throw<ArgumentException>().Where(e => e.ParamName == "weights");
        Action negative = () => _ = new UnivariateGaussianMixture([1.2, -0.2], [0, 1], [1, 1]);
        negative.Should().Throw<ArgumentException>().Where(e => e.ParamName == "weights" && e.Message.Contains("weights[1]"));
        Action variance = () => _ = new UnivariateGaussianMixture(weights, [0, 1], [1, 0]);
        variance.Should().Throw<ArgumentException>().Where(e => e.ParamName == "variances" && e.Message.Contains("variances[1]"));
        Action lengths = () => _ = new UnivariateGaussianMixture(weights, [0, 1, 2], [1, 1]);
        lengths.Should().Throw<ArgumentException>().Where(e => e.ParamName == "means");
        Action mean = () => SingleGaussianApproximation.MinimizeReverseKl(_target, double.NaN, 1);
        mean.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "initialMean");
        Action sd = () => SingleGaussianApproximation.MinimizeReverseKl(_target, 0, 0);
        sd.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "initialStandardDeviation");
        Action tolerance = () => SingleGaussianApproximation.MinimizeReverseKl(_target, 0, 1, tolerance: 0);
        tolerance.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "tolerance");
        weights.Should().Equal([0.4, 0.6]);
        var target = new UnivariateGaussianMixture(weights, [0, 1], [1, 1]);
        weights[0] = 0.9;
        target.Weights[0].Should().Be(0.4, "the mixture holds a copy");
    }
}
