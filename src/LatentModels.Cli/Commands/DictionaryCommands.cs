using System.CommandLine;
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
        var batchSize = new Option<int?>("--batch-size") { Description = "Learn online (Mairal et al. 2009) from mini-batches of this many rows instead of the batch algorithm.", HelpName = "B" };
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
            double[,] x = console.ReadData(path);
            int? batch = parse.GetValue(batchSize);
            var options = new DictionaryLearningOptions
            {
                Atoms = parse.GetValue(atoms),
                Alpha = parse.GetValue(alpha),
                Init = parse.GetValue(init) switch
                {
                    "first" => DictionaryInit.First,
                    "random" => DictionaryInit.Random,
                    _ => DictionaryInit.KMeansPlusPlus,
                },
                MaxIterations = parse.GetValue(maxIter) ?? (batch is null ? 100 : 1),
                Tolerance = parse.GetValue(tol),
                BatchSize = batch ?? new DictionaryLearningOptions().BatchSize,
                PositiveCodes = parse.GetValue(positive),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            if (x.GetLength(0) < options.Atoms)
            {
                throw new ArgumentException($"--atoms: {path} has {x.GetLength(0)} rows; at least K = {options.Atoms} are needed.");
            }

            DictionaryModel model;
            double objective;
            int iterations;
            bool? converged = null;
            double[] trace;
            double seconds;
            if (batch is null)
            {
                using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "DL");
                (FitResult<DictionaryModel> fit, objective) = FitCommands.Timed(
                    rows =>
                    {
                        FitResult<DictionaryModel> result = new DictionaryLearning(options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken);
                        return (result, result.Model.Objective(rows));
                    },
                    x, out seconds);
                progress?.Dispose();
                model = fit.Model;
                trace = fit.Report.ObjectiveTrace.ToArray();
                iterations = fit.Report.Iterations;
                converged = fit.Report.Converged;
            }
            else
            {
                if (options.MaxIterations < 1)
                {
                    throw new ArgumentException("--max-iter: online learning needs at least one pass.");
                }

                (model, objective) = FitCommands.Timed(
                    rows =>
                    {
                        var online = new OnlineDictionaryLearning(options);
                        online.UpdateAll(rows, options.MaxIterations, console.CancellationToken);
                        DictionaryModel learned = online.Snapshot();
                        return (learned, learned.Objective(rows));
                    },
                    x, out seconds);
                iterations = options.MaxIterations;
                trace = [];
            }

            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            string mode = batch is null ? "batch" : "online";
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "dictionary").Add("mode", mode).Add("atoms", model.Atoms)
                    .Add("n", x.GetLength(0)).Add("d", x.GetLength(1)).Add("alpha", options.Alpha).Add("objective", objective)
                    .Add("lastIterationCost", trace.Length > 0 ? trace[^1] : objective).Add("iterations", iterations).Add("converged", converged).Add("objectiveTrace", trace).Add("seconds", seconds));
            }
            else
            {
                console.Out.WriteLine($"Dictionary of {model.Atoms} atoms learned ({mode}, α = {Format.Number(options.Alpha)}) from {x.GetLength(0)} rows × {x.GetLength(1)} columns of {path}");
                console.Out.WriteLine($"  {(batch is null ? "iterations" : "passes    ")}                          {iterations}{(converged is true ? " (converged)" : string.Empty)}");
                console.Out.WriteLine($"  objective (mean ½‖x − zD‖² + α‖z‖₁)  {Format.Number(objective)}  (the learned atoms with the rows' codes on them)");
                console.Out.WriteLine($"  fit time                            {Format.Number(seconds)} s");
            }

            return CliApp.Success;
        }));
        return command;
    }
}
