namespace LatentModels.LinearAlgebra;

/// <summary>
/// One <see cref="ParallelBlocks"/> job as the <see cref="WorkerPool"/> runs it: blocks are claimed in increasing order
/// from one shared counter by every thread taking part, so the blocks that have been claimed always form a prefix
/// 0 … m − 1 of the job, and every claimed block runs to its end. A block's bits depend only on the block (its index
/// and item range), never on the thread that claimed it.
/// </summary>
/// <remarks>
/// A block that throws stops the claiming of further blocks (blocks already claimed on other threads finish). Because
/// claims are made in order, every block before the first failing block has run, and the failure recorded is the one
/// of the lowest-indexed block that threw — the exception a serial run would have thrown. Blocks after it may or may not
/// have run. The instances are pre-allocated (<see cref="PoolJob{TState}.Shared"/>) and reused, so a job allocates nothing.
/// </remarks>
internal abstract class PoolJob
{
    private readonly object _failureGate = new();
    private int _next;
    private int _blocks;
    private int _count;
    private int _blockSize;
    private volatile bool _stop;
    private int _failedBlock;
    private Exception? _failure;

    /// <summary>Runs the blocks of this job that this thread claims; never throws (a block's exception is recorded).</summary>
    public void Work()
    {
        while (!_stop)
        {
            int b = Interlocked.Increment(ref _next) - 1;
            if (b >= _blocks)
            {
                return;
            }

            int start = b * _blockSize;
            try
            {
                RunBlock(b, start, Math.Min(_count, start + _blockSize));
            }
            catch (Exception e)
            {
                Fail(b, e);
            }
        }
    }

    /// <summary>Sets the job's shape; called by the pool owner before any worker can see the job.</summary>
    protected void PrepareShape(int count, int blockSize, int blocks)
    {
        _count = count;
        _blockSize = blockSize;
        _blocks = blocks;
        _next = 0;
        _stop = false;
        _failedBlock = int.MaxValue;
        _failure = null;
    }

    /// <summary>
    /// Called by the pool owner once every thread has left <see cref="Work"/>: drops the references the job holds (state,
    /// body) so they can be collected, and returns the exception of the lowest-indexed failing block, if any.
    /// </summary>
    public Exception? Finish()
    {
        Exception? failure = _failure;
        _failure = null;
        ReleaseReferences();
        return failure;
    }

    /// <summary>Runs one block (block index, first item, end item exclusive).</summary>
    protected abstract void RunBlock(int block, int start, int end);

    /// <summary>Drops the state and body references.</summary>
    protected abstract void ReleaseReferences();

    private void Fail(int block, Exception e)
    {
        lock (_failureGate)
        {
            if (block < _failedBlock)
            {
                _failedBlock = block;
                _failure = e;
            }
        }

        _stop = true;
    }
}
