using System.CommandLine;
using System.Globalization;
using LatentModels.Mixtures;

namespace LatentModels.Cli;

/// <summary>The discrete-mixture verbs: <c>latent fit bernoulli-mixture</c> and <c>latent fit categorical-mixture</c>.</summary>
internal static class MixtureCommands
{
    public static void Add(Command fit, CliConsole console)
    {
        fit.Subcommands.Add(Create(console, "bernoulli-mixture",
            "Fit a mixture of independent-Bernoulli vectors by EM to a file of 0/1 values.\nExample: latent fit bernoulli-mixture --data digits.csv --k 10 --model-out m.json",
            _ => IndependentBernoulliFamily.Instance,
            (model, c) => model.Dimension <= 12
                ? Format.Vector(model.Distributions[c].Probabilities)
                : $"{Format.Vector(model.Distributions[c].Probabilities.Take(10).ToArray())[..^1]}, … ({model.Dimension} values; --model-out saves them all)]"));
        fit.Subcommands.Add(Create(console, "categorical-mixture",
            "Fit a mixture of independent categorical vectors by EM to a file of integer codes (column j in 0…Cⱼ−1, Cⱼ = its largest code + 1).\nExample: latent fit categorical-mixture --data survey.csv --k 3 --json",
            IndependentCategoricalFamily.FromData,
            (model, c) => string.Join(" ", Enumerable.Range(0, model.Dimension).Select(j => Format.Vector(model.Distributions[c].GetProbabilities(j))))));
    }

    private static Command Create<T>(CliConsole console, string name, string description, Func<double[,], IMixtureFamily<T>> family,
        Func<MixtureModel<T>, int, string> describe) where T : class
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var modelOut = CommonOptions.ModelOut();
        var k = new Option<int>("--k") { Description = "Number of mixture components.", Required = true, HelpName = "K" };
        var init = new Option<string>("--init")
        {
            Description = "Initialisation: kmeans++ (Hamming-distance k-means++ rows, the default), random-rows, random (random responsibilities), or first (the first K rows as seeds; reproducible).",
            DefaultValueFactory = _ => "kmeans++",
            HelpName = "METHOD",
        }.AcceptOnlyFromAmong("kmeans++", "random-rows", "random", "first");
        var starts = new Option<int>("--starts") { Description = "Number of starts; the best is kept.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum EM iterations per start (0 returns the start).", DefaultValueFactory = _ => 100, HelpName = "N" };
        var labelsOut = CommonOptions.LabelsOut();
        var tol = new Option<double>("--tol") { Description = "Stop when the objective changes by less than this (0: run --max-iter iterations).", DefaultValueFactory = _ => 1e-3, HelpName = "T" };
        var pseudoCount = new Option<double>("--pseudo-count")
        {
            Description = "Added to every outcome count in the M-step (MAP under a symmetric Beta/Dirichlet prior; 0 = maximum likelihood).",
            DefaultValueFactory = _ => MixtureOptions.DefaultPseudoCount,
            HelpName = "A",
        };
        var threads = CommonOptions.Threads();
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Whole);
        var command = new Command(name, description) { data, k, init, starts, maxIter, tol, pseudoCount, seed, threads, json, modelOut, labelsOut, sampleWeights };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            double[,] x = console.ReadData(path);
            var options = new MixtureOptions
            {
                Components = parse.GetValue(k),
                Init = parse.GetValue(init) switch
                {
                    "random" => MixtureInit.RandomResponsibilities,
                    "random-rows" => MixtureInit.RandomRows,
                    "first" => MixtureInit.First,
                    _ => MixtureInit.KMeansPlusPlus,
                },
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                PseudoCount = parse.GetValue(pseudoCount),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            IMixtureFamily<T> f = family(x);
            double[]? weights = CommonOptions.ReadSampleWeights(console, parse.GetValue(sampleWeights), x.GetLength(0));
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "EM");
            ClusteringFitResult<MixtureModel<T>> fit = FitCommands.Timed(
                rows => weights is null
                    ? new Mixture<T>(f, options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken)
                    : new Mixture<T>(f, options).Fit(rows, FitCommands.Head(weights, rows), ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                x, out double seconds);
            progress?.Dispose();
            MixtureModel<T> model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            CommonOptions.WriteLabels(parse.GetValue(labelsOut), fit.Labels);
            double score = model.Score(x);
            int n = x.GetLength(0);
            double bic = model.Bic(x), aic = model.Aic(x);
            bool map = options.PseudoCount > 0;
            if (parse.GetValue(json))
            {
                var line = new JsonLine().Add("model", name).Add("k", model.Components).Add("n", n).Add("d", x.GetLength(1))
                    .Add("seconds", seconds).Add("avgLogLikelihood", score).Add("iterations", fit.Report.Iterations)
                    .Add("converged", fit.Report.Converged).Add("bic", bic).Add("aic", aic);
                if (map && fit.Report.ObjectiveTrace.Count > 0)
                {
                    line.Add("avgLogPosterior", fit.Report.ObjectiveTrace[^1]);
                }

                console.Out.WriteLine(line.Add("weights", model.Weights));
            }
            else
            {
                console.Out.WriteLine($"{f.Name} mixture (K = {model.Components}) fitted by {(map ? "MAP" : "maximum-likelihood")} EM to {n} rows × {x.GetLength(1)} columns of {path}");
                console.Out.WriteLine($"  iterations           {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}");
                if (map && fit.Report.ObjectiveTrace.Count > 0)
                {
                    console.Out.WriteLine($"  mean log-posterior   {Format.Number(fit.Report.ObjectiveTrace[^1])}  (pseudo-count {options.PseudoCount.ToString(CultureInfo.InvariantCulture)})");
                }

                console.Out.WriteLine($"  BIC / AIC            {Format.Number(bic)} / {Format.Number(aic)}  (lower is better)");
                console.Out.WriteLine($"  fit time             {seconds:F3} s");
                for (int c = 0; c < model.Components; c++)
                {
                    console.Out.WriteLine($"  component {c}: weight {Format.Number(model.Weights[c])}, probabilities {describe(model, c)}");
                }
            }

            return CliApp.Success;
        }));
        return command;
    }
}
