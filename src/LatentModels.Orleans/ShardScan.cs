namespace LatentModels.Orleans;

/// <summary>The passes of a Gaussian-mixture fit that read a shard's rows without a model (see <see cref="ScanWork"/>).</summary>
public enum ShardScan
{
    /// <summary>The running total of the sample weights (divided by 2^<see cref="ScanWork.WeightShift"/>) continued over the shard's rows in row order.</summary>
    WeightTotal,
}
