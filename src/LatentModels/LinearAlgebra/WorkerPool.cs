using System.Runtime.ExceptionServices;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The persistent worker threads behind <see cref="ParallelBlocks"/>: at most <see cref="Environment.ProcessorCount"/>
/// − 1 long-lived background threads, started lazily (only as many as a call has asked for so far), which together with
/// the calling thread run one job at a time. Handing a job over allocates nothing once the threads exist.
/// </summary>
/// <remarks>
/// <para><b>Hand-over.</b> The caller fills the pre-allocated <see cref="PoolJob{TState}"/> of its state type (generic,
/// so a value-type state is not boxed), gives each helper it wants a ticket and sets the helper's wake event; it then
/// claims blocks itself. A helper wakes, takes its ticket and claims blocks too. When no block is left the caller takes
/// back the tickets that no helper has taken yet (a helper still asleep is not waited for) and waits for the helpers
/// that did take one to leave the job. Waiting is spin-then-block on both sides (<see cref="ManualResetEventSlim"/> with
/// the largest spin count, which spins and yields for a short while before sleeping), so a helper woken at every step of
/// a training loop stays hot and one that is no longer needed soon stops using the processor.</para>
/// <para><b>One job at a time; nesting; concurrent callers.</b> A call made while the pool is busy runs all its blocks
/// inline on the calling thread: a body that itself calls <see cref="ParallelBlocks"/> (on a helper or on the owning
/// caller), and a second user thread that calls while another's job is running. Nobody ever waits for the pool, so there
/// is no deadlock and never more threads busy than the pool has; the results are the same bits either way.</para>
/// <para><b>Failures.</b> A block's exception stops further claims; once every thread has left the job the exception of
/// the lowest-indexed failing block is rethrown on the caller as the original exception with its stack trace (see
/// <see cref="PoolJob"/>).</para>
/// </remarks>
internal static class WorkerPool
{
    /// <summary>The spin count of every wait (the largest <see cref="ManualResetEventSlim"/> allows).</summary>
    private const int SpinCount = 2047;

    private static readonly int _capacity = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly ManualResetEventSlim[] _wake = new ManualResetEventSlim[_capacity];
    private static readonly int[] _tickets = new int[_capacity];
    private static readonly long[] _helperAllocated = new long[_capacity];
    private static readonly ManualResetEventSlim _done = new(false, SpinCount);
    private static readonly object _startGate = new();
    private static int _started;
    private static int _busy;
    private static int _pending;
    private static PoolJob? _job;

    /// <summary>True on the pool's helper threads, and on a caller while it runs its own job.</summary>
    [ThreadStatic]
    private static bool _inJob;

    /// <summary>The most helper threads the pool will use (the processor count − 1).</summary>
    public static int Capacity => _capacity;

    /// <summary>
    /// The bytes the helper threads had allocated, in total, when each last finished a job (each helper records
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/> before it signals the end of its part). Tests add it to the
    /// caller's own count to measure what a parallel call allocates on the threads that did its work, whatever other
    /// threads of the process allocate meanwhile.
    /// </summary>
    public static long HelperAllocatedBytes()
    {
        long total = 0;
        for (int i = 0; i < _capacity; i++)
        {
            total += Volatile.Read(ref _helperAllocated[i]);
        }

        return total;
    }

    /// <summary>
    /// Runs the job on the calling thread and up to <paramref name="threads"/> − 1 helpers if the pool is free and the call
    /// is not nested in a job; returns false (having run nothing) otherwise, and the caller then runs the blocks inline.
    /// </summary>
    /// <typeparam name="TState">The state passed to every block.</typeparam>
    /// <param name="count">Number of items.</param>
    /// <param name="blockSize">Items per block.</param>
    /// <param name="blocks">Number of blocks (at least 2).</param>
    /// <param name="threads">Threads wanted, the caller included (at least 2).</param>
    /// <param name="state">The state handed to <paramref name="body"/>.</param>
    /// <param name="body">The work for one block.</param>
    /// <returns>True when the job ran (all blocks, or up to a failing one whose exception was rethrown).</returns>
    public static bool TryRun<TState>(int count, int blockSize, int blocks, int threads, TState state, Action<TState, int, int, int> body)
    {
        if (_inJob || _capacity == 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            int helpers = Math.Min(threads - 1, _capacity);
            EnsureStarted(helpers);
            PoolJob<TState> job = PoolJob<TState>.Shared;
            job.Prepare(count, blockSize, blocks, state, body);
            _job = job;
            _done.Reset();
            Volatile.Write(ref _pending, helpers);
            for (int i = 0; i < helpers; i++)
            {
                Volatile.Write(ref _tickets[i], 1);
                _wake[i].Set();
            }

            _inJob = true;
            job.Work();
            _inJob = false;

            // No block is left to claim: a helper that has not taken its ticket yet is not needed.
            int retracted = 0;
            for (int i = 0; i < helpers; i++)
            {
                retracted += Interlocked.CompareExchange(ref _tickets[i], 0, 1);
            }

            // The helper whose decrement reaches zero sets _done; wait for it unless the retraction itself reached zero.
            bool wait = retracted == 0 ? helpers > 0 : Interlocked.Add(ref _pending, -retracted) != 0;
            if (wait)
            {
                WaitForHelpers();
            }

            _job = null;
            Exception? failure = job.Finish();
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Waits until the last helper has left the job. The wait cannot be cut short: the pool is released only when no
    /// helper touches the job any more, so a <see cref="Thread.Interrupt"/> meanwhile is re-posted once the wait is over.
    /// </summary>
    private static void WaitForHelpers()
    {
        bool interrupted = false;
        while (true)
        {
            try
            {
                _done.Wait();
                break;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }

        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }

    private static void EnsureStarted(int helpers)
    {
        if (Volatile.Read(ref _started) >= helpers)
        {
            return;
        }

        lock (_startGate)
        {
            while (_started < helpers)
            {
                int i = _started;
                _wake[i] = new ManualResetEventSlim(false, SpinCount);
                var thread = new Thread(HelperLoop) { IsBackground = true, Name = $"LatentModels worker {i + 1}" };
                thread.Start(i);
                Volatile.Write(ref _started, i + 1);
            }
        }
    }

    private static void HelperLoop(object? index)
    {
        int i = (int)index!;
        _inJob = true;
        ManualResetEventSlim wake = _wake[i];
        while (true)
        {
            wake.Wait();
            wake.Reset();

            // A wake-up without a ticket is one the caller took back (or a stale one): nothing to do.
            if (Interlocked.CompareExchange(ref _tickets[i], 0, 1) != 1)
            {
                continue;
            }

            _job!.Work();
            Volatile.Write(ref _helperAllocated[i], GC.GetAllocatedBytesForCurrentThread());
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}
