using System.Diagnostics;

namespace LatentModels.NeuralNetworks;

/// <summary>
/// A variational autoencoder (Kingma &amp; Welling, 2014) trained by Adam on mini-batches: the loss of a row is −ELBO =
/// −log p(x | z) + KL(q(z | x) ‖ 𝒩(0, I)), one reparameterised draw z = μ + σ ⊙ ε per row and step, the KL in closed
/// form; a batch's loss is the mean over its rows. float32 on the kernel's SGEMM with fused bias + activation, the
/// transposed products for back-propagation and one fused Adam pass; a warm step allocates nothing.
/// </summary>
/// <remarks>
/// One <see cref="Random"/> seeded by <see cref="VariationalAutoencoderOptions.Seed"/> draws, in order, the initial
/// weights, then per epoch the shuffle and per step the noise ε; every reduction has a fixed order, so a seed gives the
/// same bits for every <see cref="VariationalAutoencoderOptions.MaxDegreeOfParallelism"/>.
/// </remarks>
public sealed class VariationalAutoencoder : IEstimator<VariationalAutoencoderModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (defaults when null).</param>
    public VariationalAutoencoder(VariationalAutoencoderOptions? options = null)
    {
        Options = options ?? new VariationalAutoencoderOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public VariationalAutoencoderOptions Options { get; }

    /// <inheritdoc/>
    FitResult<VariationalAutoencoderModel> IEstimator<VariationalAutoencoderModel>.Fit(double[,] data, IProgress<FitProgress>? progress,
        CancellationToken cancellationToken) => Fit(data, null, progress, cancellationToken);

    /// <summary>Trains on the rows of <paramref name="data"/>; <paramref name="progress"/> gets each epoch's training −ELBO.</summary>
    /// <param name="data">n × D training rows (in [0, 1] for a Bernoulli decoder). Never modified.</param>
    /// <param name="progress">Optional per-epoch progress (objective = the epoch's mean mini-batch −ELBO).</param>
    /// <param name="cancellationToken">Cancels between mini-batches (<see cref="OperationCanceledException"/>).</param>
    public VariationalAutoencoderFitResult Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(data, null, progress, cancellationToken);

    /// <summary>
    /// Trains on the rows of <paramref name="data"/>, scoring <paramref name="validation"/> after every epoch (−ELBO with
    /// the same noise each time) and, with <see cref="VariationalAutoencoderOptions.EarlyStoppingPatience"/>, stopping
    /// early; the model then holds the parameters of the epoch with the lowest validation −ELBO.
    /// </summary>
    /// <param name="data">n × D training rows (in [0, 1] for a Bernoulli decoder). Never modified.</param>
    /// <param name="validation">Optional m × D validation rows.</param>
    /// <param name="progress">Optional per-epoch progress (objective = the epoch's mean mini-batch −ELBO).</param>
    /// <param name="cancellationToken">Cancels between mini-batches (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="FittingException">The loss became infinite or NaN (lower the learning rate).</exception>
    public VariationalAutoencoderFitResult Fit(double[,] data, double[,]? validation, IProgress<FitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        int d = data.GetLength(1);
        if (Options.Likelihood == DecoderLikelihood.Bernoulli)
        {
            CheckUnitInterval(data, nameof(data));
        }

        if (validation is not null)
        {
            DataValidation.CheckMatrix(validation, nameof(validation));
            DataValidation.CheckDimension(validation, d, nameof(validation));
            if (Options.Likelihood == DecoderLikelihood.Bernoulli)
            {
                CheckUnitInterval(validation, nameof(validation));
            }
        }

        return Train(ToFloat(data), data.GetLength(0), d, validation is null ? null : ToFloat(validation), validation?.GetLength(0) ?? 0,
            progress, cancellationToken);
    }

    /// <summary>The network for <paramref name="dimension"/> columns under these options.</summary>
    internal VaeArchitecture ArchitectureFor(int dimension) =>
        new(dimension, Options.HiddenSizes, Options.LatentDimension, Options.Activation, Options.Likelihood, Options.LearnVariance,
            Options.Variance, Options.MinimumVariance);

    /// <summary>
    /// Trains on rows read from a source in bounded memory, with the bits of <see cref="Fit(double[,], IProgress{FitProgress}?, CancellationToken)"/>
    /// on the same rows: the same initialisation, the same shuffled order of every epoch (one int per row, shuffled by the
    /// same draws), the same mini-batches and noise. Memory: one int per row, a window of at most 64 MiB of rows (an epoch
    /// reads the source once per window: once for a data set of at most 64 MiB of rows) and one chunk.
    /// </summary>
    /// <param name="source">The n × D training rows (in [0, 1] for a Bernoulli decoder); every pass must give the same rows.</param>
    /// <param name="progress">Optional per-epoch progress (objective = the epoch's mean mini-batch −ELBO).</param>
    /// <param name="cancellationToken">Checked before every chunk and every mini-batch.</param>
    /// <exception cref="ArgumentException">No rows, a chunk of another width, or a value outside [0, 1] for a Bernoulli decoder (named by its row and column).</exception>
    /// <exception cref="Data.RowFormatException">The source is malformed.</exception>
    /// <exception cref="FittingException">The loss became infinite or NaN (lower the learning rate).</exception>
    public VariationalAutoencoderFitResult Fit(Data.IRowChunkSource source, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Fit(source, Data.ShuffledWindows.WindowBytes, progress, cancellationToken);
    }

    /// <summary><see cref="Fit(Data.IRowChunkSource, IProgress{FitProgress}?, CancellationToken)"/> holding at most <paramref name="windowBytes"/> of rows (tests take small windows).</summary>
    internal VariationalAutoencoderFitResult Fit(Data.IRowChunkSource source, long windowBytes, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        long rows = 0;
        int d = -1;
        foreach (double[,] chunk in source.ReadChunks(Data.RowChunks.DefaultChunkRows, cancellationToken))
        {
            if (d >= 0 && chunk.GetLength(1) != d)
            {
                throw new ArgumentException($"{source.Name} has {chunk.GetLength(1)} columns at row {rows}; earlier rows have {d}.", "data");
            }

            d = chunk.GetLength(1);
            if (Options.Likelihood == DecoderLikelihood.Bernoulli)
            {
                CheckUnitInterval(chunk, "data", rows);
            }

            rows += chunk.GetLength(0);
        }

        if (rows == 0)
        {
            throw new ArgumentException($"{source.Name} has no rows.", nameof(source));
        }

        int n = rows <= Array.MaxLength ? (int)rows : throw new ArgumentException($"{source.Name} has {rows} rows; a fit of a source shuffles at most {Array.MaxLength}.", nameof(source));
        var chunks = new Data.WeightedRowChunks(source, null);
        double[] held = [];
        int window = 0;
        return TrainCore((trainer, order, random, token) =>
        {
            int b = trainer.Workspace.Capacity;
            if (window == 0)
            {
                window = Data.ShuffledWindows.Rows(n, d, b, windowBytes);
                held = new double[(long)window * d];
            }

            // The order's places (one int per row, inverted in place), read in windows of whole mini-batches, then the order again.
            Data.ShuffledWindows.InvertInPlace(order);
            double sum = 0;
            int batches = 0;
            float[] input = trainer.Workspace.Input;
            for (int first = 0; first < n; first += window)
            {
                int end = (int)Math.Min((long)first + window, n);
                Data.ShuffledWindows.Gather(chunks, order, first, end, d, held, null, null, token);
                for (int start = first; start < end; start += b)
                {
                    token.ThrowIfCancellationRequested();
                    int count = Math.Min(b, n - start);
                    ReadOnlySpan<double> x = held.AsSpan((start - first) * d, count * d);
                    for (int i = 0; i < x.Length; i++)
                    {
                        input[i] = (float)x[i];
                    }

                    sum += trainer.Step(count, random);
                    batches++;
                }
            }

            Data.ShuffledWindows.InvertInPlace(order);
            return sum / batches;
        }, n, d, null, 0, progress, cancellationToken);
    }

    /// <summary>One epoch of the training loop: the trainer's steps over the rows in <c>order</c>; returns the mean of the mini-batch losses.</summary>
    private delegate double EpochRunner(VaeTrainer trainer, int[] order, Random random, CancellationToken cancellationToken);

    /// <summary>The training loop over validated float rows.</summary>
    internal VariationalAutoencoderFitResult Train(float[] data, int n, int d, float[]? validation, int validationRows,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        TrainCore((trainer, order, random, token) => trainer.Epoch(data, order, random, token), n, d, validation, validationRows, progress, cancellationToken);

    /// <summary>The training loop, each epoch run by <paramref name="runEpoch"/> (over rows in memory or read from a source).</summary>
    private VariationalAutoencoderFitResult TrainCore(EpochRunner runEpoch, int n, int d, float[]? validation, int validationRows,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        VariationalAutoencoderOptions o = Options;
        VaeArchitecture.CheckSizes(d, o.HiddenSizes, o.LatentDimension, o.LearnVariance && o.Likelihood == DecoderLikelihood.Gaussian,
            Math.Max(Math.Min(o.BatchSize, n), validation is null ? 0 : Math.Min(256, validationRows)),
            o.LatentDimension >= o.HiddenSizes.DefaultIfEmpty(0).Max() ? nameof(o.LatentDimension) : nameof(o.HiddenSizes));
        VaeArchitecture architecture = ArchitectureFor(d);
        var random = new Random(o.Seed);
        var parameters = new float[architecture.ParameterCount];
        architecture.Initialize(parameters, random);
        var trainer = new VaeTrainer(architecture, parameters, Math.Min(o.BatchSize, n), o);
        var validationWorkspace = validation is null ? null : new VaeWorkspace(architecture, Math.Min(256, validationRows), o.MaxDegreeOfParallelism);
        float[]? best = validation is null ? null : (float[])parameters.Clone();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        bool stoppedEarly = false;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var trace = new List<double>();
        var seconds = new List<double>();
        var validationTrace = new List<double>();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Shuffle(order, random);
            long started = Stopwatch.GetTimestamp();
            double loss = runEpoch(trainer, order, random, cancellationToken);
            seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (!double.IsFinite(loss))
            {
                throw new FittingException($"The training −ELBO became {loss} in epoch {epoch}; lower the learning rate.");
            }

            trace.Add(loss);
            if (validation is not null)
            {
                double v = Evaluate(validationWorkspace!, parameters, validation, validationRows, new Random(unchecked(o.Seed + 1)));
                validationTrace.Add(v);
                if (v < bestLoss)
                {
                    bestLoss = v;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    parameters.CopyTo(best!, 0);
                }
                else
                {
                    sinceBest++;
                }

                if (o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience)
                {
                    stoppedEarly = true;
                    progress?.Report(new FitProgress(0, epoch, o.Epochs, loss));
                    break;
                }
            }

            progress?.Report(new FitProgress(0, epoch, o.Epochs, loss));
        }

        float[] final = best ?? (float[])parameters.Clone();
        var model = new VariationalAutoencoderModel(architecture, final);
        var report = new FitReport("negativeElbo", trace.Count, stoppedEarly, trace, clock.Elapsed);
        return new VariationalAutoencoderFitResult(model, report, seconds, validationTrace, best is null ? trace.Count : bestEpoch);
    }

    /// <summary>Throws unless every value lies in [0, 1] (the Bernoulli decoder's data), naming the row and column.</summary>
    internal static void CheckUnitInterval(double[,] data, string paramName, long firstRow = 0)
    {
        ReadOnlySpan<double> values = data.AsSpan();
        int d = data.GetLength(1);
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= 0 && values[i] <= 1))
            {
                throw new ArgumentException(
                    $"The value at row {firstRow + (i / d)}, column {i % d} is {values[i]}; a Bernoulli decoder needs values in [0, 1].", paramName);
            }
        }
    }

    /// <summary>Mean −ELBO per row of <paramref name="rows"/> float rows, one draw of ε per row.</summary>
    internal static double Evaluate(VaeWorkspace ws, ReadOnlySpan<float> parameters, float[] data, int rows, Random random)
    {
        int d = ws.Architecture.InputDimension;
        double sum = 0;
        for (int start = 0; start < rows; start += ws.Capacity)
        {
            int count = Math.Min(ws.Capacity, rows - start);
            data.AsSpan(start * d, count * d).CopyTo(ws.Input);
            ws.Forward(parameters, count, random, withGradient: false);
            for (int i = 0; i < count; i++)
            {
                sum += ws.Reconstruction[i] + ws.Kl[i];
            }
        }

        return sum / rows;
    }

    private static void Shuffle(int[] order, Random random)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static float[] ToFloat(double[,] data)
    {
        ReadOnlySpan<double> source = data.AsSpan();
        var result = new float[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            result[i] = (float)source[i];
        }

        return result;
    }
}
