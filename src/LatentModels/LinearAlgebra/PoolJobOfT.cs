namespace LatentModels.LinearAlgebra;

/// <summary>
/// A <see cref="PoolJob"/> carrying a caller's state and body. There is one pre-allocated instance per state type
/// (<see cref="Shared"/>), used only by the thread that owns the <see cref="WorkerPool"/> (the pool runs one job at a
/// time), so handing a job to the workers allocates nothing and a value-type state is never boxed.
/// </summary>
/// <typeparam name="TState">The state passed to every block.</typeparam>
internal sealed class PoolJob<TState> : PoolJob
{
    private TState _state = default!;
    private Action<TState, int, int, int>? _body;

    /// <summary>The instance the pool owner fills for a job of this state type.</summary>
    public static PoolJob<TState> Shared { get; } = new();

    /// <summary>Fills the job; called by the pool owner before any worker can see it.</summary>
    public void Prepare(int count, int blockSize, int blocks, TState state, Action<TState, int, int, int> body)
    {
        PrepareShape(count, blockSize, blocks);
        _state = state;
        _body = body;
    }

    /// <inheritdoc />
    protected override void RunBlock(int block, int start, int end) => _body!(_state, block, start, end);

    /// <inheritdoc />
    protected override void ReleaseReferences()
    {
        _state = default!;
        _body = null;
    }
}
