namespace LatentModels.Mixtures.Em;

/// <summary>
/// Empty-component repair of the generic mixtures (<see cref="Mixture{TComponent}"/>): the policy of the Gaussian engine
/// (re-seed a component that lost all its weight at the worst-explained row) on responsibilities instead of Gaussian
/// statistics. Before a maximum-likelihood M-step, every component c with Nₖ = 0 (in component order) takes the whole
/// responsibility of the worst-explained row — the row of positive weight with the lowest log-density under the current
/// model (the lowest index on ties) — so the M-step puts the component on that row. Rows already used by this repair,
/// rows equal to one already used, and rows whose move would empty their own component are passed over for the next
/// worst. Deterministic: no random draw, so the bits do not depend on the seed or the thread count.
/// </summary>
internal static class EmptyComponentRepair
{
    /// <summary>
    /// Repairs the empty components of the n·K row-major <paramref name="responsibilities"/> (already multiplied by the
    /// row weights) in place; does nothing (and allocates nothing) when no component is empty.
    /// </summary>
    /// <param name="data">The n × d rows.</param>
    /// <param name="sampleWeights">The row weights, or null.</param>
    /// <param name="responsibilities">n·K responsibilities times the row weights.</param>
    /// <param name="logNormalizers">The rows' log-densities under the current model.</param>
    /// <param name="k">The number of components.</param>
    /// <exception cref="FittingException">Repair is impossible — fewer distinct rows of positive weight than components,
    /// or no row can be moved without emptying another component; names the component.</exception>
    public static void Repair(double[,] data, double[]? sampleWeights, double[] responsibilities, double[] logNormalizers, int k)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        double[] nk = Mixture<object>.ComponentWeights(responsibilities, n, k);
        if (Array.TrueForAll(nk, v => v > 0))
        {
            return;
        }

        int distinct = DistinctPositiveRows(data, sampleWeights);
        int[] order = Enumerable.Range(0, n)
            .Where(i => sampleWeights is null || sampleWeights[i] > 0)
            .OrderBy(i => double.IsNaN(logNormalizers[i]) ? double.NegativeInfinity : logNormalizers[i])
            .ThenBy(i => i)
            .ToArray();
        var used = new List<int>();
        for (int c = 0; c < k; c++)
        {
            if (nk[c] > 0)
            {
                continue;
            }

            if (distinct < k)
            {
                throw Impossible(c, $"the data have only {distinct} distinct rows of positive weight for {k} components");
            }

            int chosen = -1;
            foreach (int i in order)
            {
                if (Eligible(data, responsibilities, nk, used, i, c, k, d))
                {
                    chosen = i;
                    break;
                }
            }

            if (chosen < 0)
            {
                throw Impossible(c, "no row can be moved to it without emptying another component");
            }

            Span<double> row = responsibilities.AsSpan(chosen * k, k);
            double w = 0;
            for (int j = 0; j < k; j++)
            {
                w += row[j];
                nk[j] -= row[j];
            }

            row.Clear();
            row[c] = w;
            nk[c] = w;
            used.Add(chosen);
        }
    }

    private static bool Eligible(double[,] data, double[] responsibilities, double[] nk, List<int> used, int i, int c, int k, int d)
    {
        ReadOnlySpan<double> x = data.AsSpan();
        foreach (int u in used)
        {
            if (x.Slice(u * d, d).SequenceEqual(x.Slice(i * d, d)))
            {
                return false;
            }
        }

        double w = 0;
        for (int j = 0; j < k; j++)
        {
            double r = responsibilities[i * k + j];
            w += r;
            if (j != c && r > 0 && !(nk[j] - r > 0))
            {
                return false;
            }
        }

        return w > 0;
    }

    private static int DistinctPositiveRows(double[,] data, double[]? sampleWeights)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (sampleWeights is null || sampleWeights[i] > 0)
            {
                seen.Add(string.Join(',', data.AsSpan().Slice(i * d, d).ToArray().Select(v => BitConverter.DoubleToInt64Bits(v))));
            }
        }

        return seen.Count;
    }

    private static FittingException Impossible(int component, string reason) =>
        new($"Component {component} has lost all its weight and cannot be re-seeded: {reason}. Use a positive PseudoCount or fewer components.", component);
}
