using System.Diagnostics;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;

namespace LatentModels.Variational;

/// <summary>The shared door and driver call of the two variational discrete mixtures.</summary>
internal static class DiscreteVariationalFitter
{
    /// <summary>The objective name in the fit report's trace.</summary>
    public const string ObjectiveName = "elbo";

    /// <summary>Checks the data (family), the weights and the options, all before any work.</summary>
    public static void CheckInput<TComponent>(IMixtureFamily<TComponent> family, VariationalDiscreteMixtureOptions options, double[,] data, double[]? sampleWeights)
        where TComponent : class
    {
        ArgumentNullException.ThrowIfNull(options);
        DataValidation.CheckMatrix(data, nameof(data));
        int rows = data.GetLength(0);
        if (sampleWeights is not null)
        {
            DataValidation.CheckWeights(sampleWeights, rows, nameof(sampleWeights));
            rows = sampleWeights.Count(w => w > 0);
        }

        options.Validate(rows);
        family.CheckData(data, nameof(data));
    }

    /// <summary>
    /// Checks a warm start against the options and the data (K, d, and for the categorical family the outcome counts) and
    /// returns its posterior under the options' prior (α₀, γ₀), or null without one.
    /// </summary>
    public static DiscreteVariationalPosterior? Initial<TComponent>(VariationalDiscreteMixtureModel<TComponent>? initialModel, IReadOnlyList<int> categoryCounts,
        VariationalDiscreteMixtureOptions options, double[,] data) where TComponent : class
    {
        if (initialModel is null)
        {
            return null;
        }

        DiscreteVariationalPosterior p = initialModel.Posterior;
        if (p.Components != options.Components || p.Dimension != data.GetLength(1))
        {
            throw new ArgumentException(
                $"The initial model has {p.Components} components of dimension {p.Dimension}; the options ask for {options.Components} components and the data have {data.GetLength(1)} columns.",
                nameof(initialModel));
        }

        for (int j = 0; j < categoryCounts.Count; j++)
        {
            if (p.CategoryCounts[j] != categoryCounts[j])
            {
                throw new ArgumentException(
                    $"Variable {j} of the initial model has {p.CategoryCounts[j]} categories; the estimator has {categoryCounts[j]}.", nameof(initialModel));
            }
        }

        return DiscreteVariationalPosterior.FromHyperParameters(p.CategoryCounts.ToArray(), options.ResolvedWeightConcentration, options.PriorCount,
            (double[])p.Alpha.Clone(), (double[])p.Gamma.Clone());
    }

    /// <summary>Runs the one EM driver over the coordinate ascent and returns the best start and the report.</summary>
    public static (DiscreteVariationalFit Fit, FitReport Report) Run<TComponent>(IMixtureFamily<TComponent> family, VariationalDiscreteMixtureOptions options,
        Func<DiscreteVariationalPosterior, MixtureModel<TComponent>> proxy, Func<MixtureModel<TComponent>, DiscreteMixtureStatistics> eStep,
        double[,] data, double[]? sampleWeights, DiscreteVariationalPosterior? initial, IProgress<FitProgress>? progress, CancellationToken cancellationToken) where TComponent : class
    {
        var clock = Stopwatch.StartNew();
        var starter = new Mixture<TComponent>(family, options.StartOptions());
        var run = new DiscreteVariationalRun<TComponent>(starter, proxy, eStep, data, sampleWeights, options.ResolvedWeightConcentration, options.PriorCount, initial);
        return EmDriver.Run(run, options.Starts, options.Seed, options.MaxIterations, options.Tolerance, ObjectiveName, progress, cancellationToken, clock);
    }
}
