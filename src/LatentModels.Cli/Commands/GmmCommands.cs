using System.CommandLine;
using LatentModels.Mixtures;

namespace LatentModels.Cli;

/// <summary>The Gaussian-mixture verbs: <c>latent fit gmm</c>.</summary>
internal static class GmmCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(Gmm(console));

    private static Option<int> K() => new("--k")
    {
        Description = "Number of mixture components.",
        Required = true,
        HelpName = "K",
    };

    private static Option<string> Init() => new Option<string>("--init")
    {
        Description = "Initialisation: kmeans (K-Means labels, the default), kmeans++ (centres, then nearest-centre responsibilities), random (random responsibilities), random-rows, or first (first K rows, data covariance; reproducible comparisons).",
        DefaultValueFactory = _ => "kmeans",
        HelpName = "METHOD",
    }.AcceptOnlyFromAmong("kmeans", "kmeans++", "random", "random-rows", "first");

    private static GaussianMixtureInit ParseInit(string value) => value switch
    {
        "random" => GaussianMixtureInit.RandomResponsibilities,
        "random-rows" => GaussianMixtureInit.RandomRows,
        "first" => GaussianMixtureInit.First,
        "kmeans++" => GaussianMixtureInit.KMeansPlusPlus,
        _ => GaussianMixtureInit.KMeans,
    };

    private static Command Gmm(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var k = K();
        var init = Init();
        var covariance = new Option<string>("--covariance")
        {
            Description = "Covariance type: full, diag, spherical or tied.",
            DefaultValueFactory = _ => "full",
            HelpName = "TYPE",
        }.AcceptOnlyFromAmong("full", "diag", "spherical", "tied");
        var starts = new Option<int>("--starts") { Description = "Number of starts; the best is kept.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum EM iterations per start.", DefaultValueFactory = _ => 100, HelpName = "N" };
        var tol = new Option<double>("--tol") { Description = "Stop when the mean log-likelihood changes by less than this (0: run --max-iter iterations).", DefaultValueFactory = _ => 1e-3, HelpName = "T" };
        var reg = new Option<double>("--reg") { Description = "Added to every covariance diagonal in the M-step (maximum likelihood only).", DefaultValueFactory = _ => 1e-6, HelpName = "R" };
        var prior = new Option<string>("--prior")
        {
            Description = "none (maximum likelihood) or default (MAP EM with the Fraley–Raftery/mclust conjugate prior).",
            DefaultValueFactory = _ => "none",
            HelpName = "PRIOR",
        }.AcceptOnlyFromAmong("none", "default");
        var modelOut = CommonOptions.ModelOut();
        var command = new Command("gmm", "Fit a Gaussian mixture by batch EM (maximum likelihood or MAP).\nExample: latent fit gmm --data old_faithful.txt --k 2 --covariance full --json")
        {
            data, k, covariance, init, starts, maxIter, tol, reg, prior, seed, json, modelOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            double[,] x = DataFile.Read(path);
            var options = new GaussianMixtureOptions
            {
                Components = parse.GetValue(k),
                Covariance = parse.GetValue(covariance) switch
                {
                    "diag" => CovarianceType.Diagonal,
                    "spherical" => CovarianceType.Spherical,
                    "tied" => CovarianceType.Tied,
                    _ => CovarianceType.Full,
                },
                Init = ParseInit(parse.GetValue(init)!),
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                Regularization = parse.GetValue(reg),
                Prior = parse.GetValue(prior) == "default" ? GaussianMixturePrior.Default : null,
                Seed = parse.GetValue(seed) ?? 0,
            };
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "EM");
            FitResult<GaussianMixtureModel> fit = FitCommands.Timed(
                rows => new GaussianMixture(options with { Components = Math.Min(options.Components, rows.GetLength(0)) })
                    .Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                x, out double seconds);
            progress?.Dispose();
            GaussianMixtureModel model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            double score = model.Score(x);
            int n = x.GetLength(0);
            double bic = model.Bic(x);
            double aic = model.Aic(x);
            if (parse.GetValue(json))
            {
                var line = new JsonLine().Add("model", "gmm").Add("covariance", parse.GetValue(covariance)).Add("k", model.Components)
                    .Add("n", n).Add("d", x.GetLength(1)).Add("seconds", seconds).Add("avgLogLikelihood", score)
                    .Add("iterations", fit.Report.Iterations).Add("converged", fit.Report.Converged).Add("bic", bic).Add("aic", aic);
                if (options.Prior is not null)
                {
                    line.Add("avgLogPosterior", fit.Report.ObjectiveTrace[^1]);
                }

                console.Out.WriteLine(line.Add("weights", model.Weights).Add("means", model.Means));
            }
            else
            {
                console.Out.WriteLine($"Gaussian mixture ({parse.GetValue(covariance)} covariance, K = {model.Components}) fitted by {(options.Prior is null ? "maximum-likelihood" : "MAP")} EM to {n} rows × {x.GetLength(1)} columns of {path}");
                console.Out.WriteLine($"  iterations           {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}");
                if (options.Prior is not null)
                {
                    console.Out.WriteLine($"  mean log-posterior   {Format.Number(fit.Report.ObjectiveTrace[^1])}");
                }

                console.Out.WriteLine($"  BIC / AIC            {Format.Number(bic)} / {Format.Number(aic)}  (lower is better)");
                console.Out.WriteLine($"  fit time             {seconds:F3} s");
                double[,] means = model.Means;
                for (int c = 0; c < model.Components; c++)
                {
                    console.Out.WriteLine($"  component {c}: weight {Format.Number(model.Weights[c])}, mean [{string.Join(", ", Enumerable.Range(0, model.Dimension).Select(j => Format.Number(means[c, j])))}]");
                }
            }

            return CliApp.Success;
        }));
        return command;
    }
}
