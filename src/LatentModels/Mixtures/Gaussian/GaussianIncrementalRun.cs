using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>Incremental EM of a Gaussian mixture for the driver: one iteration is one pass over the rows.</summary>
internal sealed class GaussianIncrementalRun : IEmRun<GaussianComponents>
{
    private readonly GaussianMixtureEngine _engine;
    private readonly double[,] _data;
    private readonly GaussianMixtureOptions _options;
    private IncrementalEmState? _state;

    public GaussianIncrementalRun(GaussianMixtureEngine engine, double[,] data, GaussianMixtureOptions options)
    {
        _engine = engine;
        _data = data;
        _options = options;
    }

    public double Start(int start, Random random)
    {
        GaussianMixture.Initialize(_engine, _data, null, _options, random);
        _state = new IncrementalEmState(_engine, _data, random);
        return double.NaN; // the first pass never stops, and a zero tolerance runs every pass
    }

    public double Iterate(Random random)
    {
        _state!.Pass();
        return _engine.Objective(new GaussianMixtureModel(_engine.Current).ScoreChecked(_data));
    }

    public GaussianComponents Snapshot() => _engine.Current.Clone();
}
