using System.CommandLine;
using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Mixtures;

namespace LatentModels.Cli;

/// <summary>The Gaussian-mixture verbs: <c>latent fit gmm</c> and <c>latent fit online-gmm</c>.</summary>
internal static class GmmCommands
{
    public static void Add(Command fit, CliConsole console)
    {
        fit.Subcommands.Add(Gmm(console));
        fit.Subcommands.Add(OnlineGmm(console));
    }

    internal static Option<string> Covariance() => new Option<string>("--covariance")
    {
        Description = "Covariance type: full, diag, spherical or tied.",
        DefaultValueFactory = _ => "full",
        HelpName = "TYPE",
    }.AcceptOnlyFromAmong("full", "diag", "spherical", "tied");

    internal static CovarianceType ParseCovariance(string? value) => value switch
    {
        "diag" => CovarianceType.Diagonal,
        "spherical" => CovarianceType.Spherical,
        "tied" => CovarianceType.Tied,
        _ => CovarianceType.Full,
    };

    internal static string CovarianceName(CovarianceType type) => type switch
    {
        CovarianceType.Diagonal => "diag",
        CovarianceType.Spherical => "spherical",
        CovarianceType.Tied => "tied",
        _ => "full",
    };

    private static Option<double> Regularization() =>
        new("--reg") { Description = "Added to every covariance diagonal in the M-step (maximum likelihood only).", DefaultValueFactory = _ => 1e-6, HelpName = "R" };

    internal static Option<int> K() => new("--k")
    {
        Description = "Number of mixture components.",
        Required = true,
        HelpName = "K",
    };

    internal static Option<string> Init() => new Option<string>("--init")
    {
        Description = "Initialisation: kmeans (K-Means labels, the default), kmeans++ (centers, then nearest-center responsibilities), random (random responsibilities), random-rows, or first (first K rows, data covariance; reproducible comparisons).",
        DefaultValueFactory = _ => "kmeans",
        HelpName = "METHOD",
    }.AcceptOnlyFromAmong("kmeans", "kmeans++", "random", "random-rows", "first");

    internal static MixtureInit ParseInit(string value) => value switch
    {
        "random" => MixtureInit.RandomResponsibilities,
        "random-rows" => MixtureInit.RandomRows,
        "first" => MixtureInit.First,
        "kmeans++" => MixtureInit.KMeansPlusPlus,
        _ => MixtureInit.KMeans,
    };

    /// <summary>Comma-separated numbers, or null for none.</summary>
    private static double[]? ParseWeights(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
            {
                throw new ArgumentException($"--weights-init: '{parts[i]}' is not a number.");
            }
        }

        return values;
    }

    private static Command Gmm(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var k = K();
        var init = Init();
        var covariance = Covariance();
        var starts = new Option<int>("--starts") { Description = "Number of starts; the best is kept.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum EM iterations per start (0 returns the start).", DefaultValueFactory = _ => 100, HelpName = "N" };
        var tol = new Option<double>("--tol") { Description = "Stop when the mean log-likelihood changes by less than this, tested as scikit-learn's tol (0: run --max-iter iterations).", DefaultValueFactory = _ => 1e-3, HelpName = "T" };
        var weightsInit = new Option<string?>("--weights-init")
        {
            Description = "Starting mixing weights, K comma-separated positive numbers (normalised); the parameters not given come from --init (scikit-learn's weights_init).",
            HelpName = "W1,W2,...",
        };
        var meansInit = new Option<string?>("--means-init")
        {
            Description = "Data file of the K × d starting means (scikit-learn's means_init).",
            HelpName = "FILE",
        };
        var precisionsInit = new Option<string?>("--precisions-init")
        {
            Description = "Data file of the starting precisions (inverse covariances; scikit-learn's precisions_init), row after row: full K·d rows × d, tied d × d, diag K × d, spherical K × 1.",
            HelpName = "FILE",
        };
        var labelsOut = CommonOptions.LabelsOut();
        var reg = Regularization();
        var prior = new Option<string>("--prior")
        {
            Description = "none (maximum likelihood) or default (MAP EM with the Fraley–Raftery/mclust conjugate prior).",
            DefaultValueFactory = _ => "none",
            HelpName = "PRIOR",
        }.AcceptOnlyFromAmong("none", "default");
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        var outOfCore = CommonOptions.OutOfCore();
        var sampleWeights = CommonOptions.SampleWeights();
        var command = new Command("gmm", "Fit a Gaussian mixture by batch EM (maximum likelihood or MAP).\nExample: latent fit gmm --data old_faithful.txt --k 2 --covariance full --json")
        {
            data, k, covariance, init, starts, maxIter, tol, reg, prior, seed, threads, json, modelOut, labelsOut, weightsInit, meansInit, precisionsInit, outOfCore, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            bool streamed = parse.GetValue(outOfCore);
            // --out-of-core re-reads the file in chunks for every pass (memory: one chunk); otherwise it is read whole.
            double[,]? x = streamed ? null : console.ReadData(path);
            CountingSource? source = streamed ? new CountingSource(DataSources.Open(path, console.Columns)) : null;
            if (streamed)
            {
                console.StreamData(path);
            }

            var options = new GaussianMixtureOptions
            {
                Components = parse.GetValue(k),
                Covariance = ParseCovariance(parse.GetValue(covariance)),
                Init = ParseInit(parse.GetValue(init)!),
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                Regularization = parse.GetValue(reg),
                Prior = parse.GetValue(prior) == "default" ? GaussianMixturePrior.Default : null,
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
                InitialWeights = ParseWeights(parse.GetValue(weightsInit)),
                InitialMeans = parse.GetValue(meansInit) is { } meansPath ? console.ReadData(meansPath, "--means-init") : null,
                InitialPrecisions = parse.GetValue(precisionsInit) is { } precisionsPath ? [.. console.ReadData(precisionsPath, "--precisions-init").Cast<double>()] : null,
            };
            string? weightsPath = parse.GetValue(sampleWeights);
            // Out of core the weights file is read in chunks alongside the data; in memory, whole.
            double[]? weights = source is null ? CommonOptions.ReadSampleWeights(console, weightsPath, x!.GetLength(0)) : null;
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, streamed ? "EM (out of core)" : "EM");
            FitResult<GaussianMixtureModel> fit;
            double seconds;
            if (source is not null)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var mixture = new GaussianMixture(options);
                fit = weightsPath is null
                    ? mixture.Fit(source, progress, console.CancellationToken)
                    : mixture.Fit(source, CommonOptions.OpenSampleWeights(console, weightsPath), progress, console.CancellationToken);
                seconds = watch.Elapsed.TotalSeconds;
            }
            else
            {
                ClusteringFitResult<GaussianMixtureModel> inMemory = FitCommands.Timed(
                    rows => weights is null
                        ? new GaussianMixture(options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken)
                        : new GaussianMixture(options).Fit(rows, weights[..rows.GetLength(0)], ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                    x!, out seconds);
                CommonOptions.WriteLabels(parse.GetValue(labelsOut), inMemory.Labels);
                fit = inMemory;
            }

            progress?.Dispose();
            GaussianMixtureModel model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            if (source is not null && parse.GetValue(labelsOut) is string labelsPath)
            {
                using var writer = new StreamWriter(labelsPath);
                foreach (double[,] chunk in source.ReadChunks(RowChunks.DefaultChunkRows, console.CancellationToken))
                {
                    foreach (int label in model.Predict(chunk))
                    {
                        writer.WriteLine(label.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }

            // Streamed: the same per-row sum in the same blocks as Score of the array (the same bits).
            long scored = 0;
            double score = source is not null ? model.Score(source, out scored, console.CancellationToken) : model.Score(x!);
            int n = x?.GetLength(0) ?? checked((int)scored);
            double bic = -2 * score * n + model.ParameterCount * Math.Log(n), aic = -2 * score * n + 2 * model.ParameterCount;
            if (parse.GetValue(json))
            {
                var line = new JsonLine().Add("model", "gmm").Add("covariance", parse.GetValue(covariance)).Add("k", model.Components)
                    .Add("n", n).Add("d", model.Dimension).Add("seconds", seconds).Add("avgLogLikelihood", score)
                    .Add("iterations", fit.Report.Iterations).Add("converged", fit.Report.Converged).Add("bic", bic).Add("aic", aic);
                if (options.Prior is not null && fit.Report.ObjectiveTrace.Count > 0)
                {
                    line.Add("avgLogPosterior", fit.Report.ObjectiveTrace[^1]);
                }

                if (streamed)
                {
                    line.Add("outOfCore", true);
                }

                console.Out.WriteLine(line.Add("weights", model.Weights).Add("means", model.Means));
            }
            else
            {
                console.Out.WriteLine($"Gaussian mixture ({parse.GetValue(covariance)} covariance, K = {model.Components}) fitted by {(options.Prior is null ? "maximum-likelihood" : "MAP")} EM{(streamed ? " (out of core)" : "")} to {n} rows × {model.Dimension} columns of {path}");
                console.Out.WriteLine($"  iterations           {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}");
                if (options.Prior is not null && fit.Report.ObjectiveTrace.Count > 0)
                {
                    console.Out.WriteLine($"  mean log-posterior   {Format.Number(fit.Report.ObjectiveTrace[^1])}");
                }

                console.Out.WriteLine($"  BIC / AIC            {Format.Number(bic)} / {Format.Number(aic)}  (lower is better)");
                WriteFitTimeAndComponents(console, model, seconds);
            }

            return CliApp.Success;
        }));
        return command;
    }
    private static Command OnlineGmm(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var k = new Option<int?>("--k") { Description = "Number of mixture components (required unless --state-in gives it).", HelpName = "K" };
        var mode = new Option<string>("--mode")
        {
            Description = "incremental: Neal–Hinton incremental EM, --passes passes over the file in a seeded random order (stores N × K responsibilities). " +
                "stream: Cappé–Moulines online EM, the rows are seen once per pass, in order, in mini-batches of --batch-size (constant memory).",
            DefaultValueFactory = _ => "incremental",
            HelpName = "MODE",
        }.AcceptOnlyFromAmong("incremental", "stream");
        var covariance = Covariance();
        var passes = new Option<int?>("--passes") { Description = "Passes over the file (default: 10 for incremental, 1 for stream).", HelpName = "P" };
        var batchSize = new Option<int>("--batch-size") { Description = "stream: rows per mini-batch (1 = point by point).", DefaultValueFactory = _ => 100, HelpName = "B" };
        var init = Init();
        var reg = Regularization();
        var threads = CommonOptions.Threads();
        var modelOut = CommonOptions.ModelOut();
        var stateIn = new Option<string?>("--state-in")
        {
            Description = "stream: continue from an estimator state saved by --state-out (its K, covariance, init, regularisation and seed are used; a stream split into pieces ends exactly where one run would).",
            HelpName = "S.json",
        };
        var stateOut = new Option<string?>("--state-out")
        {
            Description = "stream: save the complete estimator state (statistics, parameters, step counter) to continue later with --state-in.",
            HelpName = "S.json",
        };
        var command = new Command("online-gmm",
            "Fit a Gaussian mixture by online EM and report the mean log-likelihood over the whole file.\n" +
            "Example: latent fit online-gmm --data gmm.csv --k 5 --mode incremental --passes 10 --init kmeans --seed 0 --json\n" +
            "Example: latent fit online-gmm --data day1.csv --k 5 --mode stream --state-out s.json && latent fit online-gmm --data day2.csv --mode stream --state-in s.json --model-out m.json")
        {
            data, k, mode, covariance, passes, batchSize, init, reg, seed, threads, json, modelOut, stateIn, stateOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            bool stream = parse.GetValue(mode) == "stream";
            // --mode stream reads the file in mini-batches, once per pass and once more for the whole-file score
            // (memory: one mini-batch); incremental EM keeps N × K responsibilities and reads the file whole.
            double[,]? x = stream ? null : console.ReadData(path);
            IRowChunkSource source = x is null ? DataSources.Open(path, console.Columns) : new ArrayRowChunkSource(x, path);
            console.StreamData(path);
            int p = parse.GetValue(passes) ?? (stream ? 1 : 10);
            int b = parse.GetValue(batchSize);
            if (p < 1)
            {
                throw new ArgumentException($"--passes: {p} is not a positive number of passes.");
            }

            if (b < 1)
            {
                throw new ArgumentException($"--batch-size: {b} is not a positive number of rows.");
            }

            if (!stream && (parse.GetValue(stateIn) is not null || parse.GetValue(stateOut) is not null || parse.GetResult(batchSize) is { Implicit: false }))
            {
                throw new ArgumentException("--mode: --state-in, --state-out and --batch-size apply to --mode stream only.");
            }

            GaussianMixtureModel model;
            double seconds;
            long points = 0;
            double[]? trace = null;
            if (stream)
            {
                StreamingGaussianMixture online;
                if (parse.GetValue(stateIn) is string statePath)
                {
                    if (parse.GetResult(k) is { Implicit: false } || parse.GetResult(init) is { Implicit: false } || parse.GetResult(seed) is { Implicit: false }
                        || parse.GetResult(covariance) is { Implicit: false } || parse.GetResult(reg) is { Implicit: false } || parse.GetResult(threads) is { Implicit: false })
                    {
                        throw new ArgumentException("--state-in: the saved state fixes K, the covariance type, the initialisation, the regularisation, the seed and the thread cap; do not give --k, --covariance, --init, --reg, --seed or --threads.");
                    }

                    online = ModelCommands.LoadModel(statePath, "--state-in") as StreamingGaussianMixture
                        ?? throw new ArgumentException($"--state-in: {statePath} is not a streaming EM state (write one with --mode stream --state-out).");
                    int columns = source.ReadChunks(1, console.CancellationToken).First().GetLength(1);
                    if (online.IsInitialized && online.Snapshot().Dimension != columns)
                    {
                        throw new ArgumentException($"--data: {path} has {columns} columns but the saved stream has dimension {online.Snapshot().Dimension}.");
                    }
                }
                else
                {
                    online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = MixtureOptions(parse, k, covariance, init, reg, seed, threads, int.MaxValue, path) });
                }

                var watch = Stopwatch.StartNew();
                (int rows, _) = DataSources.Stream(online, source, b, p, console.CancellationToken);
                if (!online.IsInitialized && parse.GetValue(stateIn) is null)
                {
                    MixtureOptions(parse, k, covariance, init, reg, seed, threads, rows, path); // names K > rows as the in-memory check does
                }

                model = online.IsInitialized
                    ? online.Snapshot()
                    : throw new ArgumentException($"--data: {online.Count} points have arrived, too few for the initialisation ({online.InitializationSize} needed).");
                seconds = watch.Elapsed.TotalSeconds;
                ModelCommands.SaveIfRequested(online, parse.GetValue(stateOut), "--state-out");
                points = online.Count;
            }
            else
            {
                GaussianMixtureOptions mixture = MixtureOptions(parse, k, covariance, init, reg, seed, threads, x!.GetLength(0), path);
                using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "incremental EM");
                FitResult<GaussianMixtureModel> fit = FitCommands.Timed(
                    rows => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions
                    {
                        Mixture = mixture,
                        Passes = p,
                    }).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                    x, out seconds);
                progress?.Dispose();
                model = fit.Model;
                trace = [.. fit.Report.ObjectiveTrace];
            }

            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            // The whole file under the final model (streamed: the same sum in row order as Score of the array).
            long scored = 0;
            double score = x is null ? model.Score(source, out scored, console.CancellationToken) : model.Score(x);
            int n = x?.GetLength(0) ?? checked((int)scored);
            double bic = -2 * score * n + model.ParameterCount * Math.Log(n), aic = -2 * score * n + 2 * model.ParameterCount;
            string covarianceName = CovarianceName(model.CovarianceType);
            if (parse.GetValue(json))
            {
                var line = new JsonLine().Add("model", "online-gmm").Add("mode", stream ? "stream" : "incremental").Add("covariance", covarianceName)
                    .Add("k", model.Components).Add("n", n).Add("d", model.Dimension).Add("passes", p).Add("seconds", seconds)
                    .Add("avgLogLikelihood", score).Add("bic", bic).Add("aic", aic);
                if (stream)
                {
                    line.Add("batchSize", b).Add("points", points);
                }
                else
                {
                    // The mean log-likelihood after each pass.
                    line.Add("trace", trace);
                }

                console.Out.WriteLine(line.Add("weights", model.Weights).Add("means", model.Means));
            }
            else
            {
                console.Out.WriteLine(stream
                    ? $"Gaussian mixture ({covarianceName} covariance, K = {model.Components}) fitted by streaming EM: {p} pass(es) over {n} rows of {path} in mini-batches of {b} ({points} points in all)"
                    : $"Gaussian mixture ({covarianceName} covariance, K = {model.Components}) fitted by incremental EM: {p} pass(es) over {n} rows × {model.Dimension} columns of {path}");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}  (whole file, final model)");
                WriteFitTimeAndComponents(console, model, seconds);
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>The text report's tail shared by <c>fit gmm</c> and <c>fit online-gmm</c>: fit time, then each component's weight and mean.</summary>
    private static void WriteFitTimeAndComponents(CliConsole console, GaussianMixtureModel model, double seconds)
    {
        console.Out.WriteLine($"  fit time             {seconds:F3} s");
        double[,] means = model.Means;
        for (int c = 0; c < model.Components; c++)
        {
            console.Out.WriteLine($"  component {c}: weight {Format.Number(model.Weights[c])}, mean [{string.Join(", ", Enumerable.Range(0, model.Dimension).Select(j => Format.Number(means[c, j])))}]");
        }
    }

    private static GaussianMixtureOptions MixtureOptions(ParseResult parse, Option<int?> k, Option<string> covariance, Option<string> init, Option<double> reg, Option<int?> seed, Option<int> threads, int rows, string path)
    {
        int components = parse.GetValue(k) ?? throw new ArgumentException("--k: the number of components is required (or continue a saved stream with --state-in).");
        if (components > rows)
        {
            throw new ArgumentException($"--k: {components} components but {path} has only {rows} rows.");
        }

        return new GaussianMixtureOptions
        {
            Components = components,
            Covariance = ParseCovariance(parse.GetValue(covariance)),
            Init = ParseInit(parse.GetValue(init)!),
            Regularization = parse.GetValue(reg),
            Seed = parse.GetValue(seed) ?? 0,
            MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
        };
    }
}
