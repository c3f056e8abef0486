using LatentModels.Data;
using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>
/// The seedings of <see cref="KMeansSeeding"/> over rows read in passes from a source (out-of-core fits): the same random
/// draws, the same squared distances and the same sums in the same order, so the same seed gives the in-memory centers bit
/// for bit, whatever the file's size. Memory: one chunk, the k centers and the candidates; no per-row state (a row's
/// distance to its nearest center is recomputed from the centers chosen so far, which is exact: a minimum does not round).
/// </summary>
/// <remarks>
/// Greedy k-means++ reads the source 2k − 1 times (k + 1 more with sample weights: one for the total weight, one for the
/// first row): for every further center one pass sums the running potential Σ w·D² in row order (the in-memory cumulative
/// array, never stored) to find the candidate rows the draws point at, and one pass sums each candidate's potential in the
/// in-memory blocks of <see cref="KMeansSeeding.BlockSize"/> rows (merged in block order) and, in row order, the potential
/// the chosen candidate leaves (the next center's total). Each row costs O(c·d) per pass for the c centers chosen so far.
/// </remarks>
internal static class KMeansSourceSeeding
{
    /// <summary>Rows per chunk: a multiple of <see cref="KMeansSeeding.BlockSize"/>, so chunks hold whole in-memory blocks.</summary>
    internal const int ChunkRows = 8 * KMeansSeeding.BlockSize;

    /// <summary>Greedy k-means++ of <see cref="KMeansSeeding.PlusPlusAsync"/> over the source (<paramref name="n"/> rows of width <paramref name="d"/>).</summary>
    public static double[,] PlusPlus(WeightedRowChunks source, int n, int d, int k, Random random, int maxDegreeOfParallelism, CancellationToken cancellationToken) =>
        Wait(KMeansSeeding.PlusPlusAsync(new Passes(source, n, d, maxDegreeOfParallelism), k, random, cancellationToken));

    /// <summary>The k distinct rows of <see cref="KMeansSeeding.RandomRowsAsync"/> (its partial Fisher–Yates draws), read in one pass.</summary>
    public static double[,] RandomRows(IRowChunkSource source, int n, int d, int k, Random random, CancellationToken cancellationToken) =>
        Wait(KMeansSeeding.RandomRowsAsync(new Passes(new WeightedRowChunks(source, null), n, d, 1), k, random, cancellationToken));

    private static double[,] Wait(ValueTask<double[,]> seeding) => seeding.IsCompletedSuccessfully ? seeding.Result : seeding.AsTask().GetAwaiter().GetResult();

    /// <summary>The given rows (any order, repeats allowed) in one pass.</summary>
    /// <exception cref="ArgumentException">The source has fewer rows than an index asks for.</exception>
    public static double[][] ReadRows(IRowChunkSource source, int d, IReadOnlyList<int> rows, CancellationToken cancellationToken)
    {
        var result = new double[rows.Count][];
        int left = rows.Count;
        long first = 0;
        foreach (double[,] chunk in source.ReadChunks(ChunkRows, cancellationToken))
        {
            int m = chunk.GetLength(0);
            CheckWidth(chunk, d, source);
            for (int j = 0; j < rows.Count; j++)
            {
                if (result[j] is null && rows[j] >= first && rows[j] < first + m)
                {
                    result[j] = chunk.AsSpan().Slice((int)(rows[j] - first) * d, d).ToArray();
                    left--;
                }
            }

            first += m;
            if (left == 0)
            {
                break;
            }
        }

        if (left > 0)
        {
            throw new ArgumentException($"{source.Name} has {first} rows, fewer than the row indices need.", nameof(source));
        }

        return result;
    }

    /// <summary>Rows as the rows of a matrix.</summary>
    public static double[,] ToMatrix(double[][] rows, int d)
    {
        var m = new double[rows.Length, d];
        for (int j = 0; j < rows.Length; j++)
        {
            rows[j].CopyTo(m.AsWritableSpan().Slice(j * d, d));
        }

        return m;
    }

    private static void CheckWidth(double[,] chunk, int d, IRowChunkSource source)
    {
        if (chunk.GetLength(1) != d)
        {
            throw new ArgumentException($"{source.Name}: a chunk has {chunk.GetLength(1)} columns; earlier rows have {d}.", nameof(source));
        }
    }

    /// <summary>
    /// <see cref="IKMeansSeedingData"/> over the source: every member one pass (none for <see cref="ChooseAsync"/>), no
    /// per-row state. The total of the running potential that <see cref="DrawAsync"/> scales its draws by is the row-order
    /// total of the chosen candidate from the last <see cref="PotentialsAsync"/> pass (the same sum in the same order), or,
    /// after the first center, one pass of its own.
    /// </summary>
    private sealed class Passes(WeightedRowChunks source, int n, int d, int maxDegreeOfParallelism) : IKMeansSeedingData
    {
        private readonly List<double[]> _centers = [];
        private double[,] _centerMatrix = new double[0, d];
        private double[] _rowOrder = [];
        private double _total = double.NaN;
        private double[] _nearest = [], _left = [], _partial = [];

        public int Rows => n;

        public bool Weighted => source.Weights is not null;

        public ValueTask<double[][]> RowsAsync(int[] indices, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ReadRows(source.Rows, d, indices, cancellationToken));

        public ValueTask<double[][]> DrawAsync(double[] uniforms, CancellationToken cancellationToken)
        {
            if (double.IsNaN(_total))
            {
                _total = Search([], cancellationToken).Run;
            }

            var targets = new double[uniforms.Length];
            for (int t = 0; t < targets.Length; t++)
            {
                targets[t] = uniforms[t] * _total;
            }

            return ValueTask.FromResult(Search(targets, cancellationToken).Rows);
        }

        public ValueTask<double[]> PotentialsAsync(double[][] candidates, CancellationToken cancellationToken)
        {
            (double[] blockOrder, _rowOrder) = Evaluate(candidates, cancellationToken);
            return ValueTask.FromResult(blockOrder);
        }

        public ValueTask ChooseAsync(double[] center, int candidate, CancellationToken cancellationToken)
        {
            _centers.Add(center);
            _centerMatrix = ToMatrix([.. _centers], d);
            _total = candidate >= 0 ? _rowOrder[candidate] : double.NaN;
            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// One pass summing w·D² (w before any center) over the rows in row order (the in-memory cumulative array) and
        /// returning the total and, for every target, the first row whose running sum exceeds it (the last row when none
        /// does: the in-memory search clips there).
        /// </summary>
        private (double Run, double[][] Rows) Search(double[] targets, CancellationToken cancellationToken)
        {
            var found = new double[targets.Length][];
            var at = new int[targets.Length];
            int chosen = _centers.Count;
            double run = 0;
            double[]? last = null;
            foreach (WeightedRowChunks.Chunk chunk in source.Read(ChunkRows, cancellationToken))
            {
                CheckWidth(chunk.X, d, source.Rows);
                int m = chunk.Count;
                double[]? nearest = null;
                if (chosen > 0)
                {
                    nearest = Scratch(ref _nearest, m);
                    SeedingPartition.Nearest(chunk.X, m, _centerMatrix, chosen, nearest, maxDegreeOfParallelism);
                }

                Array.Fill(at, -1);
                run = SeedingPartition.Search(m, chunk.W, nearest, targets, run, at);
                for (int t = 0; t < targets.Length; t++)
                {
                    if (found[t] is null && at[t] >= 0)
                    {
                        found[t] = chunk.X.AsSpan().Slice(at[t] * d, d).ToArray();
                    }
                }

                if (m > 0)
                {
                    last = chunk.X.AsSpan().Slice((m - 1) * d, d).ToArray();
                }
            }

            for (int t = 0; t < targets.Length; t++)
            {
                found[t] ??= last ?? throw new ArgumentException("The data has no rows.", nameof(source));
            }

            return (run, found);
        }

        /// <summary>
        /// One pass: for every candidate, the potential it leaves (Σ w·min(D², ‖x − candidate‖²)) summed per block of
        /// <see cref="KMeansSeeding.BlockSize"/> rows and the blocks in order (the in-memory comparison; chunks hold whole
        /// blocks), and the same summed in row order (the in-memory potential of the next center).
        /// </summary>
        private (double[] BlockOrder, double[] RowOrder) Evaluate(double[][] candidates, CancellationToken cancellationToken)
        {
            int trials = candidates.Length, chosen = _centers.Count;
            var blockOrder = new double[trials];
            var rowOrder = new double[trials];
            foreach (WeightedRowChunks.Chunk chunk in source.Read(ChunkRows, cancellationToken))
            {
                CheckWidth(chunk.X, d, source.Rows);
                int m = chunk.Count;
                double[] nearest = Scratch(ref _nearest, m);
                SeedingPartition.Nearest(chunk.X, m, _centerMatrix, chosen, nearest, maxDegreeOfParallelism);
                SeedingPartition.Potentials(chunk.X, m, chunk.W, nearest, candidates, blockOrder, rowOrder, Scratch(ref _left, m * trials),
                    Scratch(ref _partial, ParallelBlocks.BlockCount(m, KMeansSeeding.BlockSize) * trials), maxDegreeOfParallelism);
            }

            return (blockOrder, rowOrder);
        }

        private static double[] Scratch(ref double[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new double[length];
            }

            return buffer;
        }
    }
}
