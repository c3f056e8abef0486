using System.Diagnostics;
using LatentModels.Distributions;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM for a finite mixture over any component family (<see cref="IMixtureFamily{TComponent}"/>): one generic
/// engine for Bernoulli, categorical or any weighted-maximum-likelihood family. The E-step works in log space — the
/// family's per-component log-densities plus log πₖ, normalised per row by the kernel's log-sum-exp — and the M-step is
/// πₖ = Nₖ / N and each component's weighted MLE (or MAP with <see cref="MixtureOptions.PseudoCount"/>) with the
/// responsibilities as weights. Every step runs over fixed row blocks or fixed components and reduces in a fixed order,
/// so the same seed gives the same bits for any <see cref="MixtureOptions.MaxDegreeOfParallelism"/>.
/// </summary>
/// <remarks>
/// <para>The report's objective trace holds, after every iteration, the mean log-likelihood of the new parameters
/// (<c>"meanLogLikelihood"</c>), or with a positive pseudo-count the mean log-posterior (log-likelihood plus the
/// components' log-prior, over n; <c>"meanLogPosterior"</c>). EM never decreases it.</para>
/// <para>With per-row sample weights a row of weight w counts as w copies of itself: the responsibilities are multiplied
/// by the row weights before the M-step, the objective's sums are weighted and divided by the total weight W instead of n,
/// and the row-based initialisations draw rows with probability proportional to weight (rows of weight 0 are never
/// chosen; when every weight is equal the draws are those of the unweighted fit). Rows of weight 0 change nothing.
/// A pseudo-count stays a fixed number of pseudo-observations, so scaling every weight by c equals the unweighted fit
/// only when <see cref="MixtureOptions.PseudoCount"/> is 0 (or c = 1).</para>
/// <para>Empty components: with <see cref="MixtureOptions.PseudoCount"/> 0, a component that lost all its weight is re-seeded
/// before the M-step at the worst-explained row (the row of positive weight with the lowest log-density, as the Gaussian
/// engine does; see <c>EmptyComponentRepair</c>); with a positive pseudo-count the MAP update defines it from the prior.</para>
/// </remarks>
/// <typeparam name="TComponent">The component distribution.</typeparam>
public class Mixture<TComponent> : IWeightedEstimator<MixtureModel<TComponent>> where TComponent : class
{
    /// <summary>Weight of the uniform part of the softened one-hot responsibilities of the row-based initialisations.</summary>
    internal const double InitSmoothing = 0.1;

    /// <summary>Creates the estimator.</summary>
    /// <param name="family">The component family.</param>
    /// <param name="options">The settings (validated when fitting).</param>
    public Mixture(IMixtureFamily<TComponent> family, MixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(options);
        Family = family;
        Options = options;
    }

    /// <summary>The component family.</summary>
    public IMixtureFamily<TComponent> Family { get; }

    /// <inheritdoc />
    FitResult<MixtureModel<TComponent>> IEstimator<MixtureModel<TComponent>>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<MixtureModel<TComponent>> IWeightedEstimator<MixtureModel<TComponent>>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    /// <summary>The settings.</summary>
    public MixtureOptions Options { get; }

    /// <summary>Fits the mixture to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The data is outside the family's sample space (the message names row and column) or an option is invalid.</exception>
    /// <exception cref="FittingException">A component lost all its rows with no pseudo-count and cannot be re-seeded (fewer distinct rows than components).</exception>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row under the returned model
    /// (a final E-step; equal to <c>Model.Predict(data)</c>).</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckInput(data, null);
        return Run(data, null, null, progress, cancellationToken);
    }

    /// <summary>Fits the mixture to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <remarks>
    /// <see cref="MixtureOptions.Components"/> may not exceed the number of rows of positive weight. The caller's arrays
    /// are not modified.
    /// </remarks>
    /// <exception cref="ArgumentException">A weight is negative or not finite (the message names its row), they sum to zero,
    /// their number differs from the number of rows, the data is outside the family's sample space or an option is invalid.</exception>
    /// <exception cref="FittingException">A component lost all its weight with no pseudo-count and cannot be re-seeded (fewer distinct rows of positive weight than components).</exception>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row (weight 0 included).</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        CheckInput(data, sampleWeights);
        return Run(data, sampleWeights, null, progress, cancellationToken);
    }

    /// <summary>
    /// Runs EM from <paramref name="initialModel"/> (explicit parameters or a warm start); <see cref="MixtureOptions.Init"/>,
    /// <see cref="MixtureOptions.Starts"/> and <see cref="MixtureOptions.Seed"/> are not used.
    /// </summary>
    /// <param name="initialModel">The start: same family shape, <see cref="MixtureOptions.Components"/> components and the data's dimension.</param>
    /// <param name="data">n × d observations.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row.</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> FitFrom(MixtureModel<TComponent> initialModel, double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitFromCore(initialModel, data, null, progress, cancellationToken);

    /// <summary>
    /// Runs EM on weighted rows from <paramref name="initialModel"/>: as <see cref="FitFrom(MixtureModel{TComponent}, double[,], IProgress{FitProgress}?, CancellationToken)"/>,
    /// with a row of weight w counting as w copies of itself (see <see cref="Fit(double[,], double[], IProgress{FitProgress}?, CancellationToken)"/>).
    /// </summary>
    /// <param name="initialModel">The start: same family shape, <see cref="MixtureOptions.Components"/> components and the data's dimension.</param>
    /// <param name="data">n × d observations.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row (weight 0 included).</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> FitFrom(MixtureModel<TComponent> initialModel, double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return FitFromCore(initialModel, data, sampleWeights, progress, cancellationToken);
    }

    private SoftClusteringFitResult<MixtureModel<TComponent>> FitFromCore(MixtureModel<TComponent> initialModel, double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        CheckInput(data, sampleWeights);
        if (initialModel.Components != Options.Components || initialModel.Dimension != data.GetLength(1))
        {
            throw new ArgumentException(
                $"The initial model has {initialModel.Components} components of dimension {initialModel.Dimension}; the options ask for {Options.Components} components and the data have {data.GetLength(1)} columns.",
                nameof(initialModel));
        }

        Family.CheckComponents(initialModel.Distributions, nameof(initialModel));
        return Run(data, sampleWeights, new MixtureModel<TComponent>(Family, initialModel.Weights, initialModel.Distributions), progress, cancellationToken);
    }

    internal void CheckInput(double[,] data, double[]? sampleWeights)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        int rows = data.GetLength(0);
        if (sampleWeights is not null)
        {
            DataValidation.CheckWeights(sampleWeights, rows, nameof(sampleWeights));
            rows = sampleWeights.Count(w => w > 0);
        }

        Options.Validate(rows, Family.SupportsPseudoCounts, Family.Name);
        Family.CheckData(data, nameof(data));
    }

    private SoftClusteringFitResult<MixtureModel<TComponent>> Run(double[,] data, double[]? sampleWeights, MixtureModel<TComponent>? initial, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        MixtureOptions o = Options;
        var clock = Stopwatch.StartNew();
        IEmRun<MixtureModel<TComponent>> run = IsDiscrete ? DiscreteRun(data, sampleWeights, initial) : new MixtureFamilyRun<TComponent>(this, data, sampleWeights, initial);
        (MixtureModel<TComponent> best, FitReport report) = EmDriver.Run(run,
            initial is null ? o.Starts : 1, o.Seed, o.MaxIterations, o.Tolerance, o.PseudoCount > 0 ? "meanLogPosterior" : "meanLogLikelihood",
            progress, cancellationToken, clock);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = best.PredictBoth(data, labels); // the final E-step: labels and responsibilities in one pass
        return new SoftClusteringFitResult<MixtureModel<TComponent>>(best, report, labels, responsibilities);
    }

    /// <summary>
    /// Whether the family is the Bernoulli or categorical one, whose batch EM runs through <see cref="DiscreteMixtureStatistics"/>
    /// (fixed chunks folded in the superblock structure), as the distributed fit runs it on the shards.
    /// </summary>
    internal bool IsDiscrete => Family is IndependentBernoulliFamily or IndependentCategoricalFamily;

    /// <summary>
    /// The batch EM of a discrete family on rows in memory: E-steps through <see cref="DiscreteMixtureStatistics"/>, the
    /// M-step from them; an empty component under maximum likelihood is repaired on the responsibilities
    /// (<see cref="EmptyComponentRepair"/>) and the M-step taken from them.
    /// </summary>
    private DiscreteStatisticsRun<TComponent> DiscreteRun(double[,] data, double[]? sampleWeights, MixtureModel<TComponent>? initial)
    {
        return new DiscreteStatisticsRun<TComponent>(this, random => initial ?? Initialize(data, sampleWeights, random),
            model => Statistics(model, data, sampleWeights), model => RepairedMStep(model, data, sampleWeights));
    }

    /// <summary>
    /// The maximum-likelihood M-step after an E-step of <paramref name="model"/> left a component without weight: the
    /// responsibilities of every row, the repair of <see cref="EmptyComponentRepair"/> and the M-step from them.
    /// </summary>
    internal MixtureModel<TComponent> RepairedMStep(MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights)
    {
        var responsibilities = new double[data.GetLength(0) * Options.Components];
        var logNormalizers = new double[data.GetLength(0)];
        EStep(model, data, sampleWeights, responsibilities, logNormalizers);
        EmptyComponentRepair.Repair(data, sampleWeights, responsibilities, logNormalizers, Options.Components);
        return MStep(data, responsibilities);
    }

    /// <summary>The E-step statistics of a discrete family's <paramref name="model"/> on checked rows (<see cref="IsDiscrete"/>).</summary>
    internal DiscreteMixtureStatistics Statistics(MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights) => model switch
    {
        MixtureModel<IndependentBernoulli> b => DiscreteMixtureStatistics.FromBernoulliUnchecked(b, data, sampleWeights, Options.MaxDegreeOfParallelism),
        MixtureModel<IndependentCategorical> c => DiscreteMixtureStatistics.FromCategoricalUnchecked(c, data, sampleWeights, Options.MaxDegreeOfParallelism),
        _ => throw new InvalidOperationException($"The {Family.Name} family has no discrete statistics."),
    };

    /// <summary>The M-step of a discrete family from its E-step statistics: πₖ = Nₖ / ΣNₖ and the counts' estimate with <see cref="MixtureOptions.PseudoCount"/>.</summary>
    internal MixtureModel<TComponent> MStep(DiscreteMixtureStatistics statistics)
    {
        object model = Family is IndependentBernoulliFamily
            ? statistics.ToBernoulliModel(Options.PseudoCount)
            : statistics.ToCategoricalModel(Options.PseudoCount);
        var m = (MixtureModel<TComponent>)model;
        return new MixtureModel<TComponent>(Family, m.Weights, m.Distributions);
    }

    /// <summary>
    /// Responsibilities of <paramref name="model"/> into <paramref name="responsibilities"/>, multiplied by the row weights
    /// when there are any (rows of weight 0 get 0); returns the objective (weighted sums over the total weight).
    /// </summary>
    internal double EStep(MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights, double[] responsibilities, double[] logNormalizers)
    {
        (double s, double total) = WeightedPosterior(model, data, sampleWeights, responsibilities, logNormalizers, Options.MaxDegreeOfParallelism);
        return Options.PseudoCount > 0 ? (s + model.LogPrior(Options.PseudoCount)) / total : s / total;
    }

    /// <summary>
    /// The E-step of <paramref name="model"/>: posterior responsibilities into <paramref name="responsibilities"/> (n·K,
    /// row-major), multiplied by the row weights when there are any (rows of weight 0 get 0), and the row log-densities
    /// into <paramref name="logNormalizers"/>.
    /// </summary>
    /// <returns>Σᵢ wᵢ log p(xᵢ) (rows of weight 0 left out) and the total weight Σᵢ wᵢ (n without weights).</returns>
    internal static (double LogLikelihood, double TotalWeight) WeightedPosterior(
        MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights, double[] responsibilities, double[] logNormalizers, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), k = model.Components;
        model.LogJoint(data, responsibilities, maxDegreeOfParallelism);
        LogSumExp.NormalizeRowsInPlace(responsibilities, n, k, logNormalizers, maxDegreeOfParallelism);
        double s = 0, total = n;
        if (sampleWeights is null)
        {
            foreach (double v in logNormalizers)
            {
                s += v;
            }

            return (s, total);
        }

        total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = sampleWeights[i];
            Span<double> row = responsibilities.AsSpan(i * k, k);
            if (w == 0)
            {
                // A row of weight 0 counts for nothing, even where its log-density is −∞.
                row.Clear();
                continue;
            }

            for (int c = 0; c < k; c++)
            {
                row[c] *= w;
            }

            s += w * logNormalizers[i];
            total += w;
        }

        return (s, total);
    }

    /// <summary>The K column sums Nₖ = Σᵢ rᵢₖ of n·K row-major responsibilities, rows in order.</summary>
    internal static double[] ComponentWeights(double[] responsibilities, int n, int k)
    {
        var nk = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                nk[c] += responsibilities[i * k + c];
            }
        }

        return nk;
    }

    /// <summary>πₖ = Nₖ / N and the family's weighted estimate of every component (the responsibilities already carry the row weights).</summary>
    internal MixtureModel<TComponent> MStep(double[,] data, double[] responsibilities)
    {
        int n = data.GetLength(0), k = Options.Components;
        double[] nk = ComponentWeights(responsibilities, n, k);
        double total = 0;
        foreach (double v in nk)
        {
            total += v;
        }

        var weights = new double[k];
        for (int c = 0; c < k; c++)
        {
            weights[c] = nk[c] / total;
        }

        TComponent[] components = Family.Estimate(data, responsibilities, nk, Options.PseudoCount, Options.MaxDegreeOfParallelism);
        return new MixtureModel<TComponent>(Family, weights, components);
    }

    internal MixtureModel<TComponent> Initialize(double[,] data, double[]? sampleWeights, Random random)
    {
        int n = data.GetLength(0), k = Options.Components;
        double[] responsibilities;
        if (Options.Init == MixtureInit.RandomResponsibilities)
        {
            responsibilities = EmStarts.RandomResponsibilities(n, k, random);
        }
        else
        {
            // Equal weights draw exactly as the unweighted fit does.
            double[]? drawWeights = sampleWeights is null || EmStarts.AllEqual(sampleWeights) ? null : sampleWeights;
            int[] rows = Options.Init switch
            {
                MixtureInit.RandomRows => drawWeights is null ? EmStarts.DistinctRows(n, k, random) : EmStarts.WeightedDistinctRows(drawWeights, k, random),
                MixtureInit.First => FirstRows(sampleWeights, n, k),
                _ => HammingPlusPlus(data, k, random, Options.MaxDegreeOfParallelism, drawWeights),
            };
            int[] labels = NearestRows(data, rows, Options.MaxDegreeOfParallelism);
            responsibilities = new double[n * k];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    responsibilities[i * k + c] = (c == labels[i] ? 1 - InitSmoothing : 0) + InitSmoothing / k;
                }
            }
        }

        if (sampleWeights is not null)
        {
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    responsibilities[i * k + c] *= sampleWeights[i];
                }
            }
        }

        return MStep(data, responsibilities);
    }

    /// <summary>Number of coordinates in which two rows differ.</summary>
    /// <summary>The first <paramref name="k"/> rows of positive weight (the first k rows without weights).</summary>
    private static int[] FirstRows(double[]? sampleWeights, int n, int k)
    {
        var rows = new int[k];
        int found = 0;
        for (int i = 0; i < n && found < k; i++)
        {
            if (sampleWeights is null || sampleWeights[i] > 0)
            {
                rows[found++] = i;
            }
        }

        return rows;
    }

    private static int Mismatches(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int m = 0;
        for (int j = 0; j < a.Length; j++)
        {
            if (a[j] != b[j])
            {
                m++;
            }
        }

        return m;
    }

    /// <summary>
    /// k-means++ seeding on the Hamming distance; rows already chosen have distance 0 and are never chosen again. With
    /// <paramref name="weights"/> the first row is drawn with probability ∝ weight and each next one ∝ weight × distance,
    /// so rows of weight 0 are never chosen (the caller ensures at least k rows have positive weight).
    /// </summary>
    internal static int[] HammingPlusPlus(double[,] data, int k, Random random, int maxDegreeOfParallelism, double[]? weights = null)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var chosen = new int[k];
        var nearest = new int[n];
        nearest.AsSpan().Fill(int.MaxValue);
        chosen[0] = weights is null ? random.Next(n) : EmStarts.WeightedRow(weights, random, _ => true);
        for (int c = 1; c < k; c++)
        {
            int latest = chosen[c - 1];
            ParallelBlocks.For(n, 256, maxDegreeOfParallelism, (_, start, end) =>
            {
                ReadOnlySpan<double> x = data.AsSpan();
                ReadOnlySpan<double> center = x.Slice(latest * d, d);
                for (int i = start; i < end; i++)
                {
                    nearest[i] = Math.Min(nearest[i], Mismatches(x.Slice(i * d, d), center));
                }
            });
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                total += weights is null ? nearest[i] : weights[i] * nearest[i];
            }

            if (total == 0)
            {
                // Fewer distinct rows (of positive weight) than components: any row not chosen yet.
                var taken = new HashSet<int>(chosen.Take(c));
                if (weights is not null)
                {
                    chosen[c] = EmStarts.WeightedRow(weights, random, i => !taken.Contains(i));
                    continue;
                }

                int r;
                do
                {
                    r = random.Next(n);
                }
                while (taken.Contains(r) && taken.Count < n);
                chosen[c] = r;
                continue;
            }

            double u = random.NextDouble() * total, cumulative = 0;
            int pick = -1;
            for (int i = 0; i < n; i++)
            {
                double mass = weights is null ? nearest[i] : weights[i] * nearest[i];
                if (mass > 0)
                {
                    pick = i;
                    cumulative += mass;
                    if (u < cumulative)
                    {
                        break;
                    }
                }
            }

            chosen[c] = pick;
        }

        return chosen;
    }

    /// <summary>For each row, the index (into <paramref name="rows"/>) of the chosen row with the fewest mismatches (first on ties).</summary>
    private static int[] NearestRows(double[,] data, int[] rows, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var labels = new int[n];
        ParallelBlocks.For(n, 256, maxDegreeOfParallelism, (_, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            for (int i = start; i < end; i++)
            {
                int best = 0, bestDistance = int.MaxValue;
                for (int c = 0; c < rows.Length; c++)
                {
                    int m = Mismatches(x.Slice(i * d, d), x.Slice(rows[c] * d, d));
                    if (m < bestDistance)
                    {
                        best = c;
                        bestDistance = m;
                    }
                }

                labels[i] = best;
            }
        });
        return labels;
    }
}
