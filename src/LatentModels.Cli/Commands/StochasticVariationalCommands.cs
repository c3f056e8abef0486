using System.CommandLine;
using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Variational;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit svi-gmm</c> verb: stochastic variational inference of the variational Bayesian Gaussian mixture.</summary>
internal static class StochasticVariationalCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(SviGmm(console));

    private static Command SviGmm(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var k = new Option<int?>("--k") { Description = "Number of components K (required unless --state-in gives it).", HelpName = "K" };
        var init = GmmCommands.Init();
        var covariance = GmmCommands.Covariance();
        var weightPrior = new Option<string>("--weight-prior")
        {
            Description = "Prior of the weights: dirichlet (a Dirichlet distribution) or process (a Dirichlet process truncated at K by stick-breaking).",
            DefaultValueFactory = _ => "dirichlet",
            HelpName = "PRIOR",
        }.AcceptOnlyFromAmong("dirichlet", "process");
        var concentration = new Option<double?>("--weight-concentration") { Description = "The Dirichlet α₀ or the process γ (default 1/K).", HelpName = "A" };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Rows per mini-batch (each epoch shuffles the rows). The file is streamed, never loaded: an epoch keeps one int per row (its shuffled place) "
                + "and reads the file once per 64 MiB of shuffled rows it gathers (once for a smaller file); see docs/out-of-core.md.",
            DefaultValueFactory = _ => 256,
            HelpName = "B",
        };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the file.", DefaultValueFactory = _ => 10, HelpName = "E" };
        var tau = new Option<double>("--tau") { Description = "Step delay τ ≥ 0 of the step size ρₜ = (τ + t)^(−κ).", DefaultValueFactory = _ => 1.0, HelpName = "T" };
        var kappa = new Option<double>("--kappa") { Description = "Forgetting rate κ in (0.5, 1] of the step size ρₜ = (τ + t)^(−κ).", DefaultValueFactory = _ => 0.7, HelpName = "K" };
        var reg = new Option<double>("--reg") { Description = "Added (times Nₖ) to every posterior scale's diagonal (scikit-learn's reg_covar).", DefaultValueFactory = _ => 1e-6, HelpName = "R" };
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        var initModel = new Option<string?>("--init-model")
        {
            Description = "Warm start: the first mini-batch's responsibilities under this saved variational model (fit vb-gmm or svi-gmm --model-out; same K, dimension, covariance type and weight prior), then one variational M-step; --init is then not used.",
            HelpName = "M.json",
        };
        var stateIn = new Option<string?>("--state-in")
        {
            Description = "Continue from a stream state saved by --state-out (it fixes K, the prior, the covariance type, the schedule, the batch size, N and the seed; a run split into pieces ends with the very same posterior as one run).",
            HelpName = "S.json",
        };
        var stateOut = new Option<string?>("--state-out")
        {
            Description = "Save the complete stream state (effective statistics, resolved prior, step counter, shuffling generator) to continue later with --state-in.",
            HelpName = "S.json",
        };
        var command = new Command("svi-gmm",
            "Fit a variational Bayesian Gaussian mixture by stochastic variational inference (Hoffman et al. 2013): natural-gradient steps from shuffled mini-batches, step (τ + t)^(−κ).\n" +
            "Example: latent fit svi-gmm --data big.csv --k 16 --batch-size 512 --epochs 3 --state-out s.json --json")
        {
            data, k, covariance, weightPrior, concentration, init, initModel, batchSize, epochs, tau, kappa, reg, seed, threads, json, modelOut, stateIn, stateOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            IRowChunkSource x = DataSources.Open(path, console.Columns); // streamed: memory is one int per row and a window of rows, whatever the file's size
            console.StreamData(path);
            int passes = parse.GetValue(epochs);
            if (passes < 1)
            {
                throw new ArgumentException($"--epochs: {passes} is not a positive number of passes.");
            }

            StreamingVariationalGaussianMixture stream;
            long n;
            int d;
            if (parse.GetValue(stateIn) is string statePath)
            {
                Option[] fixedByState = [k, covariance, weightPrior, concentration, init, initModel, batchSize, tau, kappa, reg, seed, threads];
                if (fixedByState.Any(o => parse.GetResult(o) is { Implicit: false }))
                {
                    throw new ArgumentException("--state-in: the saved state fixes K, the covariance type, the prior, the initialisation, the batch size, the schedule, the regularisation, the seed and the thread cap; "
                        + "do not give --k, --covariance, --weight-prior, --weight-concentration, --init, --init-model, --batch-size, --tau, --kappa, --reg, --seed or --threads.");
                }

                stream = ModelCommands.LoadModel(statePath, "--state-in") as StreamingVariationalGaussianMixture
                    ?? throw new ArgumentException($"--state-in: {statePath} is not a stochastic variational stream state (write one with fit svi-gmm --state-out).");
                (n, d) = RowChunks.Shape(x, console.CancellationToken);
                if (stream.IsInitialized && stream.Snapshot().Dimension != d)
                {
                    throw new ArgumentException($"--data: {path} has {d} columns but the saved stream has dimension {stream.Snapshot().Dimension}.");
                }
            }
            else
            {
                int components = parse.GetValue(k) ?? throw new ArgumentException("--k: the number of components is required (or continue a saved stream with --state-in).");
                var options = new StochasticVariationalGaussianMixtureOptions
                {
                    Mixture = new VariationalGaussianMixtureOptions
                    {
                        Components = components,
                        Covariance = GmmCommands.ParseCovariance(parse.GetValue(covariance)),
                        WeightPrior = parse.GetValue(weightPrior) == "process" ? WeightPrior.DirichletProcess : WeightPrior.DirichletDistribution,
                        WeightConcentration = parse.GetValue(concentration),
                        Init = GmmCommands.ParseInit(parse.GetValue(init)!),
                        InitialModel = VariationalMixtureCommands.LoadInitialModel<VariationalGaussianMixtureModel>(parse.GetValue(initModel), "a variational Bayesian Gaussian mixture (fit vb-gmm or svi-gmm)"),
                        Regularization = parse.GetValue(reg),
                        Seed = parse.GetValue(seed) ?? 0,
                        MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
                    },
                    BatchSize = parse.GetValue(batchSize),
                    StepDelay = parse.GetValue(tau),
                    ForgettingRate = parse.GetValue(kappa),
                    Epochs = passes,
                };
                // One pass: the rows, their columns and the moments of the default prior.
                stream = new StochasticVariationalGaussianMixture(options).CreateStream(x, console.CancellationToken);
                n = stream.Options.DataSize!.Value;
                d = -1;
            }

            long stepsBefore = stream.Steps;
            var watch = Stopwatch.StartNew();
            for (int e = 0; e < passes; e++)
            {
                stream.UpdateEpoch(x, n, console.CancellationToken);
            }

            double seconds = watch.Elapsed.TotalSeconds;
            ModelCommands.SaveIfRequested(stream, parse.GetValue(stateOut), "--state-out");
            VariationalGaussianMixtureModel model = stream.Snapshot(x, console.CancellationToken); // one pass: the bound on the whole file
            d = model.Dimension;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            double score = model.Score(x, out _, console.CancellationToken); // one more pass
            string covarianceName = parse.GetResult(stateIn) is { Implicit: false } ? GmmCommands.CovarianceName(model.CovarianceType) : parse.GetValue(covariance)!;
            string priorName = model.WeightPrior == WeightPrior.DirichletProcess ? "process" : "dirichlet";
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "svi-gmm").Add("covariance", covarianceName).Add("weightPrior", priorName)
                    .Add("k", model.Components).Add("n", n).Add("d", d).Add("seconds", seconds)
                    .Add("lowerBound", model.LowerBound).Add("elbo", model.Elbo).Add("avgLogLikelihood", score)
                    .Add("epochs", passes).Add("updates", stream.Steps - stepsBefore).Add("totalUpdates", stream.Steps)
                    .Add("batchSize", stream.Options.BatchSize).Add("effectiveComponents", model.EffectiveComponents())
                    .Add("weights", model.Weights).Add("means", model.Means));
            }
            else
            {
                console.Out.WriteLine($"Variational Bayesian Gaussian mixture ({covarianceName} covariance, {priorName} weights, K = {model.Components}) fitted by stochastic variational inference: "
                    + $"{passes} epoch(s) over {n} rows × {d} columns of {path} in mini-batches of {stream.Options.BatchSize} ({stream.Steps - stepsBefore} updates, {stream.Steps} in all)");
                console.Out.WriteLine($"  ELBO                    {Format.Number(model.Elbo)}  (whole file; scikit-learn's convention {Format.Number(model.LowerBound)})");
                console.Out.WriteLine($"  mean log predictive     {Format.Number(score)}");
                console.Out.WriteLine($"  effective components    {model.EffectiveComponents()} (weight > 0.01)");
                console.Out.WriteLine($"  fit time                {Format.Number(seconds)} s");
                double[] w = model.Weights;
                for (int c = 0; c < w.Length; c++)
                {
                    console.Out.WriteLine($"  component {c}: weight {Format.Number(w[c])}");
                }
            }

            return CliApp.Success;
        }));
        return command;
    }
}
