namespace LatentModels.Orleans;

/// <summary>The steps of a seeding through the shards (see <see cref="SeedingWork"/>).</summary>
public enum SeedingStep
{
    /// <summary>Return the rows at the given indices.</summary>
    Rows,

    /// <summary>
    /// Continue the running potential Σ w·D² (D² to the nearest chosen center; with no center chosen, the running weight
    /// Σ w) over the shard's rows in order, and return, for every target, the first row where it exceeds the target.
    /// </summary>
    Search,

    /// <summary>
    /// For every candidate, continue the sums of the potential it would leave, Σ w·min(D², ‖x − candidate‖²): block by
    /// block (<see cref="Clustering.KMeansSeeding.PotentialBlockRows"/> rows, blocks in order) and row by row.
    /// </summary>
    Evaluate,

    /// <summary>
    /// Label every row by its nearest center (<see cref="SeedingWork.KMeansLabels"/>: K-Means' assignment, else the
    /// pairwise-distance kernel) and return the one-hot responsibilities' statistics of a Gaussian mixture engine's blocks
    /// (<see cref="SeedingWork.BlockSize"/> rows centred on <see cref="SeedingWork.Shift"/>), one part per piece of the
    /// shard between global superblock boundaries (<see cref="SeedingReply.Parts"/>).
    /// </summary>
    MixtureStart,

    /// <summary>
    /// The inertia of a K-Means model (<see cref="SeedingWork.Centers"/>) summed row by row as <see cref="Clustering.KMeans"/>
    /// sums a framed fit's final inertia: every row's weighted squared distance to its nearest center added, in row order,
    /// to the sum of its global block of <see cref="SeedingWork.BlockSize"/> rows (the shard's first row is
    /// <see cref="SeedingWork.FirstRow"/>; the first block continues from <see cref="SeedingWork.RunStart"/>); the blocks'
    /// sums come back in <see cref="SeedingReply.BlockOrder"/>.
    /// </summary>
    KMeansInertia,
}
