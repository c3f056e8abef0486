using LatentModels.Persistence;
using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.BinarySparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary>
/// <see cref="BinarySparseCodingStatistics"/> as mergeable statistics: partitions merged in order equal one pass, the
/// sums equal naive sums of the posterior means, and the M-step solves its closed-form equations.
/// </summary>
public class BinarySparseCodingStatisticsTests
{
    private const int Side = 3;

    /// <summary>A model near the bars (atoms scaled by 0.9, some prior logits off), so one EM step moves it.</summary>
    internal static BinarySparseCodingModel Model()
    {
        double[,] atoms = Bars(Side);
        int h = atoms.GetLength(0), d = atoms.GetLength(1);
        for (int i = 0; i < h; i++)
        {
            for (int k = 0; k < d; k++)
            {
                atoms[i, k] = 0.9 * atoms[i, k] + 0.01 * ((i + k) % 3);
            }
        }

        return new BinarySparseCodingModel(atoms, Enumerable.Range(0, h).Select(i => -1.0 - 0.1 * i).ToArray(), Enumerable.Repeat(0.05, d).ToArray());
    }

    internal static double[,] Rows(int n = 200) => BarsImages(n, Side, 0.3, 0.2, 7);

    private static double[,] Slice(double[,] x, int first, int count)
    {
        int d = x.GetLength(1);
        var part = new double[count, d];
        for (int r = 0; r < count; r++)
        {
            for (int k = 0; k < d; k++)
            {
                part[r, k] = x[first + r, k];
            }
        }

        return part;
    }

    private static BinarySparseCodingStatistics MergedParts(BinarySparseCodingModel model, double[,] x, params int[] bounds)
    {
        var parts = new List<BinarySparseCodingStatistics>();
        for (int p = 0; p + 1 < bounds.Length; p++)
        {
            parts.Add(model.ComputeStatistics(Slice(x, bounds[p], bounds[p + 1] - bounds[p])));
        }

        return MergeableStatistics.Merge(parts);
    }

    private static void ShouldBeSameBits(BinarySparseCodingStatistics actual, BinarySparseCodingStatistics expected)
    {
        actual.TotalWeight.Should().Be(expected.TotalWeight);
        actual.SumPosteriorMeans.Should().Equal(expected.SumPosteriorMeans);
        actual.SecondMomentMatrix.Should().BeEquivalentTo(expected.SecondMomentMatrix, o => o.WithStrictOrdering());
        actual.CrossMomentMatrix.Should().BeEquivalentTo(expected.CrossMomentMatrix, o => o.WithStrictOrdering());
    }

    private static void ShouldBeClose(double[] actual, double[] expected, double relative, string what)
    {
        actual.Should().HaveCount(expected.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], relative * scale, $"{what}[{i}]");
        }
    }

    private static double[] Flat(double[,] m) => m.Cast<double>().ToArray();

    [Fact]
    public void One_block_partitions_merged_in_order_equal_one_pass_bit_for_bit_and_give_the_same_next_model()
    {
        BinarySparseCodingModel model = Model();
        double[,] x = Rows();
        BinarySparseCodingStatistics whole = model.ComputeStatistics(x);
        BinarySparseCodingStatistics merged = MergedParts(model, x, 0, 64, 128, 192, 200);
        ShouldBeSameBits(merged, whole);
        whole.TotalWeight.Should().Be(200);

        BinarySparseCodingModel next = whole.ToModel(1e-6), fromParts = merged.ToModel(1e-6);
        fromParts.Dictionary.Should().BeEquivalentTo(next.Dictionary, o => o.WithStrictOrdering());
        fromParts.PriorLogits.Should().Equal(next.PriorLogits);
        fromParts.NoiseVariance.Should().Equal(next.NoiseVariance);

        // any thread count
        ShouldBeSameBits(model.ComputeStatistics(x, maxDegreeOfParallelism: 1), whole);
        // the empty value is the identity
        ShouldBeSameBits(whole.Empty().Merge(whole), whole);
        whole.Empty().TotalWeight.Should().Be(0);
    }

    [Fact]
    public void Block_aligned_partitions_agree_to_rounding_and_give_the_same_next_model()
    {
        BinarySparseCodingModel model = Model();
        double[,] x = Rows();
        BinarySparseCodingStatistics whole = model.ComputeStatistics(x);
        BinarySparseCodingStatistics merged = MergedParts(model, x, 0, 128, 200);
        merged.TotalWeight.Should().Be(200);
        ShouldBeClose(merged.SumPosteriorMeans, whole.SumPosteriorMeans, 1e-12, "Σĥ");
        ShouldBeClose(Flat(merged.SecondMomentMatrix), Flat(whole.SecondMomentMatrix), 1e-12, "A");
        ShouldBeClose(Flat(merged.CrossMomentMatrix), Flat(whole.CrossMomentMatrix), 1e-12, "B");

        BinarySparseCodingModel next = whole.ToModel(1e-6), fromParts = merged.ToModel(1e-6);
        ShouldBeClose(Flat(fromParts.Dictionary), Flat(next.Dictionary), 1e-10, "W");
        ShouldBeClose(fromParts.PriorLogits, next.PriorLogits, 1e-10, "b");
        ShouldBeClose(fromParts.NoiseVariance, next.NoiseVariance, 1e-10, "β⁻¹");
    }

    [Fact]
    public void Sums_equal_naive_sums_of_the_posterior_means_and_the_m_step_solves_its_equations()
    {
        BinarySparseCodingModel model = Model();
        double[,] x = Rows(100);
        int n = 100, h = model.Components, d = model.Dimension;
        // the posterior means of each 64-row block, as ComputeStatistics infers them
        var means = new double[n, h];
        foreach ((int first, int count) in new[] { (0, 64), (64, 36) })
        {
            double[,] q = model.Transform(Slice(x, first, count));
            for (int r = 0; r < count; r++)
            {
                for (int i = 0; i < h; i++)
                {
                    means[first + r, i] = q[r, i];
                }
            }
        }

        var sumMeans = new double[h];
        var a = new double[h, h];
        var b = new double[d, h];
        var sumSquares = new double[d];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < h; i++)
            {
                sumMeans[i] += means[r, i];
                for (int j = 0; j < h; j++)
                {
                    a[i, j] += i == j ? means[r, i] : means[r, i] * means[r, j];
                }

                for (int k = 0; k < d; k++)
                {
                    b[k, i] += x[r, k] * means[r, i];
                }
            }

            for (int k = 0; k < d; k++)
            {
                sumSquares[k] += x[r, k] * x[r, k];
            }
        }

        BinarySparseCodingStatistics s = model.ComputeStatistics(x);
        ShouldBeClose(s.SumPosteriorMeans, sumMeans, 1e-12, "Σĥ");
        ShouldBeClose(Flat(s.SecondMomentMatrix), Flat(a), 1e-12, "A");
        ShouldBeClose(Flat(s.CrossMomentMatrix), Flat(b), 1e-12, "B");

        // M-step: W·A = B (row k of W holds the k-th coordinates of the atoms), β⁻¹ₖ = (Σvₖ² − wₖ·Bₖ)/N, σ(bᵢ) = Σĥᵢ/N
        BinarySparseCodingModel next = s.ToModel(1e-9);
        double[,] atoms = next.Dictionary;
        double[] prior = next.PriorProbabilities, variance = next.NoiseVariance;
        for (int k = 0; k < d; k++)
        {
            double explained = 0;
            for (int j = 0; j < h; j++)
            {
                double wa = 0;
                for (int i = 0; i < h; i++)
                {
                    wa += atoms[i, k] * a[i, j];
                }

                wa.Should().BeApproximately(b[k, j], 1e-9 * Math.Max(1, Math.Abs(b[k, j])), $"(W·A)[{k}, {j}]");
                explained += atoms[j, k] * b[k, j];
            }

            variance[k].Should().BeApproximately((sumSquares[k] - explained) / n, 1e-10, $"noise variance {k}");
        }

        for (int i = 0; i < h; i++)
        {
            prior[i].Should().BeApproximately(sumMeans[i] / n, 1e-12, $"prior {i}");
        }
    }

    [Fact]
    public void Saved_statistics_come_back_bit_for_bit_and_bad_use_is_rejected()
    {
        BinarySparseCodingModel model = Model();
        BinarySparseCodingStatistics s = model.ComputeStatistics(Rows(70));
        var loaded = ModelJson.Deserialize<BinarySparseCodingStatistics>(ModelJson.Serialize(s));
        ShouldBeSameBits(loaded, s);
        loaded.ToModel(1e-6).NoiseVariance.Should().Equal(s.ToModel(1e-6).NoiseVariance);

        var other = new BinarySparseCodingModel(new double[,] { { 1, 0 }, { 0, 1 } }, [0.0, 0.0], [1.0, 1.0]).ComputeStatistics(new double[,] { { 1, 2 } });
        FluentActions.Invoking(() => s.Merge(other)).Should().Throw<ArgumentException>().WithParameterName("other");
        FluentActions.Invoking(() => s.ToModel(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("noiseVarianceFloor");
        FluentActions.Invoking(() => s.Empty().ToModel(1e-6)).Should().Throw<InvalidOperationException>();
        model.ComputeStatistics(new double[0, 9]).TotalWeight.Should().Be(0);
        FluentActions.Invoking(() => model.ComputeStatistics(new double[2, 4])).Should().Throw<ArgumentException>().WithParameterName("data");
    }
}
