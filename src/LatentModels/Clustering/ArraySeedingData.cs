using System.Runtime.InteropServices;
using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>
/// <see cref="IKMeansSeedingData"/> over an array in memory: every row's D² kept (updated when a center is chosen), the
/// running potential as a cumulative array searched by bisection, and the candidates' potentials on fixed blocks in
/// parallel (summed per block, the blocks in order), so any thread count gives the same bits.
/// </summary>
internal sealed class ArraySeedingData : IKMeansSeedingData
{
    private readonly double[,] _data;
    private readonly double[]? _weights;
    private readonly int _n, _d, _dop;
    private readonly double[] _closest, _cumulative;
    private double[] _partial = [];
    private int _chosen;

    /// <summary>Wraps checked data and weights (not copied, not modified).</summary>
    public ArraySeedingData(double[,] data, double[]? weights, int maxDegreeOfParallelism)
    {
        _data = data;
        _weights = weights;
        _n = data.GetLength(0);
        _d = data.GetLength(1);
        _dop = maxDegreeOfParallelism;
        _closest = new double[_n];
        _cumulative = new double[_n];
    }

    public int Rows => _n;

    public bool Weighted => _weights is not null;

    public ValueTask<double[][]> RowsAsync(int[] indices, CancellationToken cancellationToken)
    {
        var rows = new double[indices.Length][];
        for (int j = 0; j < indices.Length; j++)
        {
            rows[j] = Row(indices[j]);
        }

        return ValueTask.FromResult(rows);
    }

    public ValueTask<double[][]> DrawAsync(double[] uniforms, CancellationToken cancellationToken)
    {
        double[]? w = _weights;
        double run = 0;
        for (int i = 0; i < _n; i++)
        {
            run += _chosen == 0 ? (w is null ? 1.0 : w[i]) : (w is null ? _closest[i] : w[i] * _closest[i]);
            _cumulative[i] = run;
        }

        var rows = new double[uniforms.Length][];
        for (int t = 0; t < uniforms.Length; t++)
        {
            rows[t] = Row(Search(_cumulative, uniforms[t] * run));
        }

        return ValueTask.FromResult(rows);
    }

    public ValueTask<double[]> PotentialsAsync(double[][] candidates, CancellationToken cancellationToken)
    {
        int trials = candidates.Length, d = _d, blocks = ParallelBlocks.BlockCount(_n, KMeansSeeding.BlockSize);
        if (_partial.Length != blocks * trials)
        {
            _partial = new double[blocks * trials];
        }

        double[] partial = _partial, closest = _closest;
        double[]? weights = _weights;
        double[,] data = _data;
        ParallelBlocks.For(_n, KMeansSeeding.BlockSize, _dop, (b, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            for (int t = 0; t < trials; t++)
            {
                ref double ct = ref MemoryMarshal.GetArrayDataReference(candidates[t]);
                double s = 0;
                for (int i = start; i < end; i++)
                {
                    double dist = Math.Min(closest[i], RowReductions.SquaredDistance(ref MemoryMarshal.GetReference(x.Slice(i * d, d)), ref ct, d));
                    s += weights is null ? dist : weights[i] * dist;
                }

                partial[b * trials + t] = s;
            }
        });

        var potentials = new double[trials];
        for (int t = 0; t < trials; t++)
        {
            double s = 0;
            for (int b = 0; b < blocks; b++)
            {
                s += partial[b * trials + t];
            }

            potentials[t] = s;
        }

        return ValueTask.FromResult(potentials);
    }

    public ValueTask ChooseAsync(double[] center, int candidate, CancellationToken cancellationToken)
    {
        bool first = _chosen == 0;
        int d = _d;
        double[] closest = _closest;
        double[,] data = _data;
        ParallelBlocks.For(_n, KMeansSeeding.BlockSize, _dop, (b, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            ref double cc = ref MemoryMarshal.GetArrayDataReference(center);
            for (int i = start; i < end; i++)
            {
                double dist = RowReductions.SquaredDistance(ref MemoryMarshal.GetReference(x.Slice(i * d, d)), ref cc, d);
                closest[i] = first ? dist : Math.Min(closest[i], dist);
            }
        });
        _chosen++;
        return ValueTask.CompletedTask;
    }

    private double[] Row(int i) => _data.AsSpan().Slice(i * _d, _d).ToArray();

    /// <summary>First index whose cumulative value exceeds <paramref name="target"/> (clipped to the last row).</summary>
    private static int Search(double[] cumulative, double target)
    {
        int lo = 0, hi = cumulative.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
