namespace LatentModels.Mixtures.Em;

/// <summary>
/// Batch EM of a Bernoulli or categorical mixture (<see cref="Mixture{TComponent}"/> with the
/// <see cref="IndependentBernoulliFamily"/> or <see cref="IndependentCategoricalFamily"/>) through its mergeable
/// statistics: every E-step is <see cref="DiscreteMixtureStatistics"/> of fixed chunks folded in the superblock structure
/// (<see cref="DiscreteMixtureStatistics.FoldParts"/>), wherever its rows are — in memory, or on the shards of a
/// distributed fit — and the M-step and objective are taken from the statistics alone. A component that lost all its
/// weight under maximum likelihood is re-seeded by <paramref name="repairedStep"/> (the responsibility-level repair of
/// <see cref="EmptyComponentRepair"/> on one machine).
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
/// <param name="estimator">The estimator (options and family).</param>
/// <param name="start">The start's parameters given its generator.</param>
/// <param name="eStep">The E-step's statistics of a model on all the rows.</param>
/// <param name="repairedStep">The M-step from a model whose statistics have an empty component (maximum likelihood only).</param>
internal sealed class DiscreteStatisticsRun<TComponent>(
    Mixture<TComponent> estimator,
    Func<Random, MixtureModel<TComponent>> start,
    Func<MixtureModel<TComponent>, DiscreteMixtureStatistics> eStep,
    Func<MixtureModel<TComponent>, MixtureModel<TComponent>> repairedStep) : IEmRun<MixtureModel<TComponent>>
    where TComponent : class
{
    private MixtureModel<TComponent>? _model;
    private DiscreteMixtureStatistics? _statistics;

    public double Start(int start1, Random random)
    {
        _model = start(random);
        return EStep();
    }

    public double Iterate(Random random)
    {
        double pseudoCount = estimator.Options.PseudoCount;
        bool empty = false;
        foreach (double w in _statistics!.ComponentWeights)
        {
            empty |= !(w > 0);
        }

        _model = pseudoCount == 0 && empty ? repairedStep(_model!) : estimator.MStep(_statistics);
        return EStep();
    }

    public MixtureModel<TComponent> Snapshot() => _model!;

    private double EStep()
    {
        _statistics = eStep(_model!);
        double pseudoCount = estimator.Options.PseudoCount;
        return pseudoCount > 0 ? (_statistics.LogLikelihood + _model!.LogPrior(pseudoCount)) / _statistics.TotalWeight : _statistics.LogLikelihood / _statistics.TotalWeight;
    }
}
