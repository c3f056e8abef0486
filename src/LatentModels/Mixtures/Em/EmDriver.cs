using System.Diagnostics;

namespace LatentModels.Mixtures.Em;

/// <summary>
/// The one EM driver of every mixture (Gaussian batch and incremental EM, the generic families): multi-start with one
/// generator per start drawn from the seed, the iteration loop with the peer's stopping rule
/// (<see cref="EmStarts.Iterate"/>), the objective trace, <see cref="IProgress{T}"/> reports, cancellation between
/// iterations, and the start with the best final objective (the first on ties).
/// </summary>
internal static class EmDriver
{
    /// <summary>Runs <paramref name="starts"/> starts of <paramref name="run"/> and returns the best with its report.</summary>
    /// <param name="run">The family's start, iteration and snapshot.</param>
    /// <param name="starts">Number of starts (at least 1).</param>
    /// <param name="seed">Seed of the generator that draws every start's own seed.</param>
    /// <param name="maxIterations">Iterations per start.</param>
    /// <param name="tolerance">Stopping tolerance on the objective's change.</param>
    /// <param name="objectiveName">The name of the traced objective.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Checked before every start and iteration.</param>
    /// <param name="clock">Started when the fit began (the report's elapsed time).</param>
    /// <param name="stopAtOnce">Stop in the iteration whose objective settled (the peer's variational loop, whose bound is
    /// computed after the M-step) instead of one iteration later (see <see cref="EmStarts.Iterate"/>).</param>
    public static (TModel Model, FitReport Report) Run<TModel>(IEmRun<TModel> run, int starts, int seed, int maxIterations, double tolerance,
        string objectiveName, IProgress<FitProgress>? progress, CancellationToken cancellationToken, Stopwatch clock, bool stopAtOnce = false) where TModel : class
    {
        var seeds = new Random(seed);
        var best = new BestStart<TModel>();
        for (int start = 0; start < starts; start++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var random = new Random(seeds.Next());
            double previous = run.Start(start, random);
            (List<double> trace, bool converged) = EmStarts.Iterate(start, maxIterations, tolerance, previous, () => run.Iterate(random), progress, cancellationToken, stopAtOnce);
            best.Offer(trace, converged, run.Snapshot, previous);
        }

        return (best.Model, best.Report(objectiveName, clock.Elapsed));
    }
}
