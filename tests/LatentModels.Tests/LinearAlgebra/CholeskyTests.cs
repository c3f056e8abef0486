using LatentModels.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class CholeskyTests
{
    /// <summary>A random SPD matrix MᵀM/n + 0.5·I, row-major, with its MathNet counterpart.</summary>
    private static (double[] A, Matrix<double> M) RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var g = Matrix<double>.Build.Dense(n, n, (_, _) => (rng.NextDouble() * 2) - 1);
        Matrix<double> spd = (g.TransposeThisAndMultiply(g) / n) + (0.5 * Matrix<double>.Build.DenseIdentity(n));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = spd[i, j];
            }
        }

        return (a, spd);
    }

    private static double[] RandomVector(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (rng.NextDouble() * 4) - 2;
        }

        return v;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(200)]
    public void Factor_matches_MathNet_and_reproduces_the_matrix(int n)
    {
        var (a, m) = RandomSpd(n, n);
        var l = (double[])a.Clone();
        Cholesky.TryFactor(l, n, out int pivot).Should().BeTrue();
        pivot.Should().Be(-1);

        Matrix<double> expected = m.Cholesky().Factor;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                l[(i * n) + j].Should().BeApproximately(expected[i, j], 1e-12 * Math.Sqrt(n), $"L[{i}, {j}]");
            }
        }

        Cholesky.LogDeterminant(l, n).Should().BeApproximately(m.Cholesky().DeterminantLn, 1e-10 * n);
    }

    [Fact]
    public void Only_the_lower_triangle_is_read()
    {
        var (a, _) = RandomSpd(6, 3);
        var l1 = (double[])a.Clone();
        var l2 = (double[])a.Clone();
        for (int i = 0; i < 6; i++)
        {
            for (int j = i + 1; j < 6; j++)
            {
                l2[(i * 6) + j] = double.NaN;
            }
        }

        Cholesky.TryFactor(l1, 6, out _).Should().BeTrue();
        Cholesky.TryFactor(l2, 6, out _).Should().BeTrue();
        l2.Should().Equal(l1);
    }

    [Fact]
    public void Non_positive_definite_matrices_report_the_failing_pivot()
    {
        // Identity with a negative fourth diagonal entry: pivots 0–2 succeed, pivot 3 fails.
        var a = new double[25];
        for (int i = 0; i < 5; i++)
        {
            a[(i * 5) + i] = 1;
        }

        a[(3 * 5) + 3] = -1;
        Cholesky.TryFactor(a, 5, out int pivot).Should().BeFalse();
        pivot.Should().Be(3);

        // Rank-one (singular, positive semi-definite): the second pivot is exactly 0.
        double[] singular = [1, 1, 1, 1];
        Cholesky.TryFactor(singular, 2, out pivot).Should().BeFalse();
        pivot.Should().Be(1);

        // Indefinite: [[1, 2], [2, 1]] has eigenvalues 3 and −1.
        double[] indefinite = [1, 2, 2, 1];
        Cholesky.TryFactor(indefinite, 2, out pivot).Should().BeFalse();
        pivot.Should().Be(1);

        double[] nan = [4, 0, 0, double.NaN];
        Cholesky.TryFactor(nan, 2, out pivot).Should().BeFalse();
        pivot.Should().Be(1);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(70)]
    public void Solves_match_MathNet(int n)
    {
        var (a, m) = RandomSpd(n, 100 + n);
        var l = (double[])a.Clone();
        Cholesky.TryFactor(l, n, out _).Should().BeTrue();
        Matrix<double> lm = m.Cholesky().Factor;
        double[] rhs = RandomVector(n, 7);

        var x = (double[])rhs.Clone();
        Cholesky.Solve(l, n, x);
        Vector<double> expected = m.Cholesky().Solve(Vector<double>.Build.DenseOfArray(rhs));
        for (int i = 0; i < n; i++)
        {
            x[i].Should().BeApproximately(expected[i], 1e-11);
        }

        var y = (double[])rhs.Clone();
        Cholesky.SolveLower(l, n, y);
        Vector<double> yExpected = lm.Solve(Vector<double>.Build.DenseOfArray(rhs));
        var z = (double[])rhs.Clone();
        Cholesky.SolveLowerTranspose(l, n, z);
        Vector<double> zExpected = lm.Transpose().Solve(Vector<double>.Build.DenseOfArray(rhs));
        for (int i = 0; i < n; i++)
        {
            y[i].Should().BeApproximately(yExpected[i], 1e-11);
            z[i].Should().BeApproximately(zExpected[i], 1e-11);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(16, 37)]
    [InlineData(33, 600)]
    public void Multi_rhs_solves_match_single_solves(int n, int rows)
    {
        var (a, _) = RandomSpd(n, n + rows);
        Cholesky.TryFactor(a, n, out _).Should().BeTrue();
        double[] b = RandomVector(n * rows, 9);

        var forward = (double[])b.Clone();
        Cholesky.SolveLowerRows(a, n, forward, rows);
        var back = (double[])b.Clone();
        Cholesky.SolveLowerTransposeRows(a, n, back, rows);
        for (int r = 0; r < rows; r++)
        {
            var f = b.AsSpan(r * n, n).ToArray();
            Cholesky.SolveLower(a, n, f);
            var t = b.AsSpan(r * n, n).ToArray();
            Cholesky.SolveLowerTranspose(a, n, t);
            for (int i = 0; i < n; i++)
            {
                forward[(r * n) + i].Should().BeApproximately(f[i], 1e-12 * (1 + Math.Abs(f[i])), $"row {r}, entry {i}");
                back[(r * n) + i].Should().BeApproximately(t[i], 1e-12 * (1 + Math.Abs(t[i])), $"row {r}, entry {i}");
            }
        }
    }

    [Fact]
    public void Multi_rhs_solves_are_bitwise_identical_for_one_and_two_threads_and_any_row_position()
    {
        int n = 12, rows = 5000;
        var (a, _) = RandomSpd(n, 1);
        Cholesky.TryFactor(a, n, out _).Should().BeTrue();
        double[] b = RandomVector(n * rows, 2);
        double[] b1 = (double[])b.Clone(), b2 = (double[])b.Clone();
        Cholesky.SolveLowerRows(a, n, b1, rows, maxDegreeOfParallelism: 1);
        Cholesky.SolveLowerRows(a, n, b2, rows, maxDegreeOfParallelism: 2);
        b2.Should().Equal(b1);

        // Solving one row alone gives the same bits as solving it inside a large batch.
        var single = b.AsSpan(4321 * n, n).ToArray();
        Cholesky.SolveLowerRows(a, n, single, 1);
        single.Should().Equal(b1.AsSpan(4321 * n, n).ToArray());
    }

    [Fact]
    public void Short_buffers_are_rejected()
    {
        var act = () => Cholesky.TryFactor(new double[3], 2, out _);
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("a");
        var rhs = () => Cholesky.SolveLowerRows(new double[4], 2, new double[3], 2);
        rhs.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("b");
    }
}
