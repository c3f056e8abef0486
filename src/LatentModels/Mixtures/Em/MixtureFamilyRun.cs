namespace LatentModels.Mixtures.Em;

/// <summary>
/// Batch EM of a generic mixture (<see cref="Mixture{TComponent}"/>: Bernoulli, categorical, any weighted-MLE family)
/// for the driver: the family's E-step into the shared responsibility buffers, <see cref="EmptyComponentRepair"/> and its M-step.
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
internal sealed class MixtureFamilyRun<TComponent> : IEmRun<MixtureModel<TComponent>> where TComponent : class
{
    private readonly Mixture<TComponent> _estimator;
    private readonly double[,] _data;
    private readonly double[]? _sampleWeights;
    private readonly MixtureModel<TComponent>? _initial;
    private readonly double[] _responsibilities;
    private readonly double[] _logNormalizers;
    private MixtureModel<TComponent>? _model;

    public MixtureFamilyRun(Mixture<TComponent> estimator, double[,] data, double[]? sampleWeights, MixtureModel<TComponent>? initial)
    {
        _estimator = estimator;
        _data = data;
        _sampleWeights = sampleWeights;
        _initial = initial;
        int n = data.GetLength(0);
        _responsibilities = new double[n * estimator.Options.Components];
        _logNormalizers = new double[n];
    }

    public double Start(int start, Random random)
    {
        _model = _initial ?? _estimator.Initialize(_data, _sampleWeights, random);
        return _estimator.EStep(_model, _data, _sampleWeights, _responsibilities, _logNormalizers);
    }

    public double Iterate(Random random)
    {
        if (_estimator.Options.PseudoCount == 0)
        {
            // Maximum likelihood: a component that lost all its weight is re-seeded at the worst-explained row (the MAP
            // update defines it from the prior instead).
            EmptyComponentRepair.Repair(_data, _sampleWeights, _responsibilities, _logNormalizers, _estimator.Options.Components);
        }

        _model = _estimator.MStep(_data, _responsibilities);
        return _estimator.EStep(_model, _data, _sampleWeights, _responsibilities, _logNormalizers);
    }

    public MixtureModel<TComponent> Snapshot() => _model!;
}
