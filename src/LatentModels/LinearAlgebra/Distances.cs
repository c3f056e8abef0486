using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>Pairwise squared Euclidean distances and row-wise arg-min, computed through GEMM.</summary>
/// <remarks>
/// Work is cut into fixed blocks of <see cref="RowBlock"/> rows. Each block runs its own GEMM and finishes its distances
/// while they are still in cache, so the n × k matrix is written once and results are identical for every degree of
/// parallelism.
/// </remarks>
public static class Distances
{
    /// <summary>Rows per parallel block (fixed, so results never depend on the number of threads).</summary>
    public const int RowBlock = 240;

    /// <summary>Writes ‖xᵢ‖² for each row of the row-major n × d matrix <paramref name="x"/>.</summary>
    /// <param name="x">n × d, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="norms">n values.</param>
    public static void RowSquaredNorms(ReadOnlySpan<double> x, int rows, int cols, Span<double> norms)
    {
        CheckMatrix(x, rows, cols, nameof(x));
        CheckLength(norms.Length, rows, nameof(norms));
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = x.Slice(i * cols, cols);
            norms[i] = TensorPrimitives.Dot(row, row);
        }
    }

    /// <summary>
    /// D[i, j] = ‖xᵢ − cⱼ‖² = ‖xᵢ‖² − 2xᵢ·cⱼ + ‖cⱼ‖², clamped at 0, for the rows of x (n × d) and of the centers (k × d).
    /// </summary>
    /// <param name="x">n × d rows, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="centers">k × d centers, row-major.</param>
    /// <param name="centerCount">k.</param>
    /// <param name="destination">n × k distances, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static void PairwiseSquared(ReadOnlySpan<double> x, int rows, int cols, ReadOnlySpan<double> centers, int centerCount,
        Span<double> destination, int maxDegreeOfParallelism = 0)
    {
        CheckMatrix(centers, centerCount, cols, nameof(centers));
        double[] norms = ArrayPool<double>.Shared.Rent(centerCount);
        try
        {
            RowSquaredNorms(centers, centerCount, cols, norms);
            PairwiseSquared(x, rows, cols, centers, centerCount, norms.AsSpan(0, centerCount), destination, maxDegreeOfParallelism);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(norms);
        }
    }

    /// <summary>
    /// As <see cref="PairwiseSquared(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, int, Span{double}, int)"/>,
    /// with the centers' squared norms supplied by the caller (from <see cref="RowSquaredNorms"/>) so that repeated calls
    /// with the same centers do no extra work and allocate nothing.
    /// </summary>
    /// <param name="x">n × d rows, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="centers">k × d centers, row-major.</param>
    /// <param name="centerCount">k.</param>
    /// <param name="centerNorms">k values ‖cⱼ‖².</param>
    /// <param name="destination">n × k distances, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static unsafe void PairwiseSquared(ReadOnlySpan<double> x, int rows, int cols, ReadOnlySpan<double> centers, int centerCount,
        ReadOnlySpan<double> centerNorms, Span<double> destination, int maxDegreeOfParallelism = 0)
    {
        CheckMatrix(x, rows, cols, nameof(x));
        CheckMatrix(centers, centerCount, cols, nameof(centers));
        CheckLength(centerNorms.Length, centerCount, nameof(centerNorms));
        CheckLength(destination.Length, (long)rows * centerCount, nameof(destination));
        if (rows == 0 || centerCount == 0)
        {
            return;
        }

        fixed (double* px = x)
        fixed (double* pc = centers)
        fixed (double* pn = centerNorms)
        fixed (double* pd = destination)
        {
            var job = new DistanceJob { X = px, Rows = rows, Cols = cols, Centers = pc, K = centerCount, CenterNorms = pn, Destination = pd };
            int dop = (long)rows * centerCount * Math.Max(cols, 1) >= (1L << 17) ? maxDegreeOfParallelism : 1;
            ParallelBlocks.For(rows, RowBlock, dop, job, static (j, _, i0, i1) => j.Block(i0, i1, j.Destination + ((nint)i0 * j.K)));
        }
    }

    /// <summary>
    /// For each row of x, the index of its nearest center (first on ties) and the squared distance to it, without
    /// materialising the n × k distance matrix (the fused step of K-Means). Distances are those of
    /// <see cref="PairwiseSquared(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, int)"/>.
    /// </summary>
    /// <param name="x">n × d rows, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">d.</param>
    /// <param name="centers">k × d centers, row-major (k ≥ 1).</param>
    /// <param name="centerCount">k.</param>
    /// <param name="centerNorms">k values ‖cⱼ‖² (from <see cref="RowSquaredNorms"/>).</param>
    /// <param name="nearest">n indices of the nearest center.</param>
    /// <param name="squaredDistance">n squared distances to that center, or empty to skip.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static unsafe void NearestCenter(ReadOnlySpan<double> x, int rows, int cols, ReadOnlySpan<double> centers, int centerCount,
        ReadOnlySpan<double> centerNorms, Span<int> nearest, Span<double> squaredDistance, int maxDegreeOfParallelism = 0)
    {
        CheckMatrix(x, rows, cols, nameof(x));
        CheckMatrix(centers, centerCount, cols, nameof(centers));
        ArgumentOutOfRangeException.ThrowIfLessThan(centerCount, 1);
        CheckLength(centerNorms.Length, centerCount, nameof(centerNorms));
        CheckLength(nearest.Length, rows, nameof(nearest));
        if (!squaredDistance.IsEmpty)
        {
            CheckLength(squaredDistance.Length, rows, nameof(squaredDistance));
        }

        if (rows == 0)
        {
            return;
        }

        fixed (double* px = x)
        fixed (double* pc = centers)
        fixed (double* pn = centerNorms)
        fixed (int* pi = nearest)
        fixed (double* pm = squaredDistance)
        {
            var job = new DistanceJob
            {
                X = px,
                Rows = rows,
                Cols = cols,
                Centers = pc,
                K = centerCount,
                CenterNorms = pn,
                Nearest = pi,
                MinDistance = pm,
            };
            int dop = (long)rows * centerCount * Math.Max(cols, 1) >= (1L << 17) ? maxDegreeOfParallelism : 1;
            ParallelBlocks.For(rows, RowBlock, dop, job, static (j, _, i0, i1) => j.NearestBlock(i0, i1));
        }
    }

    /// <summary>
    /// For each row of a row-major rows × cols matrix, the index and value of its smallest entry (first on ties).
    /// NaN entries are never chosen unless the whole row is NaN (then index 0 and NaN).
    /// </summary>
    /// <param name="values">rows × cols, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns (≥ 1).</param>
    /// <param name="argMin">rows indices.</param>
    /// <param name="min">rows minima (may be empty to skip).</param>
    public static void RowArgMin(ReadOnlySpan<double> values, int rows, int cols, Span<int> argMin, Span<double> min)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        CheckMatrix(values, rows, cols, nameof(values));
        CheckLength(argMin.Length, rows, nameof(argMin));
        if (!min.IsEmpty)
        {
            CheckLength(min.Length, rows, nameof(min));
        }

        for (int i = 0; i < rows; i++)
        {
            int best = ArgMin(values.Slice(i * cols, cols), out double value);
            argMin[i] = best;
            if (!min.IsEmpty)
            {
                min[i] = value;
            }
        }
    }

    /// <summary>Index of the first smallest non-NaN entry (0 when every entry is NaN) and its value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int ArgMin(ReadOnlySpan<double> row, out double value)
    {
        ref double r = ref MemoryMarshal.GetReference(row);
        int n = row.Length, j = 0, bestIndex = 0;
        double best = double.PositiveInfinity;
        if (Simd256<double>.IsHardwareAccelerated && n >= Simd256<double>.Count)
        {
            j = LaneArgMin<Vector256<double>, Simd256<double>>(ref r, n, out best, out bestIndex);
        }

        for (; j < n; j++)
        {
            double e = Unsafe.Add(ref r, j);
            if (e < best)
            {
                best = e;
                bestIndex = j;
            }
        }

        if (best < double.PositiveInfinity)
        {
            value = best;
            return bestIndex;
        }

        // The minimum is +∞ or every entry is NaN: the first +∞ if any, else index 0.
        for (j = 0; j < n; j++)
        {
            if (double.IsPositiveInfinity(Unsafe.Add(ref r, j)))
            {
                value = double.PositiveInfinity;
                return j;
            }
        }

        value = n == 0 ? double.NaN : Unsafe.Add(ref r, 0);
        return 0;
    }

    /// <summary>
    /// The vector pass of <see cref="ArgMin"/>: per lane, the smallest value and the index where it first appeared
    /// (strict less-than keeps the earliest on ties and never picks NaN); then the lanes are merged preferring the
    /// smaller index on ties. Returns the first index not covered by whole vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LaneArgMin<TVec, TOps>(ref double r, int n, out double best, out int bestIndex)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        Span<double> lanes = stackalloc double[TOps.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = l;
        }

        TVec bestValues = TOps.Create(double.PositiveInfinity);
        TVec bestIndices = TOps.Zero;
        TVec index = TOps.Load(ref MemoryMarshal.GetReference(lanes), 0);
        TVec step = TOps.Create(TOps.Count);
        int j = 0;
        for (; j <= n - TOps.Count; j += TOps.Count)
        {
            TVec v = TOps.Load(ref r, (nuint)j);
            TVec less = TOps.CompareLessThan(v, bestValues);
            bestValues = TOps.ConditionalSelect(less, v, bestValues);
            bestIndices = TOps.ConditionalSelect(less, index, bestIndices);
            index = TOps.Add(index, step);
        }

        best = double.PositiveInfinity;
        bestIndex = int.MaxValue;
        for (int l = 0; l < TOps.Count; l++)
        {
            double e = TOps.GetElement(bestValues, l);
            int i = (int)TOps.GetElement(bestIndices, l);
            if (e < best || (e == best && i < bestIndex))
            {
                best = e;
                bestIndex = i;
            }
        }

        return j;
    }

    private unsafe struct DistanceJob
    {
        public double* X;
        public int Rows;
        public int Cols;
        public double* Centers;
        public int K;
        public double* CenterNorms;
        public double* Destination;
        public int* Nearest;
        public double* MinDistance;

        /// <summary>Distances for rows [i0, i1) into <paramref name="dest"/> ((i1 − i0) × K, row-major).</summary>
        public readonly void Block(int i0, int i1, double* dest)
        {
            int h = i1 - i0, k = K, d = Cols;
            var xs = new ReadOnlySpan<double>(X + ((nint)i0 * d), h * d);
            Gemm.Run(Gemm.DefaultPath, MatrixOp.None, MatrixOp.Transpose, h, k, d, -2.0, xs, Math.Max(d, 1),
                new ReadOnlySpan<double>(Centers, k * d), Math.Max(d, 1), 0.0, new Span<double>(dest, h * k), k, 1);
            for (int i = 0; i < h; i++)
            {
                AddNormsAndClamp(dest + ((nint)i * k), CenterNorms, k, SquaredNorm(X + ((nint)(i0 + i) * d), d));
            }
        }

        /// <summary>
        /// Nearest centers for rows [i0, i1). The block's inner products are computed transposed (k × h, via GEMM with
        /// the centers as the left operand), so the clamp and the arg-min run down columns four rows per vector with no
        /// horizontal reductions, and nothing is written back but the answers. Each distance is formed with exactly the
        /// operations of <see cref="Block"/>, so the values agree bit for bit with <c>PairwiseSquared</c>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void NearestBlock(int i0, int i1)
        {
            int h = i1 - i0, k = K, d = Cols;
            double[] buffer = ArrayPool<double>.Shared.Rent((h * k) + h);
            fixed (double* gt = buffer)
            {
                double* xn = gt + ((nint)h * k);
                Gemm.Run(Gemm.DefaultPath, MatrixOp.None, MatrixOp.Transpose, k, h, d, -2.0,
                    new ReadOnlySpan<double>(Centers, k * d), Math.Max(d, 1),
                    new ReadOnlySpan<double>(X + ((nint)i0 * d), h * d), Math.Max(d, 1), 0.0, new Span<double>(gt, h * k), h, 1);
                for (int i = 0; i < h; i++)
                {
                    xn[i] = SquaredNorm(X + ((nint)(i0 + i) * d), d);
                }

                int r = 0;
                if (Simd256<double>.IsHardwareAccelerated)
                {
                    r = NearestColumns<Vector256<double>, Simd256<double>>(gt, h, xn, i0);
                }

                for (; r < h; r++)
                {
                    ScalarNearest(gt, h, xn, r, i0);
                }
            }

            ArrayPool<double>.Shared.Return(buffer);
        }

        /// <summary>
        /// The vector part of <see cref="NearestBlock"/>: Count rows at a time, the clamped distance and the arg-min
        /// down the columns of the transposed block; rows whose minimum is not finite go through the scalar search.
        /// Returns the first row not done.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly int NearestColumns<TVec, TOps>(double* gt, int h, double* xn, int i0)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, double>
        {
            int r = 0, k = K;
            for (; r <= h - TOps.Count; r += TOps.Count)
            {
                TVec xv = TOps.Load(ref *xn, (nuint)r);
                TVec best = TOps.Create(double.PositiveInfinity);
                TVec bestIndex = TOps.Zero;
                for (int j = 0; j < k; j++)
                {
                    TVec v = TOps.Max(TOps.Add(TOps.Add(TOps.Load(ref *gt, (nuint)(((nint)j * h) + r)), xv), TOps.Create(CenterNorms[j])), TOps.Zero);
                    TVec less = TOps.CompareLessThan(v, best);
                    best = TOps.ConditionalSelect(less, v, best);
                    bestIndex = TOps.ConditionalSelect(less, TOps.Create(j), bestIndex);
                }

                for (int l = 0; l < TOps.Count; l++)
                {
                    double value = TOps.GetElement(best, l);
                    if (value < double.PositiveInfinity)
                    {
                        Store(i0 + r + l, (int)TOps.GetElement(bestIndex, l), value);
                    }
                    else
                    {
                        ScalarNearest(gt, h, xn, r + l, i0);
                    }
                }
            }

            return r;
        }

        private readonly void ScalarNearest(double* gt, int h, double* xn, int r, int i0)
        {
            double[] pool = ArrayPool<double>.Shared.Rent(K);
            for (int j = 0; j < K; j++)
            {
                pool[j] = Math.Max(0.0, (gt[((nint)j * h) + r] + xn[r]) + CenterNorms[j]);
            }

            int index = ArgMin(pool.AsSpan(0, K), out double value);
            ArrayPool<double>.Shared.Return(pool);
            Store(i0 + r, index, value);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(int row, int index, double value)
        {
            Nearest[row] = index;
            if (MinDistance != null)
            {
                MinDistance[row] = value;
            }
        }
    }

    /// <summary>‖x‖² of one short row (vectorised, no call overhead for the small d of clustering data).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double SquaredNorm(double* x, int d) => SquaredNorm<Vector256<double>, Simd256<double>>(x, d);

    /// <summary>‖x‖² at a given width: one vector accumulator, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double SquaredNorm<TVec, TOps>(double* x, int d)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int p = 0;
        double s = 0;
        if (TOps.IsHardwareAccelerated && d >= TOps.Count)
        {
            TVec acc = TOps.Zero;
            for (; p <= d - TOps.Count; p += TOps.Count)
            {
                TVec v = TOps.Load(ref *x, (nuint)p);
                acc = TOps.Add(acc, TOps.Multiply(v, v));
            }

            s = TOps.Sum(acc);
        }

        for (; p < d; p++)
        {
            s += x[p] * x[p];
        }

        return s;
    }

    /// <summary>row[j] ← max(0, (row[j] + xNorm) + cNorms[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddNormsAndClamp(double* row, double* cNorms, int k, double xNorm) =>
        AddNormsAndClamp<Vector256<double>, Simd256<double>>(row, cNorms, k, xNorm);

    /// <summary><see cref="AddNormsAndClamp(double*, double*, int, double)"/> at a given width (element-wise: same bits at every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddNormsAndClamp<TVec, TOps>(double* row, double* cNorms, int k, double xNorm)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int j = 0;
        if (TOps.IsHardwareAccelerated)
        {
            TVec xn = TOps.Create(xNorm);
            for (; j <= k - TOps.Count; j += TOps.Count)
            {
                TVec v = TOps.Add(TOps.Add(TOps.Load(ref *row, (nuint)j), xn), TOps.Load(ref *cNorms, (nuint)j));
                TOps.Store(TOps.Max(v, TOps.Zero), ref *row, (nuint)j);
            }
        }

        for (; j < k; j++)
        {
            row[j] = Math.Max(0.0, (row[j] + xNorm) + cNorms[j]);
        }
    }

    private static void CheckMatrix<T>(ReadOnlySpan<T> values, int rows, int cols, string name)
    {
        if (rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The row count of {name} must be non-negative.");
        }

        if (cols < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cols), cols, $"The column count of {name} must be non-negative.");
        }

        CheckLength(values.Length, (long)rows * cols, name);
    }

    private static void CheckLength(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} needs {needed} values but has {length}.", name);
        }
    }
}
