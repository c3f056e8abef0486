namespace LatentModels.NeuralNetworks;

/// <summary>
/// The result of fitting a <see cref="VariationalAutoencoder"/>: the model, the report (its objective trace is the
/// training −ELBO of each epoch: the mean of that epoch's mini-batch losses) and the per-epoch timings and validation
/// losses.
/// </summary>
/// <param name="Model">The fitted model (with validation and early stopping: the best epoch's parameters).</param>
/// <param name="Report">Epochs run, whether early stopping ended the fit, the training −ELBO per epoch, elapsed time.</param>
/// <param name="EpochSeconds">Wall-clock seconds of each epoch's training steps (validation excluded).</param>
/// <param name="ValidationTrace">The validation −ELBO (mean per row) after each epoch; empty without a validation set.</param>
/// <param name="BestEpoch">One-based epoch whose parameters the model holds (the last one without validation).</param>
public sealed record VariationalAutoencoderFitResult(VariationalAutoencoderModel Model, FitReport Report,
    IReadOnlyList<double> EpochSeconds, IReadOnlyList<double> ValidationTrace, int BestEpoch)
    : FitResult<VariationalAutoencoderModel>(Model, Report);
