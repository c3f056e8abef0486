namespace LatentModels.Clustering;

/// <summary>
/// The data a seeding of <see cref="KMeansSeeding"/> draws from, wherever it is — an array in memory, a source read in
/// passes, the shards of a cluster: the passes <see cref="KMeansSeeding.PlusPlusAsync"/> and
/// <see cref="KMeansSeeding.RandomRowsAsync"/> ask for, while they make every random draw and every choice themselves. An
/// implementation that sums as documented (row order for running sums, fixed blocks of
/// <see cref="KMeansSeeding.PotentialBlockRows"/> rows merged in block order for candidates' potentials) gives the centers
/// of the in-memory seeding bit for bit from the same generator.
/// </summary>
/// <remarks>
/// The implementation keeps the centers chosen so far (<see cref="ChooseAsync"/>); D²(x) below is a row's squared
/// Euclidean distance (the kernel's <c>SquaredDistance</c>) to the nearest of them and w its sample weight (1 without
/// weights). A seeding calls the members in this order: <see cref="RowsAsync"/> or <see cref="DrawAsync"/> for the first
/// center, then <see cref="ChooseAsync"/>, and for each further center <see cref="DrawAsync"/>,
/// <see cref="PotentialsAsync"/> and (but for the last) <see cref="ChooseAsync"/>.
/// </remarks>
public interface IKMeansSeedingData
{
    /// <summary>The number of rows n (at least 1).</summary>
    int Rows { get; }

    /// <summary>Whether the rows carry sample weights (the first center is then drawn by <see cref="DrawAsync"/>).</summary>
    bool Weighted { get; }

    /// <summary>Copies of the rows at the given 0-based indices (any order, repeats allowed).</summary>
    /// <param name="indices">Row indices in [0, n).</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    ValueTask<double[][]> RowsAsync(int[] indices, CancellationToken cancellationToken);

    /// <summary>
    /// Rows drawn with probability ∝ w·D² (∝ w before any center is chosen): with S the running sum of w·D² in row order and
    /// T its total, for every u the first row whose S exceeds u × T (computed as <c>u * T</c>), or the last row when none
    /// does.
    /// </summary>
    /// <param name="uniforms">Draws in [0, 1), one per row wanted.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    ValueTask<double[][]> DrawAsync(double[] uniforms, CancellationToken cancellationToken);

    /// <summary>
    /// For every candidate, the potential it would leave, Σ w·min(D², ‖x − candidate‖²): summed row by row within blocks of
    /// <see cref="KMeansSeeding.PotentialBlockRows"/> rows and the block sums added in block order.
    /// </summary>
    /// <param name="candidates">The candidate rows.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    ValueTask<double[]> PotentialsAsync(double[][] candidates, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a chosen center: <paramref name="candidate"/> is its index among the candidates of the last
    /// <see cref="PotentialsAsync"/> (an implementation may keep that pass's row-order totals for the next
    /// <see cref="DrawAsync"/>), or −1 for the first center.
    /// </summary>
    /// <param name="center">The center (a row of the data).</param>
    /// <param name="candidate">Its index in the last <see cref="PotentialsAsync"/>, or −1.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    ValueTask ChooseAsync(double[] center, int candidate, CancellationToken cancellationToken);
}
