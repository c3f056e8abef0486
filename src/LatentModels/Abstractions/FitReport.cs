namespace LatentModels;

/// <summary>What happened during a fit: iterations, convergence and the objective trace.</summary>
public sealed class FitReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="objectiveName">Name of the traced objective, e.g. <c>"inertia"</c> or <c>"meanLogLikelihood"</c>.</param>
    /// <param name="iterations">Iterations performed by the best start.</param>
    /// <param name="converged">Whether the best start met its convergence criterion before the iteration cap.</param>
    /// <param name="objectiveTrace">The objective after each iteration of the best start.</param>
    /// <param name="elapsed">Wall-clock time of the whole fit (all starts).</param>
    public FitReport(string objectiveName, int iterations, bool converged, IReadOnlyList<double> objectiveTrace, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(objectiveName);
        ArgumentNullException.ThrowIfNull(objectiveTrace);
        ObjectiveName = objectiveName;
        Iterations = iterations;
        Converged = converged;
        ObjectiveTrace = objectiveTrace;
        Elapsed = elapsed;
    }

    /// <summary>Name of the traced objective.</summary>
    public string ObjectiveName { get; }

    /// <summary>Iterations performed by the best start.</summary>
    public int Iterations { get; }

    /// <summary>Whether the best start converged before reaching the iteration cap.</summary>
    public bool Converged { get; }

    /// <summary>The objective after each iteration of the best start.</summary>
    public IReadOnlyList<double> ObjectiveTrace { get; }

    /// <summary>Wall-clock time of the whole fit.</summary>
    public TimeSpan Elapsed { get; }
}
