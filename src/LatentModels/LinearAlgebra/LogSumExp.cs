using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>Numerically stable log-sum-exp and log-weight normalisation (the maximum is always subtracted first).</summary>
/// <remarks>
/// <para>Conventions for non-finite input: a row whose entries are all −∞ has log-sum-exp −∞, and
/// <see cref="NormalizeRowsInPlace(Span{double}, int, int, Span{double})"/> turns it into the uniform distribution (1/cols each) — the only choice that keeps
/// the row a probability vector; callers that must treat such rows as errors can test the returned −∞. A row holding
/// +∞ has log-sum-exp +∞; a row holding NaN gives NaN. Probabilities of rows with +∞ or NaN are NaN.</para>
/// <para>Rows are processed in fixed blocks; the result of a row never depends on the number of threads.</para>
/// </remarks>
public static class LogSumExp
{
    /// <summary>Target number of values per parallel block.</summary>
    private const int BlockValues = 8192;

    /// <summary>Below this many values the work stays on the calling thread.</summary>
    private const int ParallelThreshold = 1 << 16;

    /// <summary>log Σ exp(vᵢ), stable for any finite input; −∞ when every value is −∞ (or there are none).</summary>
    /// <param name="values">The values.</param>
    public static double Compute(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NegativeInfinity;
        }

        double max = TensorPrimitives.Max(values);
        if (!double.IsFinite(max))
        {
            return max;
        }

        double[] scratch = ArrayPool<double>.Shared.Rent(Math.Min(values.Length, BlockValues));
        try
        {
            double s = 0;
            for (int start = 0; start < values.Length; start += scratch.Length)
            {
                ReadOnlySpan<double> chunk = values.Slice(start, Math.Min(scratch.Length, values.Length - start));
                Span<double> e = scratch.AsSpan(0, chunk.Length);
                TensorPrimitives.Subtract(chunk, max, e);
                ElementwiseMath.Exp(e, e);
                s += TensorPrimitives.Sum(e);
            }

            return max + Math.Log(s);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>Row-wise log-sum-exp of a row-major rows × cols matrix.</summary>
    /// <param name="values">rows × cols, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="destination">rows results.</param>
    public static void Rows(ReadOnlySpan<double> values, int rows, int cols, Span<double> destination) =>
        Rows(values, rows, cols, destination, 0);

    /// <summary>Row-wise log-sum-exp of a row-major rows × cols matrix, with a thread cap.</summary>
    /// <param name="values">rows × cols, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="destination">rows results.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static unsafe void Rows(ReadOnlySpan<double> values, int rows, int cols, Span<double> destination, int maxDegreeOfParallelism)
    {
        Check(values.Length, rows, cols, nameof(values));
        if (destination.Length < rows)
        {
            throw new ArgumentException($"destination needs {rows} values but has {destination.Length}.", nameof(destination));
        }

        fixed (double* pv = values)
        fixed (double* pd = destination)
        {
            var job = new Job { Values = pv, Cols = cols, Lse = pd, Normalize = false };
            Run(rows, cols, maxDegreeOfParallelism, job);
        }
    }

    /// <summary>
    /// Turns each row of log-weights into normalised probabilities in place (exp(vᵢ − LSE)), and writes each row's
    /// log-sum-exp into <paramref name="logNormalizers"/> (which may be empty). All-−∞ rows become uniform.
    /// </summary>
    /// <param name="logWeights">rows × cols, row-major; overwritten with probabilities.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="logNormalizers">rows log-sum-exp values, or empty.</param>
    public static void NormalizeRowsInPlace(Span<double> logWeights, int rows, int cols, Span<double> logNormalizers) =>
        NormalizeRowsInPlace(logWeights, rows, cols, logNormalizers, 0);

    /// <summary>
    /// As <see cref="NormalizeRowsInPlace(Span{double}, int, int, Span{double})"/>, with a thread cap.
    /// </summary>
    /// <param name="logWeights">rows × cols, row-major; overwritten with probabilities.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="logNormalizers">rows log-sum-exp values, or empty.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static unsafe void NormalizeRowsInPlace(Span<double> logWeights, int rows, int cols, Span<double> logNormalizers,
        int maxDegreeOfParallelism)
    {
        Check(logWeights.Length, rows, cols, nameof(logWeights));
        if (!logNormalizers.IsEmpty && logNormalizers.Length < rows)
        {
            throw new ArgumentException($"logNormalizers needs {rows} values but has {logNormalizers.Length}.", nameof(logNormalizers));
        }

        fixed (double* pv = logWeights)
        fixed (double* pd = logNormalizers)
        {
            var job = new Job { Values = pv, Cols = cols, Lse = pd, Normalize = true };
            Run(rows, cols, maxDegreeOfParallelism, job);
        }
    }

    private static void Run(int rows, int cols, int maxDegreeOfParallelism, Job job)
    {
        if (rows == 0)
        {
            return;
        }

        int rowsPerBlock = Math.Max(1, BlockValues / Math.Max(cols, 1));
        int dop = (long)rows * cols >= ParallelThreshold ? maxDegreeOfParallelism : 1;
        ParallelBlocks.For(rows, rowsPerBlock, dop, job, static (j, _, i0, i1) => j.Block(i0, i1));
    }

    private static void Check(int length, int rows, int cols, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (length < (long)rows * cols)
        {
            throw new ArgumentException($"{name} needs {(long)rows * cols} values ({rows} × {cols}) but has {length}.", name);
        }
    }

    private unsafe struct Job
    {
        public double* Values;
        public int Cols;
        public double* Lse;
        public bool Normalize;

        /// <summary>
        /// Rows [i0, i1): per-row maxima, then one block-wide exp of the shifted values (into scratch, or in place when
        /// normalising), then per-row sums.
        /// </summary>
        public readonly void Block(int i0, int i1)
        {
            int h = i1 - i0, d = Cols, count = h * d;
            double* block = Values + ((nint)i0 * d);
            double[] pool = ArrayPool<double>.Shared.Rent(count + h);
            fixed (double* buffer = pool)
            {
                double* max = buffer + count;
                double* e = Normalize ? block : buffer;
                for (int i = 0; i < h; i++)
                {
                    var row = new ReadOnlySpan<double>(block + ((nint)i * d), d);
                    double m = d == 0 ? double.NegativeInfinity : TensorPrimitives.Max(row);
                    max[i] = m;
                    SubtractScalar(block + ((nint)i * d), e + ((nint)i * d), d, double.IsFinite(m) ? m : 0.0);
                }

                var all = new Span<double>(e, count);
                ElementwiseMath.Exp(all, all);
                for (int i = 0; i < h; i++)
                {
                    double m = max[i];
                    double* er = e + ((nint)i * d);
                    double lse;
                    if (double.IsFinite(m))
                    {
                        double s = TensorPrimitives.Sum(new ReadOnlySpan<double>(er, d));
                        lse = m + Math.Log(s);
                        if (Normalize)
                        {
                            TensorPrimitives.Divide(new ReadOnlySpan<double>(er, d), s, new Span<double>(er, d));
                        }
                    }
                    else
                    {
                        // All −∞ (max −∞), or a +∞ / NaN present.
                        lse = m;
                        if (Normalize)
                        {
                            new Span<double>(er, d).Fill(double.IsNegativeInfinity(m) ? 1.0 / d : double.NaN);
                        }
                    }

                    if (Lse != null)
                    {
                        Lse[i0 + i] = lse;
                    }
                }
            }

            ArrayPool<double>.Shared.Return(pool);
        }
    }

    /// <summary>dest[j] = src[j] − m (src and dest may be the same), four lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SubtractScalar(double* src, double* dest, int n, double m) =>
        SubtractScalar<Vector256<double>, Simd256<double>>(src, dest, n, m);

    /// <summary>dest[j] = src[j] − m at a given width (one rounding per element, so every width gives the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SubtractScalar<TVec, TOps>(double* src, double* dest, int n, double m)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int j = 0;
        if (TOps.IsHardwareAccelerated)
        {
            TVec vm = TOps.Create(m);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TOps.Store(TOps.Subtract(TOps.Load(ref *src, (nuint)j), vm), ref *dest, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            dest[j] = src[j] - m;
        }
    }
}
