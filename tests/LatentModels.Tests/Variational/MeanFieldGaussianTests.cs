using LatentModels.Variational;

namespace LatentModels.Tests.Variational;

/// <summary>
/// The factorised approximation of a correlated Gaussian (Bishop §10.1.2): coordinate ascent on KL(q‖p) against the closed
/// forms (means μ, variances 1/Λᵢᵢ), the KL(p‖q) solution against the marginal variances of a hand-inverted 2 × 2
/// precision and of MathNet's inverse, and both divergences against 2-D quadrature.
/// </summary>
public class MeanFieldGaussianTests
{
    private static readonly double[] _mu = [1.0, -2.0];
    private static readonly double[,] _lambda = { { 2.0, 1.2 }, { 1.2, 1.0 } };

    private static void ShouldBeNonIncreasing(IReadOnlyList<double> trace)
    {
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeLessThanOrEqualTo(trace[t - 1] + (1e-15 * Math.Abs(trace[t - 1])), $"KL(q‖p) may not increase at sweep {t}");
        }
    }

    [Fact]
    public void Coordinate_ascent_converges_to_the_mean_with_the_conditional_variances()
    {
        double[] start = [-3.0, 4.0];
        MeanFieldGaussianFit fit = MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, start, tolerance: 1e-15);
        fit.Converged.Should().BeTrue();
        fit.Approximation.Means[0].Should().BeApproximately(1.0, 1e-12);
        fit.Approximation.Means[1].Should().BeApproximately(-2.0, 1e-12);
        fit.Approximation.Variances[0].Should().Be(0.5);
        fit.Approximation.Variances[1].Should().Be(1.0);
        ShouldBeNonIncreasing(fit.KlTrace);
        fit.KlTrace.Count.Should().Be(fit.Iterations + 1);
        fit.KlTrace[0].Should().BeGreaterThan(fit.Kl + 1, "the start is far from the optimum");

        // At the optimum KL(q‖p) = ½(ln Λ₁₁ + ln Λ₂₂ − ln|Λ|), with |Λ| = 2·1 − 1.2² = 0.56 by hand.
        fit.Kl.Should().BeApproximately(0.5 * (Math.Log(2.0) - Math.Log(0.56)), 1e-14);

        // The start's divergence by the general formula: ½[Σ Λᵢᵢsᵢ + δᵀΛδ − 2 − Σ ln sᵢ − ln|Λ|] with δ = start − μ.
        double d0 = -4.0, d1 = 6.0;
        double quad = (2.0 * d0 * d0) + (2 * 1.2 * d0 * d1) + (1.0 * d1 * d1);
        fit.KlTrace[0].Should().BeApproximately(0.5 * (1 + 1 + quad - 2 - Math.Log(0.5) - Math.Log(1.0) - Math.Log(0.56)), 1e-12);
        start.Should().Equal([-3.0, 4.0], "the caller's start is not modified");
    }

    [Fact]
    public void Moment_matching_gives_the_marginal_variances_of_a_hand_inverted_precision()
    {
        FactorizedGaussian q = MeanFieldGaussian.MatchMoments(_mu, _lambda);
        double det = (2.0 * 1.0) - (1.2 * 1.2);
        q.Means.Should().Equal(_mu);
        q.Variances[0].Should().BeApproximately(1.0 / det, 1e-14);
        q.Variances[1].Should().BeApproximately(2.0 / det, 1e-14);

        // The KL(p‖q) solution is broader than the KL(q‖p) one in every coordinate (Σᵢᵢ ≥ 1/Λᵢᵢ).
        q.Variances[0].Should().BeGreaterThan(0.5);
        q.Variances[1].Should().BeGreaterThan(1.0);
    }

    [Fact]
    public void Both_divergences_agree_with_two_dimensional_quadrature_and_each_solution_wins_its_own_direction()
    {
        FactorizedGaussian reverse = MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, tolerance: 1e-15).Approximation;
        FactorizedGaussian forward = MeanFieldGaussian.MatchMoments(_mu, _lambda);
        foreach (FactorizedGaussian q in new[] { reverse, forward, new FactorizedGaussian([0.5, -1.0], [0.7, 2.5]) })
        {
            (double qp, double pq) = QuadratureKl(q);
            MeanFieldGaussian.ReverseKl(_mu, _lambda, q).Should().BeApproximately(qp, 1e-9);
            MeanFieldGaussian.ForwardKl(_mu, _lambda, q).Should().BeApproximately(pq, 1e-9);
        }

        MeanFieldGaussian.ReverseKl(_mu, _lambda, reverse).Should().BeLessThan(MeanFieldGaussian.ReverseKl(_mu, _lambda, forward));
        MeanFieldGaussian.ForwardKl(_mu, _lambda, forward).Should().BeLessThan(MeanFieldGaussian.ForwardKl(_mu, _lambda, reverse));

        // Closed form of the KL(p‖q) optimum: ½(ln Σ₁₁ + ln Σ₂₂ + ln|Λ|).
        MeanFieldGaussian.ForwardKl(_mu, _lambda, forward).Should().BeApproximately(
            0.5 * (Math.Log(forward.Variances[0]) + Math.Log(forward.Variances[1]) + Math.Log(0.56)), 1e-14);
    }

    /// <summary>KL(q‖p) and KL(p‖q) by the trapezoidal rule on a 2-D grid (p's density written out with the hand inverse).</summary>
    private static (double QP, double PQ) QuadratureKl(FactorizedGaussian q)
    {
        double det = 0.56;
        double LogP(double x, double y)
        {
            double a = x - _mu[0], b = y - _mu[1];
            return (-Math.Log(2 * Math.PI)) + (0.5 * Math.Log(det)) - (0.5 * ((2.0 * a * a) + (2 * 1.2 * a * b) + (b * b)));
        }

        double LogQ(double x, double y) =>
            (-Math.Log(2 * Math.PI)) - (0.5 * Math.Log(q.Variances[0] * q.Variances[1]))
            - (0.5 * (((x - q.Means[0]) * (x - q.Means[0]) / q.Variances[0]) + ((y - q.Means[1]) * (y - q.Means[1]) / q.Variances[1])));

        const double H = 0.02;
        double qp = 0, pq = 0;
        for (double x = -14; x <= 16; x += H)
        {
            for (double y = -20; y <= 16; y += H)
            {
                double lp = LogP(x, y), lq = LogQ(x, y);
                qp += Math.Exp(lq) * (lq - lp);
                pq += Math.Exp(lp) * (lp - lq);
            }
        }

        return (qp * H * H, pq * H * H);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(8, 3)]
    public void Larger_targets_converge_exactly_and_match_an_independent_inverse(int d, int seed)
    {
        var random = new Random(seed);
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d, (_, _) => random.NextDouble() - 0.5);
        var lambda = (a * a.Transpose()) + MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(d) * 0.3;
        double[,] precision = lambda.ToArray();
        double[] mu = [.. Enumerable.Range(0, d).Select(_ => (random.NextDouble() * 10) - 5)];
        double[,] copy = (double[,])precision.Clone();

        MeanFieldGaussianFit fit = MeanFieldGaussian.MinimizeReverseKl(mu, precision, tolerance: 1e-15, maxIterations: 200_000);
        fit.Converged.Should().BeTrue();
        ShouldBeNonIncreasing(fit.KlTrace);
        for (int i = 0; i < d; i++)
        {
            fit.Approximation.Means[i].Should().BeApproximately(mu[i], 1e-12);
            fit.Approximation.Variances[i].Should().Be(1 / precision[i, i]);
        }

        double[,] sigma = lambda.Inverse().ToArray();
        FactorizedGaussian forward = MeanFieldGaussian.MatchMoments(mu, precision);
        for (int i = 0; i < d; i++)
        {
            forward.Variances[i].Should().BeApproximately(sigma[i, i], 1e-10 * sigma[i, i]);
            forward.Variances[i].Should().BeGreaterThanOrEqualTo(fit.Approximation.Variances[i] * (1 - 1e-12));
        }

        // The optimum of KL(q‖p): ½(Σ ln Λᵢᵢ − ln|Λ|).
        double expected = 0.5 * (Enumerable.Range(0, d).Sum(i => Math.Log(precision[i, i])) - Math.Log(lambda.Determinant()));
        fit.Kl.Should().BeApproximately(expected, 1e-10 * Math.Max(1, expected));
        precision.Should().BeEquivalentTo(copy, "the caller's matrix is not modified");
    }

    [Fact]
    public void A_one_dimensional_target_is_recovered_in_one_sweep_with_zero_divergence()
    {
        MeanFieldGaussianFit fit = MeanFieldGaussian.MinimizeReverseKl([3.0], new double[,] { { 4.0 } });
        fit.KlTrace[1].Should().Be(0, "the first sweep lands on μ");
        fit.Iterations.Should().Be(2, "the second sweep sees no change and stops");
        fit.Converged.Should().BeTrue();
        fit.Approximation.Means[0].Should().Be(3.0);
        fit.Approximation.Variances[0].Should().Be(0.25);
        fit.Kl.Should().Be(0);
        MeanFieldGaussian.MatchMoments([3.0], new double[,] { { 4.0 } }).Variances[0].Should().BeApproximately(0.25, 1e-16);
    }

    [Fact]
    public void Sweeps_stop_at_the_iteration_cap_without_claiming_convergence()
    {
        MeanFieldGaussianFit fit = MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, maxIterations: 3, tolerance: 0);
        fit.Iterations.Should().Be(3);
        fit.Converged.Should().BeFalse();
        fit.KlTrace.Should().HaveCount(4);
        MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, maxIterations: 0).KlTrace.Should().HaveCount(1);
    }

    [Fact]
    public void Bad_targets_and_options_are_rejected_naming_the_parameter()
    {
        Action nonSymmetric = () => MeanFieldGaussian.MinimizeReverseKl(_mu, new double[,] { { 2, 1 }, { 0.5, 1 } });
        nonSymmetric.Should().Throw<ArgumentException>().Where(e => e.ParamName == "precision" && e.Message.Contains("[1, 0]"));
        Action indefinite = () => MeanFieldGaussian.MatchMoments(_mu, new double[,] { { 1, 2 }, { 2, 1 } });
        indefinite.Should().Throw<ArgumentException>().Where(e => e.ParamName == "precision" && e.Message.Contains("pivot 1"));
        Action shape = () => MeanFieldGaussian.MatchMoments([1, 2, 3], _lambda);
        shape.Should().Throw<ArgumentException>().Where(e => e.ParamName == "precision");
        Action nan = () => MeanFieldGaussian.MinimizeReverseKl([1, double.NaN], _lambda);
        nan.Should().Throw<ArgumentException>().Where(e => e.ParamName == "mean" && e.Message.Contains("mean[1]"));
        Action infinite = () => MeanFieldGaussian.MinimizeReverseKl(_mu, new double[,] { { 2, 1 }, { 1, double.PositiveInfinity } });
        infinite.Should().Throw<ArgumentException>().Where(e => e.ParamName == "precision" && e.Message.Contains("row 1, column 1"));
        Action start = () => MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, [1.0]);
        start.Should().Throw<ArgumentException>().Where(e => e.ParamName == "initialMeans");
        Action tolerance = () => MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, tolerance: -1);
        tolerance.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "tolerance");
        Action iterations = () => MeanFieldGaussian.MinimizeReverseKl(_mu, _lambda, maxIterations: -1);
        iterations.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "maxIterations");
        Action dimension = () => MeanFieldGaussian.ReverseKl(_mu, _lambda, new FactorizedGaussian([0.0], [1.0]));
        dimension.Should().Throw<ArgumentException>().Where(e => e.ParamName == "q");
        Action variance = () => _ = new FactorizedGaussian([0.0, 1.0], [1.0, 0.0]);
        variance.Should().Throw<ArgumentException>().Where(e => e.ParamName == "variances" && e.Message.Contains("variances[1]"));
    }
}
