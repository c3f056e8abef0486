using System.CommandLine;
using System.Diagnostics;
using LatentModels.Data;
using LatentModels.SparseCoding;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit dictionary</c> verb: dictionary learning for L1 sparse coding (batch, or online with --batch-size).</summary>
internal static class DictionaryCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(Dictionary(console));

    private static Command Dictionary(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        var atoms = new Option<int>("--atoms") { Description = "Number of atoms K.", Required = true, HelpName = "K" };
        var alpha = new Option<double>("--alpha") { Description = "The L1 penalty α of ½‖x − zD‖² + α‖z‖₁.", DefaultValueFactory = _ => 1.0, HelpName = "A" };
        var init = new Option<string>("--init")
        {
            Description = "Starting atoms (scaled to unit norm; codes start at zero): kmeans++ (the default), random (random rows), or first (the first K rows).",
            DefaultValueFactory = _ => "kmeans++",
            HelpName = "METHOD",
        }.AcceptOnlyFromAmong("kmeans++", "random", "first");
        var maxIter = new Option<int?>("--max-iter") { Description = "Batch: maximum iterations (codes, then one pass over the atoms; default 100). Online: passes over the data (default 1).", HelpName = "N" };
        var tol = new Option<double>("--tol") { Description = "Batch: stop when the cost falls by less than this times itself (0: run --max-iter iterations unless it rises).", DefaultValueFactory = _ => 1e-8, HelpName = "T" };
        var batchSize = new Option<int?>("--batch-size")
        {
            Description = "Learn online (Mairal et al. 2009) from mini-batches of this many rows instead of the batch algorithm. Online learning streams the file "
                + "(memory: one mini-batch, whatever the file's size): each pass reads it again in order, and one more pass gives the objective.",
            HelpName = "B",
        };
        var positive = new Option<bool>("--positive") { Description = "Constrain the codes to be non-negative." };
        var command = new Command("dictionary",
            "Learn a dictionary of K atoms (norm ≤ 1) for L1 sparse coding: minimise the mean of ½‖x − zD‖² + α‖z‖₁ over codes and atoms.\n" +
            "Example: latent fit dictionary --data patches.csv --atoms 64 --alpha 0.1 --model-out dictionary.json --json")
        {
            data, atoms, alpha, init, maxIter, tol, batchSize, positive, seed, threads, json, modelOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            int? batch = parse.GetValue(batchSize);
            if (batch is int b)
            {
                var online = Options(parse, atoms, alpha, init, tol, positive, seed, threads) with { BatchSize = b, MaxIterations = parse.GetValue(maxIter) ?? 1 };
                return Online(console, path, online, parse.GetValue(json), parse.GetValue(modelOut));
            }

            double[,] x = console.ReadData(path);
            DictionaryLearningOptions options = Options(parse, atoms, alpha, init, tol, positive, seed, threads) with { MaxIterations = parse.GetValue(maxIter) ?? 100 };
            CheckRows(path, x.GetLength(0), options.Atoms);
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "DL");
            (FitResult<DictionaryModel> fit, double objective) = FitCommands.Timed(
                rows =>
                {
                    FitResult<DictionaryModel> result = new DictionaryLearning(options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken);
                    return (result, result.Model.Objective(rows));
                },
                x, out double seconds);
            progress?.Dispose();
            ModelCommands.SaveIfRequested(fit.Model, parse.GetValue(modelOut));
            Report(console, parse.GetValue(json), path, fit.Model, x.GetLength(0), x.GetLength(1), options.Alpha, objective, fit.Report.Iterations, fit.Report.Converged, [.. fit.Report.ObjectiveTrace], seconds);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>The options both modes share; the mode sets the batch size and the iterations (batch) or passes (online).</summary>
    private static DictionaryLearningOptions Options(ParseResult parse, Option<int> atoms, Option<double> alpha, Option<string> init, Option<double> tol, Option<bool> positive, Option<int?> seed, Option<int> threads) => new()
    {
        Atoms = parse.GetValue(atoms),
        Alpha = parse.GetValue(alpha),
        Init = parse.GetValue(init) switch
        {
            "first" => DictionaryInit.First,
            "random" => DictionaryInit.Random,
            _ => DictionaryInit.KMeansPlusPlus,
        },
        Tolerance = parse.GetValue(tol),
        PositiveCodes = parse.GetValue(positive),
        Seed = parse.GetValue(seed) ?? 0,
        MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
    };

    private static void CheckRows(string path, long rows, int atoms)
    {
        if (rows < atoms)
        {
            throw new ArgumentException($"--atoms: {path} has {rows} rows; at least K = {atoms} are needed.");
        }
    }

    /// <summary>
    /// Online learning over the streamed file: every pass reads it again in mini-batches of the batch size, in order — the
    /// mini-batches of <see cref="OnlineDictionaryLearning.UpdateAll"/> on the whole array, so the same dictionary — and one
    /// more pass gives the objective of every row (<see cref="DictionaryModel.Objective(IRowChunkSource, out long, CancellationToken)"/>,
    /// the bits of the array's). Memory: one mini-batch and one chunk of the last pass, whatever the file's size.
    /// </summary>
    private static int Online(CliConsole console, string path, DictionaryLearningOptions options, bool json, string? modelOut)
    {
        IRowChunkSource x = DataSources.Open(path, console.Columns);
        console.StreamData(path);
        if (options.MaxIterations < 1)
        {
            throw new ArgumentException("--max-iter: online learning needs at least one pass.");
        }

        var online = new OnlineDictionaryLearning(options);
        var watch = Stopwatch.StartNew();
        int n = 0, d = 0;
        for (int pass = 0; pass < options.MaxIterations; pass++)
        {
            (n, d) = DataSources.Stream(online, x, options.BatchSize, 1, console.CancellationToken);
            if (pass == 0 && !online.IsInitialized)
            {
                // Fewer rows than atoms: the first pass did not fill the starting rows (the array fit refuses before starting).
                CheckRows(path, n, options.Atoms);
            }
        }

        DictionaryModel model = online.Snapshot();
        double objective = model.Objective(x, out _, console.CancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        ModelCommands.SaveIfRequested(model, modelOut);
        Report(console, json, path, model, n, d, options.Alpha, objective, options.MaxIterations, null, [], seconds);
        return CliApp.Success;
    }

    private static void Report(CliConsole console, bool json, string path, DictionaryModel model, long n, int d, double alpha, double objective, int iterations, bool? converged, double[] trace, double seconds)
    {
        bool batch = converged is not null;
        string mode = batch ? "batch" : "online";
        if (json)
        {
            console.Out.WriteLine(new JsonLine().Add("model", "dictionary").Add("mode", mode).Add("atoms", model.Atoms)
                .Add("n", n).Add("d", d).Add("alpha", alpha).Add("objective", objective)
                .Add("lastIterationCost", trace.Length > 0 ? trace[^1] : objective).Add("iterations", iterations).Add("converged", converged).Add("objectiveTrace", trace).Add("seconds", seconds));
        }
        else
        {
            console.Out.WriteLine($"Dictionary of {model.Atoms} atoms learned ({mode}, α = {Format.Number(alpha)}) from {n} rows × {d} columns of {path}");
            console.Out.WriteLine($"  {(batch ? "iterations" : "passes    ")}                          {iterations}{(converged is true ? " (converged)" : string.Empty)}");
            console.Out.WriteLine($"  objective (mean ½‖x − zD‖² + α‖z‖₁)  {Format.Number(objective)}  (the learned atoms with the rows' codes on them)");
            console.Out.WriteLine($"  fit time                            {Format.Number(seconds)} s");
        }
    }
}
