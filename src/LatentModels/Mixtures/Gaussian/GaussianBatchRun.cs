using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>Batch EM of a Gaussian mixture for the driver: the engine's fused block E-step and the rule's M-step.</summary>
internal sealed class GaussianBatchRun : IEmRun<GaussianComponents>
{
    private readonly GaussianMixtureEngine _engine;
    private readonly Action<Random> _initialize;
    private readonly Func<double> _eStep;

    /// <summary>The in-memory run: the starts of <see cref="GaussianMixture.Initialize(GaussianMixtureEngine, double[,], double[], GaussianMixtureOptions, Random, CancellationToken)"/> and the engine's E-step.</summary>
    public GaussianBatchRun(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, GaussianMixtureOptions options, CancellationToken cancellationToken = default)
        : this(engine, random => GaussianMixture.Initialize(engine, data, sampleWeights, options, random, cancellationToken), engine.EStep)
    {
        engine.Cancellation = cancellationToken;
    }

    /// <summary>A run whose start (setting <c>engine.Current</c>) and E-step (filling <c>engine.Totals</c>, returning the mean log-likelihood) are given: the out-of-core fit's passes.</summary>
    public GaussianBatchRun(GaussianMixtureEngine engine, Action<Random> initialize, Func<double> eStep)
    {
        _engine = engine;
        _initialize = initialize;
        _eStep = eStep;
    }

    public double Start(int start, Random random)
    {
        _initialize(random);
        return _engine.Objective(_eStep());
    }

    public double Iterate(Random random)
    {
        _engine.MStep(random);
        return _engine.Objective(_eStep());
    }

    public GaussianComponents Snapshot() => _engine.Current.Clone();
}
