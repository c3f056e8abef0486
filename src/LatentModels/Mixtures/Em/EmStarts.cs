namespace LatentModels.Mixtures.Em;

/// <summary>
/// The pieces of multi-start EM shared by <see cref="GaussianMixture"/>, <see cref="IncrementalGaussianMixture"/> and
/// <see cref="Mixture{TComponent}"/>: the iteration loop with its trace, progress and stopping rule, the random starts,
/// and keeping the start with the best final objective.
/// </summary>
internal static class EmStarts
{
    /// <summary>
    /// Runs <paramref name="step"/> (one iteration, returning the objective of the new parameters) up to
    /// <paramref name="maxIterations"/> times, checking <paramref name="cancellationToken"/> before each and reporting each
    /// objective. The stopping rule is scikit-learn's <c>BaseMixture.fit</c>: its iteration t computes the objective of
    /// the parameters it starts from, θₜ₋₁, then the M-step, and stops when |f(θₜ₋₁) − f(θₜ₋₂)| &lt; tolerance (with
    /// f(θ₋₁) = −∞). Here <paramref name="step"/> returns f(θₜ), so the change seen after iteration t is tested after
    /// iteration t + 1: one more M-step runs once the objective has settled, exactly as the peer does (the first change
    /// is measured from <paramref name="previous"/> = f(θ₀); NaN never stops).
    /// </summary>
    /// <param name="start">The start's index (for progress).</param>
    /// <param name="maxIterations">Iterations at most.</param>
    /// <param name="tolerance">Stopping tolerance on the objective's change.</param>
    /// <param name="previous">The objective of the start (NaN: none).</param>
    /// <param name="step">One iteration.</param>
    /// <param name="progress">Optional progress sink.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <param name="stopAtOnce">Stop in the iteration whose change settled (the peer's variational loop computes its bound
    /// after the M-step of the same iteration, so no extra M-step runs).</param>
    /// <returns>The objective after every iteration and whether the tolerance stopped the run.</returns>
    public static (List<double> Trace, bool Converged) Iterate(
        int start, int maxIterations, double tolerance, double previous, Func<double> step, IProgress<FitProgress>? progress, CancellationToken cancellationToken,
        bool stopAtOnce = false)
    {
        var trace = new List<double>();
        bool settled = false;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double objective = step();
            trace.Add(objective);
            progress?.Report(new FitProgress(start, iteration, maxIterations, objective));
            if (settled)
            {
                return (trace, true);
            }

            settled = Math.Abs(objective - previous) < tolerance;
            previous = objective;
            if (settled && stopAtOnce)
            {
                return (trace, true);
            }
        }

        return (trace, false);
    }

    /// <summary>k distinct row indices drawn uniformly from [0, n) by rejection, in the order drawn.</summary>
    public static int[] DistinctRows(int n, int k, Random random)
    {
        var chosen = new int[k];
        var seen = new HashSet<int>();
        for (int c = 0; c < k; c++)
        {
            int r;
            do
            {
                r = random.Next(n);
            }
            while (!seen.Add(r));
            chosen[c] = r;
        }

        return chosen;
    }

    /// <summary>Whether every value equals the first.</summary>
    public static bool AllEqual(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (v != values[0])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// One row index drawn with probability ∝ <paramref name="weights"/> among the rows <paramref name="allowed"/> accepts:
    /// one uniform draw scaled by their total weight, then the first row whose running weight exceeds it (rows of weight 0
    /// are never drawn; the caller ensures some allowed row has positive weight).
    /// </summary>
    public static int WeightedRow(double[] weights, Random random, Func<int, bool> allowed)
    {
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (allowed(i))
            {
                total += weights[i];
            }
        }

        double u = random.NextDouble() * total, cumulative = 0;
        int pick = -1;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0 && allowed(i))
            {
                pick = i;
                cumulative += weights[i];
                if (u < cumulative)
                {
                    break;
                }
            }
        }

        return pick;
    }

    /// <summary>k distinct row indices drawn one after another with probability ∝ weight among the rows not drawn yet (successive sampling without replacement).</summary>
    public static int[] WeightedDistinctRows(double[] weights, int k, Random random)
    {
        var chosen = new int[k];
        var seen = new HashSet<int>();
        for (int c = 0; c < k; c++)
        {
            chosen[c] = WeightedRow(weights, random, i => !seen.Contains(i));
            seen.Add(chosen[c]);
        }

        return chosen;
    }

    /// <summary>n × K responsibilities (row-major), each row uniform draws normalised to sum to one.</summary>
    public static double[] RandomResponsibilities(int n, int k, Random random)
    {
        var resp = new double[n * k];
        FillRandomResponsibilities(resp, n, k, random);
        return resp;
    }

    /// <summary>
    /// The first <paramref name="n"/> rows of <paramref name="resp"/> (n × K, row-major) filled as
    /// <see cref="RandomResponsibilities"/> does, with the same draws in the same order (row by row), so a stream that fills
    /// its chunks in row order draws what the whole array draws.
    /// </summary>
    public static void FillRandomResponsibilities(Span<double> resp, int n, int k, Random random)
    {
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int c = 0; c < k; c++)
            {
                double u = random.NextDouble();
                resp[i * k + c] = u;
                s += u;
            }

            for (int c = 0; c < k; c++)
            {
                resp[i * k + c] /= s;
            }
        }
    }
}
