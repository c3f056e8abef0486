using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;

namespace LatentModels.Variational;

/// <summary>
/// Coordinate ascent of a variational discrete mixture for the one EM driver: a start takes the generic mixture's
/// initial model (<see cref="Mixture{TComponent}"/>'s inits), its E-step statistics, one variational M-step and one
/// variational E-step; each iteration is the variational M-step from the statistics (q(π), q(θ)) then the E-step of the
/// proxy mixture (q(Z) and the next statistics, through the family's log-density path). The objective is the full ELBO.
/// A warm start begins at a given posterior instead: its E-step and its ELBO (the start's objective), then the iterations.
/// </summary>
/// <typeparam name="TComponent">The component distribution of the proxy mixture.</typeparam>
internal sealed class DiscreteVariationalRun<TComponent> : IEmRun<DiscreteVariationalFit> where TComponent : class
{
    private readonly Mixture<TComponent> _starter;
    private readonly Func<DiscreteVariationalPosterior, MixtureModel<TComponent>> _proxy;
    private readonly Func<MixtureModel<TComponent>, DiscreteMixtureStatistics> _eStep;
    private readonly double[,] _data;
    private readonly double[]? _sampleWeights;
    private readonly double _weightPrior;
    private readonly double _outcomePrior;
    private readonly DiscreteVariationalPosterior? _initial;
    private DiscreteMixtureStatistics? _statistics;
    private DiscreteVariationalPosterior? _posterior;
    private double _elbo;

    public DiscreteVariationalRun(Mixture<TComponent> starter, Func<DiscreteVariationalPosterior, MixtureModel<TComponent>> proxy,
        Func<MixtureModel<TComponent>, DiscreteMixtureStatistics> eStep, double[,] data, double[]? sampleWeights, double weightPrior, double outcomePrior,
        DiscreteVariationalPosterior? initial)
    {
        _starter = starter;
        _proxy = proxy;
        _eStep = eStep;
        _data = data;
        _sampleWeights = sampleWeights;
        _weightPrior = weightPrior;
        _outcomePrior = outcomePrior;
        _initial = initial;
    }

    public double Start(int start, Random random)
    {
        if (_initial is not null)
        {
            _posterior = _initial;
            _statistics = _eStep(_proxy(_initial));
            _elbo = _initial.Elbo(_statistics);
            return _elbo;
        }

        _statistics = _eStep(_starter.Initialize(_data, _sampleWeights, random));
        return Iterate(random);
    }

    public double Iterate(Random random)
    {
        _posterior = DiscreteVariationalPosterior.FromStatistics(_statistics!, _weightPrior, _outcomePrior);
        _statistics = _eStep(_proxy(_posterior));
        _elbo = _posterior.Elbo(_statistics);
        return _elbo;
    }

    public DiscreteVariationalFit Snapshot() => new(_posterior!, _elbo);
}
