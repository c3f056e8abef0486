namespace LatentModels.Mixtures.Em;

/// <summary>The start with the highest final objective so far (the first on ties) with its trace.</summary>
/// <typeparam name="TModel">What is kept of a start.</typeparam>
internal sealed class BestStart<TModel> where TModel : class
{
    private double _objective = double.NegativeInfinity;
    private TModel? _model;
    private List<double>? _trace;
    private bool _converged;

    /// <summary>The kept start's model; valid once a start was offered.</summary>
    public TModel Model => _model!;

    /// <summary>
    /// Keeps the run if it is the first or its final objective is higher; <paramref name="snapshot"/> is called only then.
    /// A run of zero iterations (an empty trace) is judged by <paramref name="startObjective"/>, the objective of its start.
    /// </summary>
    public void Offer(List<double> trace, bool converged, Func<TModel> snapshot, double startObjective = double.NaN)
    {
        double final = trace.Count > 0 ? trace[^1] : startObjective;
        if (_model is null || final > _objective)
        {
            _model = snapshot();
            _objective = final;
            _trace = trace;
            _converged = converged;
        }
    }

    /// <summary>The fit report of the kept start.</summary>
    public FitReport Report(string objectiveName, TimeSpan elapsed) => new(objectiveName, _trace!.Count, _converged, _trace, elapsed);
}
