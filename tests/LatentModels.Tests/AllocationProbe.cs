namespace LatentModels.Tests;

/// <summary>
/// Steady-state allocation measurement. The runtime itself may allocate on the test thread the first few times a method
/// is promoted by tiered compilation (call-counting and on-stack-replacement transitions), which made single
/// measurements flaky on a loaded machine. A real per-call allocation shows up in every attempt, so the minimum over a
/// few attempts is the code's own allocation.
/// </summary>
internal static class AllocationProbe
{
    /// <summary>The fewest bytes <paramref name="action"/> allocated on this thread in any of <paramref name="attempts"/> runs.</summary>
    public static long Minimum(Action action, int attempts = 20)
    {
        long best = long.MaxValue;
        for (int a = 0; a < attempts && best > 0; a++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return best;
    }

    /// <summary>
    /// The fewest bytes allocated by the whole process — every thread, so the kernel's worker threads too — while
    /// <paramref name="action"/> ran, in any of <paramref name="attempts"/> runs. Other tests running at the same time
    /// would count as well: use it from a test in the <see cref="SerialCollection"/>.
    /// </summary>
    public static long MinimumProcessWide(Action action, int attempts = 20)
    {
        long best = long.MaxValue;
        for (int a = 0; a < attempts && best > 0; a++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            action();
            best = Math.Min(best, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return best;
    }

    /// <summary>
    /// The fewest bytes <paramref name="action"/> allocated on the threads that ran it — this thread and the kernel's
    /// worker-pool helpers (<see cref="LatentModels.LinearAlgebra.WorkerPool.HelperAllocatedBytes"/>) — in any of
    /// <paramref name="attempts"/> runs; allocations of other threads (other tests, the test host) do not count.
    /// </summary>
    public static long MinimumOnWorkingThreads(Action action, int attempts = 20)
    {
        long best = long.MaxValue;
        for (int a = 0; a < attempts && best > 0; a++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread() + LatentModels.LinearAlgebra.WorkerPool.HelperAllocatedBytes();
            action();
            long after = GC.GetAllocatedBytesForCurrentThread() + LatentModels.LinearAlgebra.WorkerPool.HelperAllocatedBytes();
            best = Math.Min(best, after - before);
        }

        return best;
    }
}
