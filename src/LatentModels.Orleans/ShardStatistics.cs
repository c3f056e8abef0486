using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Orleans;

/// <summary>
/// The E-step a shard runs: the core's statistics of the shard's rows for the kind of model it is sent, nothing more.
/// Each model type maps to the core's own public call, so a shard computes exactly what one machine computes on the same
/// rows: <see cref="KMeansModel"/> → <see cref="KMeansStatistics.Compute"/>; <see cref="GaussianMixtureModel"/> →
/// <see cref="GaussianMixtureStatistics.Compute"/>; <see cref="VariationalGaussianMixtureModel"/> →
/// <see cref="VariationalGaussianMixtureModel.ComputeStatistics"/> (the variational E-step); a Bernoulli or categorical <see cref="MixtureModel{T}"/> →
/// <see cref="DiscreteMixtureStatistics"/>; <see cref="DictionaryModel"/> → <see cref="DictionaryStatistics.Compute"/>.
/// The distributed Gaussian fits ask for the in-memory engine's passes instead (<see cref="ShardWork.Center"/>: its E-step
/// in parts; a <see cref="WeightedMoments"/>: the data moments continued; <see cref="Scan"/>: the weight total),
/// in the fit's range frame (<see cref="ShardWork.Frame"/>).
/// </summary>
public static class ShardStatistics
{
    /// <summary>The statistics of <paramref name="data"/> under <paramref name="model"/>.</summary>
    /// <param name="model">A model of a supported type.</param>
    /// <param name="data">The shard's rows.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap (results do not depend on it).</param>
    /// <returns>The statistics object (an <see cref="IMergeableStatistics{TSelf}"/>).</returns>
    /// <exception cref="NotSupportedException">The model type has no distributed E-step.</exception>
    public static object Compute(object model, ShardData data, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return model switch
        {
            KMeansModel m => KMeansStatistics.Compute(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            GaussianMixtureModel m => GaussianMixtureStatistics.Compute(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            VariationalGaussianMixtureModel m => m.ComputeStatistics(data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            MixtureModel<IndependentBernoulli> m => DiscreteMixtureStatistics.FromBernoulli(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            MixtureModel<IndependentCategorical> m => DiscreteMixtureStatistics.FromCategorical(m, data.Rows, data.SampleWeights, maxDegreeOfParallelism),
            DictionaryModel m => data.SampleWeights is null
                ? DictionaryStatistics.Compute(m, data.Rows, maxDegreeOfParallelism)
                : throw new NotSupportedException("Dictionary learning takes no sample weights."),
            _ => throw new NotSupportedException($"There is no distributed E-step for {model.GetType().Name}."),
        };
    }

    /// <summary><see cref="Compute(object, ShardData, int)"/> from and to the wire form (what travels between silos).</summary>
    /// <param name="model">The model's payload.</param>
    /// <param name="data">The shard's rows.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap.</param>
    /// <returns>The statistics' payload (bit-exact).</returns>
    /// <exception cref="ModelFormatException">The payload is corrupt or not a valid model.</exception>
    public static ModelPayload Compute(ModelPayload model, ShardData data, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelPayload.Encode(Compute(model.Decode(), data, maxDegreeOfParallelism));
    }

    /// <summary>
    /// The statistics of a shard whose first row has global index <paramref name="firstRow"/>, as parts in row order: for a
    /// <see cref="KMeansModel"/> one per piece between global superblock boundaries (<see cref="KMeansStatistics.ComputeParts"/>,
    /// merged by <see cref="KMeansStatistics.MergeParts"/>); for a Bernoulli or categorical <see cref="MixtureModel{T}"/> one
    /// <see cref="DiscreteMixtureStatistics"/> per such piece, its chunks of <see cref="DiscreteMixtureStatistics.ChunkSize"/>
    /// rows at the global multiples of the chunk size (the engine's E-step of <see cref="BernoulliMixture"/> and
    /// <see cref="CategoricalMixture"/>); for every other model the one <see cref="Compute(object, ShardData, int)"/>.
    /// </summary>
    /// <param name="model">A model of a supported type.</param>
    /// <param name="data">The shard's rows.</param>
    /// <param name="firstRow">The global index of the shard's first row.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap (results do not depend on it).</param>
    /// <returns>The parts (statistics objects).</returns>
    /// <exception cref="NotSupportedException">The model type has no distributed E-step.</exception>
    public static IReadOnlyList<object> ComputeParts(object model, ShardData data, long firstRow, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return model switch
        {
            KMeansModel m => [.. KMeansStatistics.ComputeParts(m, data.Rows, data.SampleWeights, firstRow, maxDegreeOfParallelism)],
            MixtureModel<IndependentBernoulli> or MixtureModel<IndependentCategorical> =>
                [.. DiscreteMixtureStatistics.ComputeParts(model, data.Rows, data.SampleWeights, firstRow, maxDegreeOfParallelism)],
            _ => [Compute(model, data, maxDegreeOfParallelism)],
        };
    }

    /// <summary>
    /// What a shard grain answers to <paramref name="work"/>: the parts of <see cref="ComputeParts(object, ShardData, long, int)"/> on the wire, or one
    /// <see cref="KMeansFarRows"/> when <see cref="ShardWork.FarRowCapacity"/> is positive.
    /// </summary>
    /// <param name="work">The model, the shard's first global row, the thread cap and the request.</param>
    /// <param name="data">The shard's rows.</param>
    /// <returns>The parts, bit-exact.</returns>
    public static IReadOnlyList<ModelPayload> ComputeParts(ShardWork work, ShardData data)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(data);
        object model = work.Model.Decode();
        IReadOnlyList<object> parts = work.FarRowCapacity > 0
            ? model is KMeansModel m
                ? [KMeansFarRows.Compute(m, data.Rows, data.SampleWeights, work.FirstRow, work.FarRowCapacity)]
                : throw new NotSupportedException($"Far rows are computed for K-Means only, not {model.GetType().Name}.")
            : work.Center is { } center ? GaussianEngineParts(model, data, center, work.FirstRow, work.BlockSize, work.MaxDegreeOfParallelism)
            : model is WeightedMoments running ? [ContinueMoments(running, data, work.FirstRow)]
            : ComputeParts(model, data, work.FirstRow, work.MaxDegreeOfParallelism);
        return [.. parts.Select(ModelPayload.Encode)];
    }

    /// <summary>The values of <paramref name="work"/> continued over the shard's rows (see <see cref="ShardScan"/>).</summary>
    /// <param name="work">The pass and the values carried from the shards before.</param>
    /// <param name="data">The shard's rows.</param>
    /// <returns>The values carried on.</returns>
    /// <exception cref="ArgumentException">The carried values do not have the pass's layout for the shard's width.</exception>
    public static double[] Scan(ScanWork work, ShardData data)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Count;
        double[] carry = (double[])work.Carry.Clone();
        switch (work.Scan)
        {
            case ShardScan.WeightTotal:
                {
                    if (carry.Length != 1)
                    {
                        throw new ArgumentException($"A weight total carries one value, not {carry.Length}.", nameof(work));
                    }

                    double[]? w = data.SampleWeights;
                    if (w is not null && work.WeightShift != 0)
                    {
                        w = (double[])w.Clone();
                        RangeFrame.NormalizeWeights(w, work.WeightShift);
                    }

                    double total = carry[0];
                    for (int i = 0; i < n; i++)
                    {
                        total += w is null ? 1.0 : w[i];
                    }

                    carry[0] = total;
                    return carry;
                }

            default:
                throw new ArgumentException($"There is no pass {work.Scan}.", nameof(work));
        }
    }

    /// <summary>
    /// The in-memory engine's E-step on the shard's rows (<c>GaussianMixtureEngine.EStepParts</c>): the components the
    /// engine reads — a Gaussian mixture's weights, means and covariances refreshed as its maximum-likelihood and MAP rules
    /// refresh them, or a variational posterior's expectations — centred on <paramref name="center"/> (the data mean), the
    /// blocks cut at the global superblock boundaries; one <see cref="GaussianMixtureStatistics"/> per part.
    /// </summary>
    private static IReadOnlyList<object> GaussianEngineParts(object model, ShardData data, double[] center, long firstRow, int blockSize, int maxDegreeOfParallelism)
    {
        GaussianComponents p = model switch
        {
            GaussianMixtureModel m => m.EngineComponents(center),
            VariationalGaussianMixtureModel v => v.ExpectationComponents(center),
            _ => throw new NotSupportedException($"There is no engine E-step for {model.GetType().Name}."),
        };
        if (center.Length != p.D || data.Dimension != p.D || blockSize < 1)
        {
            throw new ArgumentException($"The shard's rows have {data.Dimension} columns, the centre {center.Length} values and the model dimension {p.D} (block size {blockSize}).", nameof(data));
        }

        return [.. GaussianMixtureEngine.EStepParts(p, data.Rows, data.SampleWeights, firstRow, blockSize, maxDegreeOfParallelism)
            .Select(part => GaussianMixtureStatistics.FromEnginePart(p.Type, center, part))];
    }

    /// <summary>
    /// The data moments of the rows before this shard (<paramref name="running"/>) continued over its rows with the
    /// summation order of <see cref="WeightedMoments.FromRows"/> on all the rows: chunks of <see cref="WeightedMoments.ChunkSize"/>
    /// rows at the global multiples of the chunk size, folded in order (a shard that starts on a multiple continues the
    /// single pass's bits; another cut splits one chunk in two).
    /// </summary>
    private static WeightedMoments ContinueMoments(WeightedMoments running, ShardData data, long firstRow)
    {
        WeightedMoments result = running.Clone(), scratch = running.Empty();
        int n = data.Count, d = data.Dimension;
        if (d != running.Dimension)
        {
            throw new ArgumentException($"The shard's rows have {d} columns; earlier shards have {running.Dimension}.", nameof(data));
        }

        int head = (int)Math.Min(n, (WeightedMoments.ChunkSize - (firstRow % WeightedMoments.ChunkSize)) % WeightedMoments.ChunkSize);
        ReadOnlySpan<double> x = data.Rows.AsSpan();
        double[]? w = data.SampleWeights;
        result.AccumulateRowsChecked(x, head, w, scratch);
        result.AccumulateRowsChecked(x[(head * d)..], n - head, w is null || head == 0 ? w : w[head..], scratch);
        return result;
    }
}
