using LatentModels.Mixtures;

namespace LatentModels.SparseCoding;

/// <summary>
/// Settings of <see cref="BinarySparseCoding"/>: variational EM for binary sparse coding. Immutable; validated when
/// fitting. The defaults recover the bars of the bars test (4 × 4 images, 8 bars) for most seeds.
/// </summary>
public sealed record BinarySparseCodingOptions
{
    /// <summary>Number of latents (atoms) H, at least 1.</summary>
    public int Components { get; init; } = 1;

    /// <summary>Maximum EM iterations per start (each: E-step over all rows, M-step), at least 0. Default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>
    /// Stops once annealing is over and the mean lower bound per row changes by less than this in an iteration (0: run
    /// every iteration). Default 1e-6.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>The mean-field inference of the E-step (sequential updates by default).</summary>
    public BinarySparseCodingInference Inference { get; init; } = new();

    /// <summary>
    /// Number of starts; the one with the highest final mean lower bound is kept. At least 1. Default 4 (on the bars test
    /// a single start recovers every bar about 60 % of the time; four starts nearly always).
    /// </summary>
    public int Starts { get; init; } = 4;

    /// <summary>Seed of every random choice; the same seed gives bit-identical results for any degree of parallelism.</summary>
    public int Seed { get; init; }

    /// <summary>Thread cap; values ≤ 0 mean all cores. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Rows per mini-batch, or null (the default) for full-batch EM. With mini-batches each iteration visits the batches
    /// in order and takes an M-step after each one from the running statistics, in which the batch's old contribution is
    /// replaced by its new one (incremental EM, Neal and Hinton), so the bound still never decreases.
    /// </summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Deterministic annealing: the E-step of iteration t tempers the likelihood by 1/T(t), T falling linearly from this
    /// value to 1 over <see cref="AnnealingIterations"/> iterations; softer early posteriors let atoms separate before they
    /// commit (at low noise mean-field posteriors are nearly 0 or 1 and EM freezes where it stands). At least 1 (1: no
    /// annealing). Default 8.
    /// </summary>
    public double InitialTemperature { get; init; } = 8;

    /// <summary>Iterations over which the temperature falls to 1 (0: no annealing). Default 80.</summary>
    public int AnnealingIterations { get; init; } = 80;

    /// <summary>
    /// Re-seeds, during the first half of the iterations, every atom that explains nothing (used by less than one row, or
    /// too small to matter against the noise) at the residual of a worst-explained row, unconditionally. Default false:
    /// on the bars test it disturbs annealing more than it helps; the <see cref="PairMoves"/> include the same re-seeding
    /// as a candidate that is taken only when it raises the bound.
    /// </summary>
    public bool ReseedUnusedAtoms { get; init; }

    /// <summary>
    /// When EM has converged (after annealing) and H ≤ <see cref="BinarySparseCoding.MaxMoveComponents"/>, tries the moves
    /// W:,ⱼ ← W:,ⱼ ± W:,ᵢ and W:,ⱼ ← the residual of a worst-explained row (one E-step from the prior and one M-step each)
    /// and continues EM from the best one if it raises the mean ELBO per row by more than 10⁻³; repeated until no move
    /// helps or the iterations run out. Default true.
    /// </summary>
    public bool PairMoves { get; init; } = true;

    /// <summary>
    /// Floor of every noise variance, as a fraction of the data's mean variance per dimension (keeps β finite on constant
    /// pixels). Positive. Default 1e-4.
    /// </summary>
    public double NoiseVarianceFloor { get; init; } = 1e-4;

    /// <summary>Whether annealing is on.</summary>
    internal bool Anneals => AnnealingIterations > 0 && InitialTemperature > 1;

    /// <summary>The temperature of iteration <paramref name="iteration"/> (one-based).</summary>
    internal double Temperature(int iteration) =>
        !Anneals || iteration > AnnealingIterations ? 1.0
        : 1.0 + (InitialTemperature - 1.0) * (AnnealingIterations - iteration + 1) / AnnealingIterations;

    internal void Validate(int rows, int columns)
    {
        EmOptionChecks.Components(Components, int.MaxValue, nameof(Components));
        string what = $"Binary sparse coding with {Components} components of dimension {columns}";
        ArraySizes.Product(Components, Components, nameof(Components), what + " (its H × H Gram matrix)");
        ArraySizes.Product(Components, columns, nameof(Components), what + " (its dictionary)");
        ArraySizes.Product(Math.Min(BatchSize ?? rows, rows), Components, nameof(Components), what + " (a batch's drives)");
        EmOptionChecks.MaxIterations(MaxIterations, nameof(MaxIterations));
        EmOptionChecks.Tolerance(Tolerance, nameof(Tolerance));
        EmOptionChecks.Starts(Starts, nameof(Starts));
        if (Inference is null)
        {
            throw new ArgumentNullException(nameof(Inference));
        }

        Inference.Validate(nameof(Inference));
        if (BatchSize is int b && b < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), b, "The batch size must be at least 1 (or null for full batches).");
        }

        if (!(InitialTemperature >= 1) || double.IsPositiveInfinity(InitialTemperature))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialTemperature), InitialTemperature, "The initial temperature must be finite and at least 1.");
        }

        if (AnnealingIterations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AnnealingIterations), AnnealingIterations, "The annealing iterations must be non-negative.");
        }

        if (!(NoiseVarianceFloor > 0) || double.IsPositiveInfinity(NoiseVarianceFloor))
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseVarianceFloor), NoiseVarianceFloor, "The noise variance floor must be positive and finite.");
        }

    }
}
