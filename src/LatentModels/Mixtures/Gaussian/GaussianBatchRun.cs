using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>Batch EM of a Gaussian mixture for the driver: the engine's fused block E-step and the rule's M-step.</summary>
internal sealed class GaussianBatchRun : IEmRun<GaussianComponents>
{
    private readonly GaussianMixtureEngine _engine;
    private readonly double[,] _data;
    private readonly double[]? _sampleWeights;
    private readonly GaussianMixtureOptions _options;
    private readonly CancellationToken _cancellationToken;

    public GaussianBatchRun(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, GaussianMixtureOptions options, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        _engine = engine;
        engine.Cancellation = cancellationToken;
        _data = data;
        _sampleWeights = sampleWeights;
        _options = options;
    }

    public double Start(int start, Random random)
    {
        GaussianMixture.Initialize(_engine, _data, _sampleWeights, _options, random, _cancellationToken);
        return _engine.Objective(_engine.EStep());
    }

    public double Iterate(Random random)
    {
        _engine.MStep(random);
        return _engine.Objective(_engine.EStep());
    }

    public GaussianComponents Snapshot() => _engine.Current.Clone();
}
