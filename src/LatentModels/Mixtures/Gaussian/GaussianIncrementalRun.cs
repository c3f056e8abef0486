using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>Incremental EM of a Gaussian mixture for the driver: one iteration is one pass over the rows.</summary>
internal sealed class GaussianIncrementalRun : IEmRun<GaussianComponents>
{
    private readonly GaussianMixtureEngine _engine;
    private readonly double[,] _data;
    private readonly double[]? _sampleWeights;
    private readonly GaussianMixtureOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly double[] _logDensities;
    private IncrementalEmState? _state;

    public GaussianIncrementalRun(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, GaussianMixtureOptions options, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        _engine = engine;
        _data = data;
        _sampleWeights = sampleWeights;
        _options = options;
        _logDensities = sampleWeights is null ? [] : new double[data.GetLength(0)];
    }

    public double Start(int start, Random random)
    {
        GaussianMixture.Initialize(_engine, _data, _sampleWeights, _options, random, _cancellationToken);
        _state = new IncrementalEmState(_engine, _data, random, _sampleWeights);
        return double.NaN; // the first pass never stops, and a zero tolerance runs every pass
    }

    public double Iterate(Random random)
    {
        _state!.Pass(_cancellationToken);
        var model = new GaussianMixtureModel(_engine.Current);
        return _engine.Objective(_sampleWeights is null ? model.ScoreChecked(_data) : WeightedScore(model, _sampleWeights));
    }

    /// <summary>Σᵢ wᵢ log p(xᵢ) / Σᵢ wᵢ in row order (rows of weight 0 left out).</summary>
    private double WeightedScore(GaussianMixtureModel model, double[] weights)
    {
        model.LogDensityChecked(_data, _logDensities);
        double s = 0, total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0)
            {
                s += weights[i] * _logDensities[i];
                total += weights[i];
            }
        }

        return s / total;
    }

    public GaussianComponents Snapshot() => _engine.Current.Clone();
}
