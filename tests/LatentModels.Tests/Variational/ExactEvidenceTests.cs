using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LatentModels.Tests.Variational;

/// <summary>
/// The exact-evidence reference of the coming VB-GMM tests, checked by routes it does not use: the chain rule of
/// posterior-predictive Student-t densities with Pólya-urn weights (one point at a time), and numeric integration in 1-D.
/// </summary>
public class ExactEvidenceTests
{
    private static readonly ExactEvidence.Prior _prior2 = new(0.7, [0.5, -0.2], 0.8, new double[,] { { 0.9, 0.2 }, { 0.2, 0.6 } }, 3.5);

    private static double[,] Data(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (i % 2 == 0 ? -1.5 : 1.5) + (random.NextDouble() * 2) - 1;
            }
        }

        return x;
    }

    /// <summary>
    /// ln p(X) by the chain rule p(X) = Πₙ p(xₙ | x₁…xₙ₋₁): the assignments of the earlier points are carried as a tree of
    /// prefixes; a point joins component k with the Pólya-urn probability (Nₖ + α₀)/(n + Kα₀) and has the component's
    /// posterior-predictive Student-t density St(x | m, ((ν+1−d)β/(1+β))·W, ν+1−d) (Bishop eqs. 10.81–10.82); the
    /// component's posterior is then updated by one point (rank-one update of W⁻¹).
    /// </summary>
    private static double ChainRuleLogEvidence(double[,] x, int k, ExactEvidence.Prior prior)
    {
        int n = x.GetLength(0), d = prior.Dimension;
        var start = new State(prior.Beta0, Vector<double>.Build.DenseOfArray(prior.Mean0), prior.Nu0,
            Matrix<double>.Build.DenseOfArray(prior.Scale0).Inverse());
        var leaves = new List<double>();

        void Recurse(int i, State[] states, int[] counts, double logWeight)
        {
            if (i == n)
            {
                leaves.Add(logWeight);
                return;
            }

            Vector<double> point = Vector<double>.Build.Dense(d, j => x[i, j]);
            for (int c = 0; c < k; c++)
            {
                State s = states[c];
                double dof = s.Nu + 1 - d;
                double factor = dof * s.Beta / (1 + s.Beta);
                Vector<double> offset = point - s.Mean;
                double mahalanobis = factor * offset.DotProduct(s.ScaleInverse.Solve(offset)); // W = (W⁻¹)⁻¹
                double logDetPrecision = (d * Math.Log(factor)) - Math.Log(s.ScaleInverse.Determinant());
                double logT = SpecialFunctions.GammaLn(0.5 * (dof + d)) - SpecialFunctions.GammaLn(0.5 * dof)
                    + (0.5 * logDetPrecision) - (0.5 * d * Math.Log(Math.PI * dof)) - (0.5 * (dof + d) * Math.Log(1 + (mahalanobis / dof)));
                double logUrn = Math.Log((counts[c] + prior.Alpha0) / (i + (k * prior.Alpha0)));

                var next = (State[])states.Clone();
                next[c] = new State(s.Beta + 1, ((s.Beta * s.Mean) + point) / (s.Beta + 1), s.Nu + 1,
                    s.ScaleInverse + ((s.Beta / (s.Beta + 1)) * offset.OuterProduct(offset)));
                var nextCounts = (int[])counts.Clone();
                nextCounts[c]++;
                Recurse(i + 1, next, nextCounts, logWeight + logUrn + logT);
            }
        }

        Recurse(0, Enumerable.Repeat(start, k).ToArray(), new int[k], 0);
        return ExactEvidence.LogSumExp(leaves);
    }

    private sealed record State(double Beta, Vector<double> Mean, double Nu, Matrix<double> ScaleInverse);

    [Fact]
    public void One_component_equals_the_chain_rule_of_student_t_predictives()
    {
        double[,] x = Data(8, 2, seed: 3);
        double exact = ExactEvidence.LogEvidence(x, 1, _prior2);
        exact.Should().BeApproximately(ChainRuleLogEvidence(x, 1, _prior2), 1e-10);
        exact.Should().BeApproximately(ExactEvidence.LogMarginalLikelihood(x, Enumerable.Range(0, 8).ToArray(), _prior2), 1e-12);
    }

    [Theory]
    [InlineData(2, 8, 2)]
    [InlineData(3, 6, 2)]
    [InlineData(2, 7, 3)]
    public void Several_components_equal_the_chain_rule_with_polya_urn_weights(int k, int n, int d)
    {
        ExactEvidence.Prior prior = d == 2 ? _prior2 : new(1.3, [0, 0.1, -0.3], 1.5, new double[,] { { 1, 0.1, 0 }, { 0.1, 0.5, 0.2 }, { 0, 0.2, 2 } }, 4);
        double[,] x = Data(n, d, seed: 11 + k);
        ExactEvidence.LogEvidence(x, k, prior).Should().BeApproximately(ChainRuleLogEvidence(x, k, prior), 1e-9);
    }

    [Fact]
    public void Ten_points_and_two_components_are_fast_finite_and_order_free()
    {
        double[,] x = Data(10, 2, seed: 5);
        double forward = ExactEvidence.LogEvidence(x, 2, _prior2);
        double.IsFinite(forward).Should().BeTrue();
        var reversed = new double[10, 2];
        for (int i = 0; i < 10; i++)
        {
            reversed[i, 0] = x[9 - i, 0];
            reversed[i, 1] = x[9 - i, 1];
        }

        ExactEvidence.LogEvidence(reversed, 2, _prior2).Should().BeApproximately(forward, 1e-10, "the evidence does not depend on the order of the rows");

        // On two well-separated clusters the two-component model explains the data better than one.
        forward.Should().BeGreaterThan(ExactEvidence.LogEvidence(x, 1, _prior2));
    }

    [Fact]
    public void One_dimension_one_component_equals_numeric_integration_over_mean_and_precision()
    {
        double[] data = [0.3, 1.7, 1.1, -0.4, 2.2, 0.9];
        var x = new double[data.Length, 1];
        for (int i = 0; i < data.Length; i++)
        {
            x[i, 0] = data[i];
        }

        const double M0 = 0.2, Beta0 = 0.5, W0 = 1.5, Nu0 = 2.5;
        var prior = new ExactEvidence.Prior(1, [M0], Beta0, new double[,] { { W0 } }, Nu0);

        // p(X) = ∫∫ Πᵢ 𝒩(xᵢ | μ, 1/λ) · 𝒩(μ | m₀, 1/(β₀λ)) · Gamma(λ | ν₀/2, rate 1/(2W₀)) dμ dλ, with t = ln λ, by the
        // trapezoidal rule on a fine grid, accumulated in log space.
        double a = 0.5 * Nu0, b = 1 / (2 * W0);
        double logGammaNorm = (a * Math.Log(b)) - SpecialFunctions.GammaLn(a);
        const double H = 0.01;
        var logTerms = new List<double>();
        for (double t = -10; t <= 6; t += H)
        {
            double lambda = Math.Exp(t);
            var row = new List<double>();
            for (double mu = -12; mu <= 12; mu += H)
            {
                double s = 0;
                foreach (double xi in data)
                {
                    s += (0.5 * t) - (0.5 * Math.Log(2 * Math.PI)) - (0.5 * lambda * (xi - mu) * (xi - mu));
                }

                s += (0.5 * Math.Log(Beta0 * lambda)) - (0.5 * Math.Log(2 * Math.PI)) - (0.5 * Beta0 * lambda * (mu - M0) * (mu - M0));
                s += logGammaNorm + ((a - 1) * t) - (b * lambda) + t; // the last t is the Jacobian dλ = λ dt
                row.Add(s);
            }

            logTerms.Add(ExactEvidence.LogSumExp(row));
        }

        double numeric = ExactEvidence.LogSumExp(logTerms) + (2 * Math.Log(H));
        ExactEvidence.LogEvidence(x, 1, prior).Should().BeApproximately(numeric, 1e-8);
    }

    [Fact]
    public void Dirichlet_multinomial_and_multivariate_gamma_match_small_hand_cases()
    {
        // Symmetric Dirichlet(1) on K = 2: a sequence of N points with counts (a, b) has probability a!·b!/(N+1)!.
        ExactEvidence.LogDirichletMultinomial([2, 1], 1).Should().BeApproximately(Math.Log(2.0 / 24), 1e-14);
        ExactEvidence.LogDirichletMultinomial([0, 3], 1).Should().BeApproximately(Math.Log(6.0 / 24), 1e-14);

        // Γ₂(a) = π^{1/2} Γ(a) Γ(a − ½).
        ExactEvidence.LogMultivariateGamma(2.5, 2).Should().BeApproximately(
            (0.5 * Math.Log(Math.PI)) + SpecialFunctions.GammaLn(2.5) + SpecialFunctions.GammaLn(2.0), 1e-14);
    }
}
