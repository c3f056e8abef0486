namespace LatentModels.Mixtures.Em;

/// <summary>
/// What a family (or an EM variant) gives the one EM driver: how to start, how to take one iteration and how to copy the
/// parameters. The driver owns everything else — starts and their seeds, the iteration loop, the stopping rule, the
/// objective trace, progress, cancellation and keeping the best start.
/// </summary>
/// <typeparam name="TModel">What is kept of a start.</typeparam>
internal interface IEmRun<TModel> where TModel : class
{
    /// <summary>
    /// Sets the starting parameters of start <paramref name="start"/>, drawing from <paramref name="random"/> (the start's
    /// own generator, also passed to every <see cref="Iterate"/> of the start). Returns the objective of the start, or NaN
    /// when the variant has none (the first change then never stops the run).
    /// </summary>
    double Start(int start, Random random);

    /// <summary>One iteration — M-step and E-step for batch EM, one pass for incremental EM — returning the objective of the new parameters.</summary>
    double Iterate(Random random);

    /// <summary>A copy of the current parameters (called only for a start that is kept).</summary>
    TModel Snapshot();
}
