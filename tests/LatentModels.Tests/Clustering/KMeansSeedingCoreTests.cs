using LatentModels.Clustering;
using LatentModels.LinearAlgebra;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Clustering;

/// <summary>
/// The one k-means++ and random-rows core (<see cref="KMeansSeeding.PlusPlusAsync"/>, <see cref="KMeansSeeding.RandomRowsAsync"/>)
/// over a naive, serial <see cref="IKMeansSeedingData"/> written here from the interface's contract, against the in-memory
/// seedings (parallel blocks, cached distances) and a textbook Fisher–Yates.
/// </summary>
public sealed class KMeansSeedingCoreTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(9, true)]
    public async Task A_naive_serial_data_gives_the_in_memory_k_means_plus_plus_bits(int k, bool weighted)
    {
        const int n = 5000; // two whole blocks of 2048 rows and a partial one
        double[,] x = Points(n, 3, k);
        double[]? w = weighted ? [.. Enumerable.Range(0, n).Select(i => i % 9 == 0 ? 0.0 : 0.5 + (i % 4))] : null;
        double[,] inMemory = w is null ? KMeansSeeding.PlusPlus(x, k, new Random(13)) : KMeansSeeding.PlusPlus(x, k, new Random(13), w);
        var naive = new NaiveData(x, w);
        double[,] core = await KMeansSeeding.PlusPlusAsync(naive, k, new Random(13));
        PersistenceAssert.Bits(core).Should().Equal(PersistenceAssert.Bits(inMemory));
        naive.Calls.Should().Be(k == 1 ? 1 : 1 + 1 + (3 * (k - 1)) - 1, "rows or a draw, then choose, then draw, evaluate and (but for the last) choose per center");
    }

    [Fact]
    public async Task Random_rows_are_a_textbook_partial_Fisher_Yates()
    {
        double[,] x = Points(300, 2, 1);
        foreach (int k in new[] { 1, 7, 300 })
        {
            var random = new Random(k);
            int[] index = [.. Enumerable.Range(0, 300)];
            var expected = new double[k, 2];
            for (int j = 0; j < k; j++)
            {
                int r = random.Next(j, 300);
                (index[j], index[r]) = (index[r], index[j]);
                expected[j, 0] = x[index[j], 0];
                expected[j, 1] = x[index[j], 1];
            }

            PersistenceAssert.Bits(KMeansSeeding.RandomRows(x, k, new Random(k))).Should().Equal(PersistenceAssert.Bits(expected));
            PersistenceAssert.Bits(await KMeansSeeding.RandomRowsAsync(new NaiveData(x, null), k, new Random(k))).Should().Equal(PersistenceAssert.Bits(expected));
        }
    }

    [Fact]
    public async Task K_out_of_range_is_refused_before_any_pass()
    {
        var naive = new NaiveData(Points(10, 2, 0), null);
        await FluentActions.Awaiting(async () => await KMeansSeeding.PlusPlusAsync(naive, 11, new Random(0))).Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("k");
        await FluentActions.Awaiting(async () => await KMeansSeeding.RandomRowsAsync(naive, 0, new Random(0))).Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("k");
        naive.Calls.Should().Be(0);
    }

    private static double[,] Points(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(5);
            for (int p = 0; p < d; p++)
            {
                x[i, p] = (c * (p + 3.0)) + random.NextDouble();
            }
        }

        return x;
    }

    /// <summary>The contract of <see cref="IKMeansSeedingData"/> written out row by row, with no state but the chosen centers.</summary>
    private sealed class NaiveData(double[,] x, double[]? w) : IKMeansSeedingData
    {
        private readonly List<double[]> _centers = [];

        public int Calls { get; private set; }

        public int Rows => x.GetLength(0);

        public bool Weighted => w is not null;

        public ValueTask<double[][]> RowsAsync(int[] indices, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(indices.Select(Row).ToArray());
        }

        public ValueTask<double[][]> DrawAsync(double[] uniforms, CancellationToken cancellationToken)
        {
            Calls++;
            double total = 0;
            for (int i = 0; i < Rows; i++)
            {
                total += Value(i);
            }

            var found = new double[uniforms.Length][];
            for (int t = 0; t < uniforms.Length; t++)
            {
                double target = uniforms[t] * total, run = 0;
                int row = Rows - 1;
                for (int i = 0; i < Rows; i++)
                {
                    run += Value(i);
                    if (run > target)
                    {
                        row = i;
                        break;
                    }
                }

                found[t] = Row(row);
            }

            return ValueTask.FromResult(found);
        }

        public ValueTask<double[]> PotentialsAsync(double[][] candidates, CancellationToken cancellationToken)
        {
            Calls++;
            var potentials = new double[candidates.Length];
            for (int t = 0; t < candidates.Length; t++)
            {
                for (int start = 0; start < Rows; start += KMeansSeeding.PotentialBlockRows)
                {
                    double block = 0;
                    for (int i = start; i < Math.Min(Rows, start + KMeansSeeding.PotentialBlockRows); i++)
                    {
                        block += (w is null ? 1.0 : w[i]) * Math.Min(Nearest(i), RowReductions.SquaredDistance(Row(i), candidates[t]));
                    }

                    potentials[t] += block;
                }
            }

            return ValueTask.FromResult(potentials);
        }

        public ValueTask ChooseAsync(double[] center, int candidate, CancellationToken cancellationToken)
        {
            Calls++;
            _centers.Add(center);
            return ValueTask.CompletedTask;
        }

        private double Value(int i) => _centers.Count == 0 ? (w is null ? 1.0 : w[i]) : (w is null ? 1.0 : w[i]) * Nearest(i);

        private double Nearest(int i)
        {
            double best = double.PositiveInfinity;
            foreach (double[] c in _centers)
            {
                best = Math.Min(best, RowReductions.SquaredDistance(Row(i), c));
            }

            return best;
        }

        private double[] Row(int i) => [.. Enumerable.Range(0, x.GetLength(1)).Select(p => x[i, p])];
    }
}
