using LatentModels.Clustering;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;

namespace LatentModels.Variational;

/// <summary>
/// Batch variational inference of a Gaussian mixture for the one EM driver, with the peer's loop: a start is one
/// variational M-step from the initial responsibilities followed by an E-step; each iteration takes the M-step from the
/// responsibilities of the last E-step, computes the bound of (those responsibilities, the new posterior) and runs the next
/// E-step (the spine's fused block E-step, reading the variational expectations the rule wrote). A warm start
/// (<see cref="VariationalGaussianMixtureOptions.InitialModel"/>) sets the posterior to the model's and runs its E-step; its
/// objective is NaN (the bound is computed after an M-step), so the first iteration never stops the run.
/// </summary>
internal sealed class VariationalBatchRun : IEmRun<VariationalGaussianMixtureModel>
{
    private readonly GaussianMixtureEngine _engine;
    private readonly VariationalGaussianUpdate _rule;
    private readonly VariationalGaussianMixtureOptions _options;
    private readonly Action<Random> _initializeByMethod;
    private readonly Action _eStep;
    private double _elbo = double.NaN, _peerBound = double.NaN;

    /// <summary>The in-memory run: the starts from the rows and the engine's E-step.</summary>
    public VariationalBatchRun(GaussianMixtureEngine engine, double[,] data, double[]? sampleWeights, VariationalGaussianMixtureOptions options, CancellationToken cancellationToken = default)
        : this(engine, options,
            random =>
            {
                if (options.Init == MixtureInit.First)
                {
                    engine.InitializeFromLabels(NearestOfFirstRows(data, options.Components, options.MaxDegreeOfParallelism), random);
                }
                else
                {
                    GaussianMixture.Initialize(engine, data, sampleWeights, options.EngineOptions(), random, cancellationToken);
                }
            },
            () => engine.EStep())
    {
        engine.Cancellation = cancellationToken;
    }

    /// <summary>
    /// A run whose start by <see cref="VariationalGaussianMixtureOptions.Init"/> (responsibilities, then the variational
    /// M-step) and E-step (filling <c>engine.Totals</c>) are given: the out-of-core fit's passes.
    /// </summary>
    public VariationalBatchRun(GaussianMixtureEngine engine, VariationalGaussianMixtureOptions options, Action<Random> initializeByMethod, Action eStep)
    {
        _engine = engine;
        _rule = (VariationalGaussianUpdate)engine.Rule;
        _options = options;
        _initializeByMethod = initializeByMethod;
        _eStep = eStep;
    }

    public double Start(int start, Random random)
    {
        if (_options.InitialModel is { } initial)
        {
            _rule.SetPosterior(initial, _engine.Current);
            _engine.Refresh();
        }
        else
        {
            _initializeByMethod(random);
        }

        _elbo = _peerBound = double.NaN;
        _eStep();
        return double.NaN;
    }

    public double Iterate(Random random)
    {
        double entropy = _engine.Totals.LogLikelihood - _rule.ExpectedLogJoint(_engine.Current, _engine.Totals);
        _engine.MStep(random);
        (_elbo, _peerBound) = _rule.Bounds(entropy, _engine.TotalWeight);
        _eStep();
        return _elbo;
    }

    public VariationalGaussianMixtureModel Snapshot() => VariationalGaussianMixtureModel.FromPosterior(_rule, _engine.Current, _elbo, _peerBound);

    /// <summary>The label of the nearest (squared Euclidean, first on ties) of the first K rows, for every row.</summary>
    internal static int[] NearestOfFirstRows(double[,] data, int k, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var distances = new double[n * k];
        Distances.PairwiseSquared(data.AsSpan(), n, d, data.AsSpan()[..(k * d)], k, distances, maxDegreeOfParallelism);
        var labels = new int[n];
        Distances.RowArgMin(distances, n, k, labels, default);
        return labels;
    }
}
