using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

/// <summary>The sparse coders' kernel ops against naive loops, at every width and awkward sizes.</summary>
public class SparseKernelsTests
{
    public static TheoryData<int, int> WidthsAndSizes() => KernelWidthTests.WidthsAndSizes();

    private static double[] Values(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Max_and_max_abs_match_the_naive_loops(int width, int n)
    {
        double[] x = Values(n, n);
        (double maxAbs, double max) = width switch
        {
            128 => (SparseKernels.MaxAbs<Vector128<double>, Simd128<double>>(x), SparseKernels.Max<Vector128<double>, Simd128<double>>(x)),
            256 => (SparseKernels.MaxAbs<Vector256<double>, Simd256<double>>(x), SparseKernels.Max<Vector256<double>, Simd256<double>>(x)),
            _ => (SparseKernels.MaxAbs<Vector512<double>, Simd512<double>>(x), SparseKernels.Max<Vector512<double>, Simd512<double>>(x)),
        };
        maxAbs.Should().Be(x.Max(Math.Abs));
        max.Should().Be(x.Max());
        SparseKernels.MaxAbs([]).Should().Be(0);
        SparseKernels.Max([]).Should().Be(double.NegativeInfinity);
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void The_proximal_gradient_step_matches_the_naive_loop_bit_for_bit(int width, int n)
    {
        foreach (bool positive in new[] { false, true })
        {
            double[] y = Values(n, n + 1), g = Values(n, n + 2), z = Values(n, n + 3);
            double[] yExpected = (double[])y.Clone(), zExpected = (double[])z.Clone();
            for (int i = 0; i < n; i++)
            {
                double v = yExpected[i] - 0.3 * g[i];
                double zn = positive ? Math.Max(v - 0.25, 0) : Math.Sign(v) * Math.Max(Math.Abs(v) - 0.25, 0);
                yExpected[i] = zn + 0.7 * (zn - zExpected[i]);
                zExpected[i] = zn;
            }

            switch (width)
            {
                case 128:
                    SparseKernels.ProximalGradientStep<Vector128<double>, Simd128<double>>(y, g, z, 0.3, 0.25, 0.7, positive);
                    break;
                case 256:
                    SparseKernels.ProximalGradientStep<Vector256<double>, Simd256<double>>(y, g, z, 0.3, 0.25, 0.7, positive);
                    break;
                default:
                    SparseKernels.ProximalGradientStep<Vector512<double>, Simd512<double>>(y, g, z, 0.3, 0.25, 0.7, positive);
                    break;
            }

            z.Should().Equal(zExpected);
            y.Should().Equal(yExpected);
        }
    }

    [Fact]
    public void The_growing_cholesky_factor_matches_a_fresh_factorisation_after_appends_and_removals()
    {
        const int Stride = 12, Dim = 20;
        var random = new Random(3);
        double[][] atoms = Enumerable.Range(0, Stride).Select(_ => Values(Dim, random.Next())).ToArray();
        double Gram(int a, int b) => atoms[a].Zip(atoms[b], (u, v) => u * v).Sum();
        var factor = new double[Stride * Stride];
        var active = new List<int>();
        void Append(int atom)
        {
            double[] column = active.Select(a => Gram(a, atom)).ToArray();
            GrowingCholesky.TryAppend(factor, Stride, active.Count, column, Gram(atom, atom), 1e-12).Should().BeTrue();
            active.Add(atom);
        }

        foreach (int atom in new[] { 3, 7, 1, 10, 4, 0, 8 })
        {
            Append(atom);
        }

        foreach (int index in new[] { 2, 0, 4 })
        {
            GrowingCholesky.Remove(factor, Stride, active.Count, index);
            active.RemoveAt(index);
        }

        Append(5);
        int n = active.Count;
        var fresh = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                fresh[r * n + c] = Gram(active[r], active[c]);
            }
        }

        Cholesky.TryFactor(fresh, n, out _).Should().BeTrue();
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c <= r; c++)
            {
                factor[r * Stride + c].Should().BeApproximately(fresh[r * n + c], 1e-12, $"L[{r}, {c}]");
            }
        }

        double[] b = Values(n, 9), w = (double[])b.Clone();
        GrowingCholesky.Solve(factor, Stride, n, w);
        for (int r = 0; r < n; r++)
        {
            Enumerable.Range(0, n).Sum(c => Gram(active[r], active[c]) * w[c]).Should().BeApproximately(b[r], 1e-10);
        }

        // A dependent column (a copy of an active atom) is refused.
        double[] copy = active.Select(a => Gram(a, active[0])).ToArray();
        GrowingCholesky.TryAppend(factor, Stride, n, copy, Gram(active[0], active[0]), 1e-10).Should().BeFalse();
    }
}
