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
    /// <remarks>
    /// The body is called for every block, on the calling thread or on one of the kernel's worker threads (see
    /// <see cref="For{TState}(int, int, int, TState, Action{TState, int, int, int}, int)"/> for the threading,
    /// nesting and exception rules). A lambda that captures variables allocates its closure at every call; the
    /// state-passing overload with a static lambda allocates nothing.
    /// </remarks>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <param name="body">The work for one block.</param>
    public static void For(int count, int blockSize, int maxDegreeOfParallelism, Action<int, int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        For(count, blockSize, maxDegreeOfParallelism, body, static (work, b, start, end) => work(b, start, end), 1);
    }

    /// <summary>
    /// Allocation-free form of <see cref="For(int, int, int, Action{int, int, int})"/>: the body receives a
    /// caller-supplied state value, so a static lambda needs no closure.
    /// </summary>
    /// <typeparam name="TState">The state passed to every block.</typeparam>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <param name="state">The state handed to <paramref name="body"/>.</param>
    /// <param name="body">The work for one block: state, block index, first item, end item (exclusive).</param>
    public static void For<TState>(int count, int blockSize, int maxDegreeOfParallelism, TState state,
        Action<TState, int, int, int> body) =>
        For(count, blockSize, maxDegreeOfParallelism, state, body, 1);

    /// <summary>
    /// Runs <paramref name="body"/> once per block with a caller-supplied state, on the calling thread and the kernel's
    /// persistent worker threads, using at most one thread per <paramref name="minimumBlocksPerThread"/> blocks.
    /// </summary>
    /// <remarks>
    /// <para><b>Threads.</b> The kernel keeps up to <see cref="Environment.ProcessorCount"/> − 1 long-lived background
    /// threads, started on first use. A call uses min(degree, blocks / <paramref name="minimumBlocksPerThread"/>,
    /// processor count) threads, the calling thread included; each claims the next unclaimed block until none is left.
    /// Block boundaries depend only on <paramref name="count"/> and <paramref name="blockSize"/>, so every block
    /// computes the same bits whichever thread runs it. Once the threads exist a call allocates nothing.</para>
    /// <para><b>Cost.</b> Handing blocks to a worker costs a cross-core signal: around a microsecond while the worker
    /// is still spinning after its last job, tens of microseconds once it has gone to sleep. When blocks are that cheap,
    /// give a <paramref name="minimumBlocksPerThread"/> &gt; 1; a job with fewer than twice that many blocks then runs
    /// inline on the calling thread.</para>
    /// <para><b>Nesting and concurrent callers.</b> The pool runs one job at a time. A call made inside a block (nested)
    /// or while another thread's job is running runs all its blocks inline on its own thread — never waiting for the
    /// pool, so it cannot deadlock and never oversubscribes the processors; the results are the same.</para>
    /// <para><b>Exceptions.</b> A block that throws stops the claiming of further blocks; after every thread has left
    /// the job, the exception of the lowest-indexed block that threw is rethrown here as the original exception (not an
    /// <see cref="AggregateException"/>), the same exception a serial run throws. Every block before that one has run
    /// completely; blocks after it may or may not have run. A body that checks a cancellation token and throws
    /// <see cref="OperationCanceledException"/> therefore cancels the call with that exception.</para>
    /// </remarks>
    /// <typeparam name="TState">The state passed to every block.</typeparam>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <param name="state">The state handed to <paramref name="body"/>.</param>
    /// <param name="body">The work for one block: state, block index, first item, end item (exclusive).</param>
    /// <param name="minimumBlocksPerThread">The fewest blocks worth giving one thread (≥ 1).</param>
    public static void For<TState>(int count, int blockSize, int maxDegreeOfParallelism, TState state,
        Action<TState, int, int, int> body, int minimumBlocksPerThread)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumBlocksPerThread, 1);
        int blocks = BlockCount(count, blockSize);
        int threads = Math.Min(Resolve(maxDegreeOfParallelism), blocks / minimumBlocksPerThread);
        if (threads > 1 && WorkerPool.TryRun(count, blockSize, blocks, threads, state, body))
        {
            return;
        }

        for (int b = 0; b < blocks; b++)
        {
            int start = b * blockSize;
            body(state, b, start, Math.Min(count, start + blockSize));
        }
    }
}
