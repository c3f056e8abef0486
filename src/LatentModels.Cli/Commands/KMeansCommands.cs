using System.CommandLine;
using System.Diagnostics;
using LatentModels.Clustering;
using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit kmeans</c> and <c>latent fit online-kmeans</c> verbs.</summary>
internal static class KMeansCommands
{
    public static void Add(Command fit, CliConsole console)
    {
        fit.Subcommands.Add(Batch(console));
        fit.Subcommands.Add(Online(console));
        fit.Subcommands.Add(MiniBatch(console));
    }

    /// <summary>
    /// As <see cref="DataSources.Stream{TModel}"/>, with each row's weight (weighted partial fits): the weights file is read
    /// in lockstep with the rows (<see cref="SampleWeightsFile.Lockstep"/>; memory: one chunk of each). Returns the rows of a pass.
    /// </summary>
    private static int StreamWeighted(OnlineKMeans online, IRowChunkSource source, IRowChunkSource weights, int batchSize, int passes, CancellationToken cancellationToken)
    {
        int n = 0;
        double[] point = [];
        for (int pass = 0; pass < passes; pass++)
        {
            int seen = 0;
            foreach ((double[,] batch, double[] w, int first) in SampleWeightsFile.Lockstep(source, weights, batchSize == 1 ? 4096 : batchSize, cancellationToken))
            {
                int rows = batch.GetLength(0), d = batch.GetLength(1);
                if (batchSize > 1)
                {
                    FitCommands.UpdateRows(() => online.Update(batch, w), first);
                }
                else
                {
                    if (point.Length != d)
                    {
                        point = new double[d];
                    }

                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < d; j++)
                        {
                            point[j] = batch[i, j];
                        }

                        FitCommands.UpdateRows(() => online.Update(point, w[i]), first + i, singleRow: true);
                    }
                }

                seen = first + rows;
            }

            n = seen;
        }

        return n;
    }

    private static Command MiniBatch(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var k = Clusters();
        var init = Init("kmeans++");
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per mini-batch.", DefaultValueFactory = _ => 1024, HelpName = "B" };
        var maxEpochs = new Option<int>("--max-epochs") { Description = "Cap on the passes over the rows (each in a fresh seeded order; 0 returns the initial centers).", DefaultValueFactory = _ => 100, HelpName = "E" };
        var maxNoImprovement = new Option<int>("--max-no-improvement")
        {
            Description = "Stop when the smoothed mini-batch inertia has not improved for this many consecutive mini-batches (scikit-learn's max_no_improvement; 0 disables).",
            DefaultValueFactory = _ => 10,
            HelpName = "N",
        };
        var tol = new Option<double>("--tol") { Description = "Stop when one mini-batch moves the centers by at most this × the mean column variance (squared; 0 disables).", DefaultValueFactory = _ => 0, HelpName = "T" };
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Chunked);
        var modelOut = CommonOptions.ModelOut();
        var labelsOut = CommonOptions.LabelsOut();
        var command = new Command("minibatch-kmeans",
            "Mini-batch K-Means over epochs with scikit-learn's early stopping (smoothed-inertia patience and center tolerance).\n" +
            "The file is streamed, not loaded: memory is one int per row (the epoch's shuffled order) and a window of at most 64 MiB of rows;\n" +
            "the result is that of the loaded file, to the bit (docs/out-of-core.md).\n" +
            "Example: latent fit minibatch-kmeans --data points.csv --k 8 --batch-size 1024 --max-no-improvement 10 --seed 0 --json")
        {
            data, k, init, batchSize, maxEpochs, maxNoImprovement, tol, sampleWeights, seed, threads, json, modelOut, labelsOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            int patience = parse.GetValue(maxNoImprovement);
            if (patience < 0)
            {
                throw new ArgumentException($"--max-no-improvement: {patience} is negative (0 disables the rule).");
            }

            // Streamed (docs/out-of-core.md): the rows are read in chunks, an epoch's shuffled order is one int per row and
            // its mini-batches are gathered in windows of at most 64 MiB; the same bits as the fit of the loaded file.
            var source = new CountingSource(DataSources.Open(path, console.Columns));
            console.StreamData(path);
            var options = new MiniBatchKMeansOptions
            {
                Clusters = parse.GetValue(k),
                Init = ParseInit(parse.GetValue(init)!),
                BatchSize = parse.GetValue(batchSize),
                MaxEpochs = parse.GetValue(maxEpochs),
                MaxNoImprovement = patience == 0 ? null : patience,
                Tolerance = parse.GetValue(tol),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            var estimator = new MiniBatchKMeans(options);
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "Mini-batch K-Means");
            var watch = Stopwatch.StartNew();
            FitResult<KMeansModel> result = parse.GetValue(sampleWeights) is string weightsPath
                ? estimator.Fit(source, CommonOptions.OpenSampleWeights(console, weightsPath), progress, console.CancellationToken)
                : estimator.Fit(source, progress, console.CancellationToken);
            double seconds = watch.Elapsed.TotalSeconds;
            progress?.Dispose();
            KMeansModel model = result.Model;
            long n = source.Rows;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            WriteLabels(console, source, model, parse.GetValue(labelsOut));
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "minibatch-kmeans").Add("n", n).Add("d", model.Dimension)
                    .Add("k", model.Clusters).Add("batchSize", options.BatchSize).Add("seconds", seconds).Add("inertia", model.Inertia)
                    .Add("steps", result.Report.Iterations).Add("converged", result.Report.Converged).Add("centers", model.Centers));
            }
            else
            {
                console.Out.WriteLine($"Mini-batch K-Means with K = {model.Clusters} on {n} rows × {model.Dimension} columns of {path}, batches of {options.BatchSize}");
                console.Out.WriteLine($"  inertia      {Format.Number(model.Inertia)}");
                console.Out.WriteLine($"  steps        {result.Report.Iterations}{(result.Report.Converged ? " (stopped early)" : " (epoch cap)")}");
                console.Out.WriteLine($"  fit time     {seconds:F3} s");
                WriteCenters(console.Out, model);
            }

            return CliApp.Success;
        }));
        return command;
    }

    private static Option<int> Clusters() => new("--k") { Description = "Number of clusters K.", Required = true, HelpName = "K" };

    private static Option<string> Init(string fallback) => new("--init")
    {
        Description = $"Initial centers: kmeans++ (greedy), random (K random rows) or first (the first K rows). Default {fallback}.",
        DefaultValueFactory = _ => fallback,
        HelpName = "kmeans++|random|first",
    };

    private static KMeansInit ParseInit(string value) => value.ToLowerInvariant() switch
    {
        "kmeans++" or "k-means++" or "plusplus" => KMeansInit.KMeansPlusPlus,
        "random" => KMeansInit.RandomRows,
        "first" => KMeansInit.First,
        _ => throw new ArgumentException($"--init: '{value}' is not one of kmeans++, random, first."),
    };

    private static Command Batch(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var k = Clusters();
        var init = Init("kmeans++");
        var starts = new Option<int>("--starts") { Description = "Number of starts; the lowest inertia wins.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Iteration cap per start (0 returns the initial centers).", DefaultValueFactory = _ => 300, HelpName = "N" };
        var labelsOut = CommonOptions.LabelsOut();
        var tol = new Option<double>("--tol")
        {
            Description = "Stop when the total squared center shift ≤ T × mean column variance (scikit-learn's rule); 0 = only when no label changes.",
            DefaultValueFactory = _ => 1e-4,
            HelpName = "T",
        };
        var algorithm = new Option<string>("--algorithm")
        {
            Description = "lloyd, or accelerated (exact Hamerly bounds: same result, fewer distance computations). Default accelerated.",
            DefaultValueFactory = _ => "accelerated",
            HelpName = "lloyd|accelerated",
        };
        var modelOut = CommonOptions.ModelOut();
        var outOfCore = CommonOptions.OutOfCore();
        var sampleWeights = CommonOptions.SampleWeights();
        var command = new Command("kmeans", "Batch K-Means (Lloyd or exact accelerated), scikit-learn's convergence rules.\nExample: latent fit kmeans --data points.csv --k 8 --json")
        {
            data, k, init, starts, maxIter, tol, algorithm, seed, threads, json, modelOut, labelsOut, outOfCore, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            if (parse.GetValue(outOfCore))
            {
                return OutOfCoreBatch(console, parse, path, k, init, starts, maxIter, tol, algorithm, seed, threads, json, modelOut, labelsOut, sampleWeights);
            }

            double[,] x = console.ReadData(path);
            double[]? weights = CommonOptions.ReadSampleWeights(console, parse.GetValue(sampleWeights), x.GetLength(0));
            KMeansAlgorithm alg = parse.GetValue(algorithm)!.ToLowerInvariant() switch
            {
                "lloyd" => KMeansAlgorithm.Lloyd,
                "accelerated" or "hamerly" => KMeansAlgorithm.Accelerated,
                string other => throw new ArgumentException($"--algorithm: '{other}' is not one of lloyd, accelerated."),
            };
            var options = new KMeansOptions
            {
                Clusters = parse.GetValue(k),
                Init = ParseInit(parse.GetValue(init)!),
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                Algorithm = alg,
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            var estimator = new KMeans(options);
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "K-Means");
            ClusteringFitResult<KMeansModel> result = FitCommands.Timed(
                m => weights is null
                    ? estimator.Fit(m, ReferenceEquals(m, x) ? progress : null, console.CancellationToken)
                    : estimator.Fit(m, weights, ReferenceEquals(m, x) ? progress : null, console.CancellationToken), x, out double seconds);
            KMeansModel model = result.Model;
            progress?.Dispose();
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            CommonOptions.WriteLabels(parse.GetValue(labelsOut), result.Labels);
            WriteReport(console, parse.GetValue(json), model, result.Report, x.GetLength(0), path, alg == KMeansAlgorithm.Lloyd ? "lloyd" : "accelerated",
                alg.ToString(), outOfCore: false, seconds);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>
    /// <c>fit kmeans --out-of-core</c>: <see cref="KMeans.Fit(IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/>
    /// re-reads the file (and the <c>--sample-weights</c> file, in lockstep) in chunks every iteration (memory: one chunk);
    /// labels are written chunk by chunk. From the same start it prints what the in-memory fit prints.
    /// </summary>
    private static int OutOfCoreBatch(CliConsole console, System.CommandLine.ParseResult parse, string path, Option<int> k, Option<string> init, Option<int> starts,
        Option<int> maxIter, Option<double> tol, Option<string> algorithm, Option<int?> seed, Option<int> threads, Option<bool> json, Option<string?> modelOut, Option<string?> labelsOut,
        Option<string?> sampleWeights)
    {
        if (parse.GetResult(algorithm) is { Implicit: false })
        {
            throw new ArgumentException("--algorithm: --out-of-core runs Lloyd's algorithm over the spine's statistics; do not give --algorithm.");
        }

        var source = new CountingSource(DataSources.Open(path, console.Columns));
        console.StreamData(path);
        var options = new KMeansOptions
        {
            Clusters = parse.GetValue(k),
            Init = ParseInit(parse.GetValue(init)!),
            Starts = parse.GetValue(starts),
            MaxIterations = parse.GetValue(maxIter),
            Tolerance = parse.GetValue(tol),
            Algorithm = KMeansAlgorithm.Lloyd,
            Seed = parse.GetValue(seed) ?? 0,
            MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
        };
        using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "K-Means (out of core)");
        var watch = Stopwatch.StartNew();
        FitResult<KMeansModel> result = parse.GetValue(sampleWeights) is string weightsPath
            ? new KMeans(options).Fit(source, CommonOptions.OpenSampleWeights(console, weightsPath), progress, console.CancellationToken)
            : new KMeans(options).Fit(source, progress, console.CancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        progress?.Dispose();
        KMeansModel model = result.Model;
        ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
        WriteLabels(console, source, model, parse.GetValue(labelsOut));
        WriteReport(console, parse.GetValue(json), model, result.Report, source.Rows, path, "lloyd", "Lloyd, out of core", outOfCore: true, seconds);
        return CliApp.Success;
    }

    private static Command Online(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var k = new Option<int?>("--k") { Description = "Number of clusters K (required unless --state-in gives it).", HelpName = "K" };
        var init = Init("first");
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per mini-batch (1 = point by point).", DefaultValueFactory = _ => 256, HelpName = "B" };
        var passes = new Option<int>("--passes") { Description = "Times the file's rows are streamed, in order.", DefaultValueFactory = _ => 1, HelpName = "P" };
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Chunked);
        var modelOut = new Option<string?>("--model-out")
        {
            Description = "Save the final centers as a K-Means model (the same format as 'fit kmeans'), for 'latent score', 'predict'.",
            HelpName = "M.json",
        };
        var stateIn = new Option<string?>("--state-in")
        {
            Description = "Continue the stream from an estimator state saved by --state-out (its K, init and seed are used; a run split into pieces ends with the very same centers as one run).",
            HelpName = "S.json",
        };
        var stateOut = new Option<string?>("--state-out")
        {
            Description = "Save the complete estimator state (centers, counts, random generator) to continue the stream later with --state-in.",
            HelpName = "S.json",
        };
        var command = new Command("online-kmeans",
            "Online K-Means (Robbins–Monro, step 1/n per center): streams the rows in order and reports the final inertia over the whole file.\n" +
            "Example: latent fit online-kmeans --data day1.csv --k 8 --state-out s.json && latent fit online-kmeans --data day2.csv --state-in s.json --model-out m.json")
        {
            data, k, batchSize, passes, init, seed, threads, json, modelOut, stateIn, stateOut, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            IRowChunkSource x = DataSources.Open(path, console.Columns); // streamed: memory is one mini-batch, whatever the file's size
            console.StreamData(path);
            int b = parse.GetValue(batchSize), p = parse.GetValue(passes);
            if (b < 1)
            {
                throw new ArgumentException($"--batch-size: {b} is not a positive number of rows.");
            }

            if (p < 1)
            {
                throw new ArgumentException($"--passes: {p} is not a positive number of passes.");
            }

            OnlineKMeans online;
            if (parse.GetValue(stateIn) is string statePath)
            {
                if (parse.GetResult(k) is { Implicit: false } || parse.GetResult(init) is { Implicit: false } || parse.GetResult(seed) is { Implicit: false } || parse.GetResult(threads) is { Implicit: false })
                {
                    throw new ArgumentException("--state-in: the saved state fixes K, the initialisation, the seed and the thread cap; do not give --k, --init, --seed or --threads.");
                }

                online = ModelCommands.LoadModel(statePath, "--state-in") as OnlineKMeans
                    ?? throw new ArgumentException($"--state-in: {statePath} is not an online K-Means state (write one with --state-out).");
            }
            else
            {
                int clusters = parse.GetValue(k) ?? throw new ArgumentException("--k: the number of clusters is required (or continue a saved stream with --state-in).");
                var options = new OnlineKMeansOptions
                {
                    Clusters = clusters,
                    Init = ParseInit(parse.GetValue(init)!),
                    Seed = parse.GetValue(seed) ?? 0,
                    MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
                };
                online = new OnlineKMeans(options);
            }

            var watch = Stopwatch.StartNew();
            int n;
            if (parse.GetValue(sampleWeights) is string weightsPath)
            {
                n = StreamWeighted(online, x, CommonOptions.OpenSampleWeights(console, weightsPath), b, p, console.CancellationToken);
            }
            else
            {
                (n, _) = DataSources.Stream(online, x, b, p, console.CancellationToken);
            }

            if (!online.IsInitialized && parse.GetValue(stateIn) is null && online.Options.Clusters > n)
            {
                throw new ArgumentException($"--k: {online.Options.Clusters} clusters but {path} has only {n} rows.");
            }

            KMeansModel model = online.IsInitialized
                ? online.Snapshot()
                : throw new ArgumentException($"--data: {online.Count} points have arrived, too few for the initialisation ({online.Options.InitializationSize ?? 3 * online.Options.Clusters} needed for {online.Options.Init}).");
            double seconds = watch.Elapsed.TotalSeconds;
            double inertia = model.InertiaOf(x, n, console.CancellationToken); // one more pass: the whole file under the final centers
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            ModelCommands.SaveIfRequested(online, parse.GetValue(stateOut), "--state-out");
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "online-kmeans").Add("n", n).Add("d", model.Dimension)
                    .Add("k", model.Clusters).Add("batchSize", b).Add("passes", p).Add("points", online.Count)
                    .Add("seconds", seconds).Add("inertia", inertia).Add("centers", model.Centers));
            }
            else
            {
                console.Out.WriteLine($"Online K-Means with K = {model.Clusters}: {p} pass(es) over {n} rows of {path} in mini-batches of {b} ({online.Count} points in all)");
                console.Out.WriteLine($"  inertia      {Format.Number(inertia)}  (whole file, final centers)");
                console.Out.WriteLine($"  time         {seconds:F3} s");
                WriteCenters(console.Out, model);
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>Writes every row's label under <paramref name="model"/> to <paramref name="path"/> (if given), reading the rows chunk by chunk.</summary>
    private static void WriteLabels(CliConsole console, IRowChunkSource source, KMeansModel model, string? path)
    {
        if (path is null)
        {
            return;
        }

        CommonOptions.WriteFile(path, "--labels-out", writer =>
        {
            foreach (double[,] chunk in source.ReadChunks(RowChunks.DefaultChunkRows, console.CancellationToken))
            {
                foreach (int label in model.Predict(chunk))
                {
                    writer.WriteLine(label.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        });
    }

    /// <summary>
    /// Writes a batch K-Means fit's report, the JSON line or the text summary; shared by the in-memory and the
    /// out-of-core fit (the out-of-core line adds <c>"outOfCore": true</c>).
    /// </summary>
    private static void WriteReport(CliConsole console, bool json, KMeansModel model, FitReport report, long rows, string path,
        string algorithm, string algorithmTitle, bool outOfCore, double seconds)
    {
        if (json)
        {
            var line = new JsonLine().Add("model", "kmeans").Add("n", rows).Add("d", model.Dimension)
                .Add("k", model.Clusters).Add("algorithm", algorithm);
            if (outOfCore)
            {
                line.Add("outOfCore", true);
            }

            console.Out.WriteLine(line.Add("seconds", seconds).Add("inertia", model.Inertia).Add("iterations", report.Iterations)
                .Add("converged", report.Converged).Add("inertiaTrace", report.ObjectiveTrace)
                .Add("centers", model.Centers));
        }
        else
        {
            console.Out.WriteLine($"K-Means ({algorithmTitle}) with K = {model.Clusters} on {rows} rows × {model.Dimension} columns of {path}");
            console.Out.WriteLine($"  inertia      {Format.Number(model.Inertia)}");
            console.Out.WriteLine($"  iterations   {report.Iterations}{(report.Converged ? " (converged)" : " (iteration cap)")}");
            console.Out.WriteLine($"  fit time     {seconds:F3} s");
            WriteCenters(console.Out, model);
        }
    }

    private static void WriteCenters(TextWriter output, KMeansModel model)
    {
        double[,] c = model.Centers;
        int shown = Math.Min(model.Clusters, 10);
        for (int j = 0; j < shown; j++)
        {
            var row = new double[model.Dimension];
            for (int p = 0; p < row.Length; p++)
            {
                row[p] = c[j, p];
            }

            output.WriteLine($"  center {j,-4}  {Format.Vector(row)}");
        }

        if (shown < model.Clusters)
        {
            output.WriteLine($"  … {model.Clusters - shown} more centers (use --json for all)");
        }
    }
}
