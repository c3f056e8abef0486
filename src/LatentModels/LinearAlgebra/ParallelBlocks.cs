namespace LatentModels.LinearAlgebra;

/// <summary>
/// Deterministic data parallelism: work is cut into fixed-size blocks whose boundaries depend only on the
/// problem size, never on the number of threads, so every block computes the same bits whichever thread runs it.
/// Reductions store one partial result per block and are combined afterwards in block order.
/// </summary>
public static class ParallelBlocks
{
    /// <summary>Resolves a user's degree of parallelism: values ≤ 0 mean "all cores".</summary>
    /// <param name="maxDegreeOfParallelism">The requested degree.</param>
    public static int Resolve(int maxDegreeOfParallelism) =>
        maxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;

    /// <summary>Number of blocks of <paramref name="blockSize"/> items needed for <paramref name="count"/> items.</summary>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block (the last block may be shorter).</param>
    public static int BlockCount(int count, int blockSize) => (count + blockSize - 1) / blockSize;

    /// <summary>
    /// Runs <paramref name="body"/> once per block (block index, first item, end item exclusive), in parallel when
    /// there is more than one block and more than one thread is allowed.
    /// </summary>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <param name="body">The work for one block.</param>
    public static void For(int count, int blockSize, int maxDegreeOfParallelism, Action<int, int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        int blocks = BlockCount(count, blockSize);
        int dop = Resolve(maxDegreeOfParallelism);
        if (blocks <= 1 || dop == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                int start = b * blockSize;
                body(b, start, Math.Min(count, start + blockSize));
            }

            return;
        }

        RunParallel(count, blockSize, blocks, dop, body, static (work, b, start, end) => work(b, start, end));
    }
    /// <summary>
    /// Allocation-free (when serial) form of <see cref="For(int, int, int, Action{int, int, int})"/>: the body receives
    /// a caller-supplied state value, so a static lambda needs no closure.
    /// </summary>
    /// <typeparam name="TState">The state passed to every block.</typeparam>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <param name="state">The state handed to <paramref name="body"/>.</param>
    /// <param name="body">The work for one block: state, block index, first item, end item (exclusive).</param>
    public static void For<TState>(int count, int blockSize, int maxDegreeOfParallelism, TState state,
        Action<TState, int, int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        int blocks = BlockCount(count, blockSize);
        int dop = Math.Min(Resolve(maxDegreeOfParallelism), blocks);
        if (blocks <= 1 || dop == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                int start = b * blockSize;
                body(state, b, start, Math.Min(count, start + blockSize));
            }

            return;
        }

        RunParallel(count, blockSize, blocks, dop, state, body);
    }

    /// <summary>
    /// The parallel branch of <see cref="For{TState}(int, int, int, TState, Action{TState, int, int, int})"/>, kept in its
    /// own method: the lambda's closure captures the arguments, and C# allocates a closure at the entry of the method that
    /// declares it, so inline it would cost an allocation on the serial path too.
    /// </summary>
    private static void RunParallel<TState>(int count, int blockSize, int blocks, int dop, TState state, Action<TState, int, int, int> body) =>
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = dop }, b =>
        {
            int start = b * blockSize;
            body(state, b, start, Math.Min(count, start + blockSize));
        });
}
