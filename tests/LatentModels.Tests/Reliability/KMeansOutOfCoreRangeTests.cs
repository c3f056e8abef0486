using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Range and translation of out-of-core K-Means (defect classes 1 and 10 of docs/reliability.md): on data ×10^k, data
/// + shift, both, and weights of any scale, the fit over a chunk source is the in-memory fit bit for bit (the same range
/// frame, found by the first pass; the same framed iterations; the same inertia of the returned centers on the caller's
/// rows), and it clusters the rows as the ordinary data are clustered.
/// </summary>
public sealed class KMeansOutOfCoreRangeTests
{
    // 20,000 rows: two chunks of the out-of-core fit (16,384 rows each), so the frame's extremes are merged across chunks.
    private static readonly double[,] _base = RangeTestData.Blobs(20_000, 3, 5);

    public static TheoryData<double, double> Frames() => new()
    {
        { 1e200, 0.0 },
        { 1e300, 0.0 },
        { 1e-200, 0.0 },
        { 1.0, 1e9 },
        { 1.0, -1e10 },
        { 1e150, 1e159 },
        { 1e-150, -1e-141 },
    };

    private static void SameBits(FitResult<KMeansModel> outOfCore, FitResult<KMeansModel> inMemory, string because)
    {
        outOfCore.Report.Iterations.Should().Be(inMemory.Report.Iterations, because);
        outOfCore.Report.Converged.Should().Be(inMemory.Report.Converged, because);
        PersistenceAssert.Bits(outOfCore.Model.Centers).Should().Equal(PersistenceAssert.Bits(inMemory.Model.Centers), because);
        BitConverter.DoubleToInt64Bits(outOfCore.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(inMemory.Model.Inertia), because);
        PersistenceAssert.Bits(outOfCore.Report.ObjectiveTrace).Should().Equal(PersistenceAssert.Bits(inMemory.Report.ObjectiveTrace), because);
    }

    /// <summary>Labels renumbered by first appearance: equal for the same partition whatever the clusters' order.</summary>
    private static int[] Canonical(IReadOnlyList<int> labels)
    {
        var names = new Dictionary<int, int>();
        return [.. labels.Select(l => names.TryGetValue(l, out int name) ? name : names[l] = names.Count)];
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Out_of_core_fit_of_scaled_or_shifted_data_is_the_in_memory_fit_bit_for_bit(double scale, double shift)
    {
        double[,] x = RangeTestData.Map(_base, scale, shift);
        ClusteringFitResult<KMeansModel> ordinary = new KMeans(new KMeansOptions { Clusters = 3, Seed = 4 }).Fit(_base);
        foreach (KMeansInit init in new[] { KMeansInit.KMeansPlusPlus, KMeansInit.RandomRows, KMeansInit.First })
        {
            foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
            {
                var options = new KMeansOptions { Clusters = 3, Seed = 4, Init = init, Algorithm = algorithm, Starts = 2 };
                FitResult<KMeansModel> outOfCore = new KMeans(options).Fit(new ArrayRowChunkSource(x));
                ClusteringFitResult<KMeansModel> inMemory = new KMeans(options).Fit(x);
                SameBits(outOfCore, inMemory, $"{init}, {algorithm}");
                outOfCore.Model.Predict(x).Should().Equal(inMemory.Labels);
                if (init == KMeansInit.KMeansPlusPlus)
                {
                    // The partition of the ordinary data; the reported inertia is the returned centers' on the caller's rows.
                    Canonical(inMemory.Labels).Should().Equal(Canonical(ordinary.Labels), "the same partition (the shift's rounding may renumber the clusters)");
                    double expected = ordinary.Model.Inertia * scale * scale;
                    if (!double.IsFinite(expected))
                    {
                        outOfCore.Model.Inertia.Should().Be(double.PositiveInfinity, "an inertia beyond the largest double saturates");
                    }
                    else if (expected > 1e-290)
                    {
                        outOfCore.Model.Inertia.Should().BeApproximately(expected, (shift == 0 ? 1e-11 : 1e-4) * expected);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1e200, 0.0, 1.0)]
    [InlineData(1.0, 1e9, 1e300)]
    [InlineData(1e150, 1e159, 1e-300)]
    [InlineData(1.0, 0.0, 1e-18)]
    public void Weighted_out_of_core_fit_of_scaled_or_shifted_data_is_the_in_memory_fit_bit_for_bit(double scale, double shift, double weightScale)
    {
        double[,] x = RangeTestData.Map(_base, scale, shift);
        double[] w = OutOfCoreTestData.Weights(_base.GetLength(0), 3).Select(v => v * weightScale).ToArray();
        foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
        {
            var options = new KMeansOptions { Clusters = 3, Seed = 8, Algorithm = algorithm };
            FitResult<KMeansModel> outOfCore = new KMeans(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w));
            ClusteringFitResult<KMeansModel> inMemory = new KMeans(options).Fit(x, w);
            SameBits(outOfCore, inMemory, algorithm.ToString());
            outOfCore.Model.Inertia.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void Explicit_start_and_a_csv_source_of_shifted_data_give_the_in_memory_bits()
    {
        // The explicit start is in the caller's units (mapped into the frame as in memory); the CSV rows are parsed to the
        // same doubles as the array's.
        double[,] x = RangeTestData.Map(_base, 1, 1e9);
        var start = new double[3, 3];
        for (int j = 0; j < 3; j++)
        {
            for (int p = 0; p < 3; p++)
            {
                start[j, p] = x[j * 11, p];
            }
        }

        var options = new KMeansOptions { Clusters = 3, Init = KMeansInit.Explicit, InitialCenters = start, Tolerance = 0 };
        FitResult<KMeansModel> outOfCore = new KMeans(options).Fit(new CsvRowChunkSource(() => new StringReader(OutOfCoreTestData.Csv(x)), "x.csv"));
        SameBits(outOfCore, new KMeans(options).Fit(x), "explicit start");
    }

    [Fact]
    public void Huge_data_with_tiny_weights_report_their_finite_inertia_in_memory_and_out_of_core()
    {
        // Σ w‖x − c‖² with x ~ 1e200 and w ~ 1e-300 is about 1e104: representable, though the sum with the weights
        // normalised (about 1e404) is not. The weight scale and the frame's are applied in one step (before: +∞).
        double[] w1 = OutOfCoreTestData.Weights(_base.GetLength(0), 3);
        double[] w = [.. w1.Select(v => v * 1e-300)];
        var options = new KMeansOptions { Clusters = 3, Seed = 8 };
        ClusteringFitResult<KMeansModel> ordinary = new KMeans(options).Fit(_base, w1);
        double[,] x = RangeTestData.Map(_base, 1e200, 0);
        ClusteringFitResult<KMeansModel> inMemory = new KMeans(options).Fit(x, w);
        double expected = ordinary.Model.Inertia * 1e100;
        inMemory.Model.Inertia.Should().BeApproximately(expected, 1e-11 * expected);
        inMemory.Labels.Should().Equal(ordinary.Labels);
        SameBits(new KMeans(options).Fit(new ArrayRowChunkSource(x), OutOfCoreTestData.Column(w)), inMemory, "tiny weights");
    }

    [Fact]
    public void An_inertia_beyond_the_largest_double_saturates_as_in_memory()
    {
        // Blobs 1e300 apart: every center is finite, Σ‖x − c‖² is not representable; both fits report +∞ (the row-by-row
        // sum of the returned centers) and the same centers.
        double[,] x = RangeTestData.Map(_base, 1e306, 0);
        var options = new KMeansOptions { Clusters = 2, Seed = 1 };
        FitResult<KMeansModel> outOfCore = new KMeans(options).Fit(new ArrayRowChunkSource(x));
        ClusteringFitResult<KMeansModel> inMemory = new KMeans(options).Fit(x);
        SameBits(outOfCore, inMemory, "saturated");
        outOfCore.Model.Inertia.Should().Be(double.PositiveInfinity);
        outOfCore.Model.Centers.Cast<double>().Should().OnlyContain(c => double.IsFinite(c), "every center is representable");
    }
}
