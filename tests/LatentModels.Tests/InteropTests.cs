using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Mixtures;
using MathNet.Numerics.LinearAlgebra;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests;

public class InteropTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    private static double[][] Jagged(double[,] x) =>
        Enumerable.Range(0, x.GetLength(0)).Select(i => Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j]).ToArray()).ToArray();

    private static double[,] Awkward(int n, int d)
    {
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (i * 1000) + j + (0.001 * ((i * 7) + (j * 13)) % 1);
            }
        }

        return x;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(33, 65)]
    [InlineData(257, 17)]
    [InlineData(64, 64)]
    public void Dense_matrix_round_trips_through_one_blocked_transpose(int n, int d)
    {
        double[,] x = Awkward(n, d);
        Matrix<double> m = x.ToMathNet();
        m.RowCount.Should().Be(n);
        m.ColumnCount.Should().Be(d);
        for (int i = 0; i < n; i += Math.Max(1, n / 5))
        {
            for (int j = 0; j < d; j += Math.Max(1, d / 5))
            {
                m[i, j].Should().Be(x[i, j]);
            }
        }

        Bits(m.ToMatrix()).Should().Equal(Bits(x));
        Bits(m.ToMatrix()).Should().Equal(Bits(m.ToArray()), "the same values as MathNet's own (unblocked) conversion");
    }

    [Fact]
    public void Converting_a_dense_matrix_allocates_the_result_and_nothing_more()
    {
        Matrix<double> m = Awkward(500, 20).ToMathNet();
        _ = m.ToMatrix(); // JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        double[,] x = m.ToMatrix();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().BeInRange(500 * 20 * 8, (500 * 20 * 8) + 256, "one copy: the n × d result and its array header");
        x[499, 19].Should().Be(m[499, 19]);
    }

    [Fact]
    public void Sparse_and_diagonal_matrices_are_expanded()
    {
        var sparse = Matrix<double>.Build.Sparse(4, 3);
        sparse[1, 2] = 5;
        sparse[3, 0] = -1;
        sparse.ToMatrix().Should().BeEquivalentTo(new double[,] { { 0, 0, 0 }, { 0, 0, 5 }, { 0, 0, 0 }, { -1, 0, 0 } });
        Matrix<double>.Build.DiagonalIdentity(2).ToMatrix().Should().BeEquivalentTo(new double[,] { { 1, 0 }, { 0, 1 } });
    }

    public static TheoryData<string> Layouts => ["jagged", "mathnet"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Estimators_fit_jagged_and_mathnet_data_to_the_same_bits(string layout)
    {
        double[][] jagged = Jagged(_data);
        Matrix<double> matrix = _data.ToMathNet();
        double[] weights = Enumerable.Range(0, _data.GetLength(0)).Select(i => 1.0 + (i % 3)).ToArray();
        var gmm = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 4 });
        var kmeans = new KMeans(new KMeansOptions { Clusters = 3, Seed = 4 });

        GaussianMixtureModel expected = gmm.Fit(_data).Model;
        GaussianMixtureModel actual = layout == "jagged" ? gmm.Fit(jagged).Model : gmm.Fit(matrix).Model;
        Bits(actual.Means).Should().Equal(Bits(expected.Means));
        Bits(actual.CovarianceParameters).Should().Equal(Bits(expected.CovarianceParameters));

        GaussianMixtureModel weighted = layout == "jagged" ? gmm.Fit(jagged, weights).Model : gmm.Fit(matrix, weights).Model;
        Bits(weighted.Means).Should().Equal(Bits(gmm.Fit(_data, weights).Model.Means));

        KMeansModel centers = layout == "jagged" ? kmeans.Fit(jagged).Model : kmeans.Fit(matrix).Model;
        Bits(centers.Centers).Should().Equal(Bits(kmeans.Fit(_data).Model.Centers));

        // Models: densities, scores, hard and soft assignments.
        double[] logDensity = layout == "jagged" ? expected.LogDensity(jagged) : expected.LogDensity(matrix);
        var reference = new double[_data.GetLength(0)];
        expected.LogDensity(_data, reference);
        Bits(logDensity).Should().Equal(Bits(reference));
        Bits(layout == "jagged" ? expected.Score(jagged) : expected.Score(matrix)).Should().Be(Bits(expected.Score(_data)));
        (layout == "jagged" ? expected.Predict(jagged) : expected.Predict(matrix)).Should().Equal(expected.Predict(_data));
        (layout == "jagged" ? centers.Predict(jagged) : centers.Predict(matrix)).Should().Equal(centers.Predict(_data));
        Bits(layout == "jagged" ? expected.PredictProbabilities(jagged) : expected.PredictProbabilities(matrix))
            .Should().Equal(Bits(expected.PredictProbabilities(_data)));
        Bits(expected.LogDensity(matrix.Row(7))).Should().Be(Bits(expected.LogDensity(jagged[7])));

        // Online estimators: the same stream in another layout ends with the same centers.
        var a = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3 });
        var b = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3 });
        a.Update(_data);
        a.Update(jagged[0]);
        if (layout == "jagged")
        {
            b.Update(jagged);
        }
        else
        {
            b.Update(matrix);
        }

        b.Update(matrix.Row(0));
        Bits(b.Snapshot().Centers).Should().Equal(Bits(a.Snapshot().Centers));
    }

    [Fact]
    public void Callers_data_is_not_modified_and_bad_rows_are_named()
    {
        double[][] jagged = Jagged(_data);
        double[][] copy = jagged.Select(r => (double[])r.Clone()).ToArray();
        Matrix<double> matrix = _data.ToMathNet();
        Matrix<double> matrixCopy = matrix.Clone();
        new GaussianMixture(new GaussianMixtureOptions { Components = 2 }).Fit(jagged);
        new GaussianMixture(new GaussianMixtureOptions { Components = 2 }).Fit(matrix);
        jagged.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering());
        matrix.Equals(matrixCopy).Should().BeTrue("the MathNet matrix is unchanged");

        jagged[5] = [1.0];
        Action ragged = () => new KMeans(2).Fit(jagged);
        ragged.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("Row 5 has 1 values but row 0 has 2*");
        jagged[5] = null!;
        Action nullRow = () => new UnivariateGaussian(0, 1).Score(jagged);
        nullRow.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("Row 5 is null*");
        Action nullMatrix = () => new KMeans(2).Fit((Matrix<double>)null!);
        nullMatrix.Should().Throw<ArgumentNullException>().WithParameterName("data");
        Action nan = () => new KMeans(2).Fit(Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, double.NaN }, { 2, 3 } }));
        nan.Should().Throw<ArgumentException>().WithMessage("*row 0*column 1*");
    }
}
