using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LatentModels.NeuralNetworks;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit vae</c> verb: a variational autoencoder trained by Adam.</summary>
internal static class VaeCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(Vae(console));

    /// <summary>Parses "200" or "400,200" into hidden widths.</summary>
    internal static int[] ParseHidden(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new ArgumentException($"--hidden: '{text}' must be positive integers separated by commas, e.g. 400,200.");
            }
        }

        return sizes;
    }

    private static Command Vae(CliConsole console)
    {
        var data = CommonOptions.Data();
        data.Description = "Training rows: an MNIST IDX image file (plain or .gz, pixels scaled to [0, 1]) or a numeric CSV / whitespace file.";
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var modelOut = CommonOptions.ModelOut();
        var hidden = new Option<string>("--hidden") { Description = "Hidden widths of the encoder, input side first (the decoder mirrors them), e.g. 400,200.", DefaultValueFactory = _ => "200", HelpName = "H[,H2…]" };
        var latent = new Option<int>("--latent") { Description = "Latent dimension Z.", DefaultValueFactory = _ => 20, HelpName = "Z" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the data.", DefaultValueFactory = _ => 10, HelpName = "E" };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per mini-batch.", DefaultValueFactory = _ => 100, HelpName = "B" };
        var learningRate = new Option<double>("--learning-rate") { Description = "Adam's step size.", DefaultValueFactory = _ => 1e-3, HelpName = "LR" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay (AdamW).", DefaultValueFactory = _ => 0, HelpName = "W" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation.", DefaultValueFactory = _ => "relu", HelpName = "F" }
            .AcceptOnlyFromAmong("relu", "tanh");
        var likelihood = new Option<string>("--likelihood") { Description = "Decoder: bernoulli (data in [0, 1]) or gaussian (learned variance per column).", DefaultValueFactory = _ => "bernoulli", HelpName = "L" }
            .AcceptOnlyFromAmong("bernoulli", "gaussian");
        var threads = CommonOptions.Threads();
        var command = new Command("vae",
            "Fit a variational autoencoder (MLP encoder and decoder, Adam, mini-batches; Kingma & Welling).\n" +
            "The file is streamed, not loaded: memory is one int per row (the epoch's shuffled order) and a window of at most 64 MiB of rows;\n" +
            "the result is that of the loaded file, to the bit (docs/out-of-core.md).\n" +
            "Example: latent fit vae --data train-images-idx3-ubyte.gz --hidden 200 --latent 20 --epochs 5 --json --model-out vae.json")
        {
            data, hidden, latent, epochs, batchSize, learningRate, weightDecay, activation, likelihood, seed, threads, json, modelOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            // Streamed (docs/out-of-core.md): an epoch's shuffled order is one int per row, its mini-batches are gathered in
            // windows of at most 64 MiB of rows; the same bits as the fit of the loaded file.
            var source = new CountingSource(DataSources.Open(path, console.Columns));
            console.StreamData(path);
            var options = new VariationalAutoencoderOptions
            {
                HiddenSizes = ParseHidden(parse.GetValue(hidden)!),
                LatentDimension = parse.GetValue(latent),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                WeightDecay = parse.GetValue(weightDecay),
                Activation = parse.GetValue(activation) == "tanh" ? HiddenActivation.Tanh : HiddenActivation.Relu,
                Likelihood = parse.GetValue(likelihood) == "gaussian" ? DecoderLikelihood.Gaussian : DecoderLikelihood.Bernoulli,
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            var estimator = new VariationalAutoencoder(options);

            // One untimed epoch on the first rows first, so the timings are the training, not the JIT compilation.
            int headRows = (int)Math.Min(int.MaxValue / 2, Math.Max(1L, 2L * options.BatchSize));
            double[,] head = (double[,])source.ReadChunks(headRows, console.CancellationToken).First().Clone();
            new VariationalAutoencoder(options with { Epochs = 1 }).Fit(head, null, null, console.CancellationToken);

            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "VAE");
            var watch = Stopwatch.StartNew();
            VariationalAutoencoderFitResult fit = estimator.Fit(source, progress, console.CancellationToken);
            long n = source.Rows;
            int d = source.Columns;
            double seconds = watch.Elapsed.TotalSeconds;
            progress?.Dispose();
            ModelCommands.SaveIfRequested(fit.Model, parse.GetValue(modelOut));
            double[] perEpoch = fit.EpochSeconds.ToArray();
            Array.Sort(perEpoch);
            double median = perEpoch.Length % 2 == 1 ? perEpoch[perEpoch.Length / 2] : 0.5 * (perEpoch[(perEpoch.Length / 2) - 1] + perEpoch[perEpoch.Length / 2]);
            double last = fit.Report.ObjectiveTrace[^1];
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "vae").Add("n", n).Add("d", d)
                    .Add("hidden", options.HiddenSizes.ToArray()).Add("latent", options.LatentDimension)
                    .Add("activation", parse.GetValue(activation)).Add("likelihood", parse.GetValue(likelihood))
                    .Add("epochs", fit.Report.Iterations).Add("batchSize", options.BatchSize).Add("seconds", seconds)
                    .Add("secondsPerEpoch", median).Add("epochSeconds", fit.EpochSeconds.ToArray())
                    .Add("trainNegElbo", last).Add("negElboTrace", fit.Report.ObjectiveTrace.ToArray())
                    .Add("parameters", fit.Model.ParameterCount));
            }
            else
            {
                console.Out.WriteLine($"Variational autoencoder {d}-{string.Join("-", options.HiddenSizes)}-{options.LatentDimension} ({parse.GetValue(activation)}, {parse.GetValue(likelihood)}) fitted to {n} rows of {path}");
                console.Out.WriteLine($"  epochs                {fit.Report.Iterations} (batch {options.BatchSize}, Adam {Format.Number(options.LearningRate)})");
                console.Out.WriteLine($"  training −ELBO        {Format.Number(last)} nats per row (mean over the last epoch's mini-batches)");
                console.Out.WriteLine($"  seconds per epoch     {Format.Number(median)} (median)");
                console.Out.WriteLine($"  fit time              {Format.Number(seconds)} s");
            }

            return CliApp.Success;
        }));
        return command;
    }
}
