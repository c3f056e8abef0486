using System.CommandLine;
using LatentModels.Data;
using LatentModels.Variational;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit vb-gmm</c> verb: the variational Bayesian Gaussian mixture.</summary>
internal static class VariationalCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(VbGmm(console));

    private static Command VbGmm(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var k = GmmCommands.K();
        var init = GmmCommands.Init();
        var covariance = GmmCommands.Covariance();
        var weightPrior = new Option<string>("--weight-prior")
        {
            Description = "Prior of the weights: dirichlet (a Dirichlet distribution) or process (a Dirichlet process truncated at K by stick-breaking).",
            DefaultValueFactory = _ => "dirichlet",
            HelpName = "PRIOR",
        }.AcceptOnlyFromAmong("dirichlet", "process");
        var concentration = new Option<double?>("--weight-concentration") { Description = "The Dirichlet α₀ or the process γ (default 1/K).", HelpName = "A" };
        var starts = new Option<int>("--starts") { Description = "Number of starts; the largest ELBO is kept.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum iterations per start.", DefaultValueFactory = _ => 100, HelpName = "N" };
        var tol = new Option<double>("--tol") { Description = "Stop when the lower bound changes by less than this (scikit-learn's tol; 0: run --max-iter iterations).", DefaultValueFactory = _ => 1e-3, HelpName = "T" };
        var reg = new Option<double>("--reg") { Description = "Added (times Nₖ) to every posterior scale's diagonal (scikit-learn's reg_covar).", DefaultValueFactory = _ => 1e-6, HelpName = "R" };
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        var initModel = VariationalMixtureCommands.InitModel();
        var outOfCore = CommonOptions.OutOfCore();
        var sampleWeights = CommonOptions.SampleWeights();
        var command = new Command("vb-gmm",
            "Fit a variational Bayesian Gaussian mixture (Dirichlet or Dirichlet-process weights, Normal–Wishart components; scikit-learn's BayesianGaussianMixture defaults).\n" +
            "Example: latent fit vb-gmm --data old_faithful.txt --k 6 --weight-prior process --json")
        {
            data, k, covariance, weightPrior, concentration, init, starts, maxIter, tol, reg, seed, threads, json, modelOut, initModel, outOfCore, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            bool streamed = parse.GetValue(outOfCore);
            // --out-of-core re-reads the file (and --sample-weights) in chunks for every pass; otherwise both are read whole.
            double[,]? x = streamed ? null : console.ReadData(path);
            CountingSource? source = streamed ? new CountingSource(DataSources.Open(path, console.Columns)) : null;
            if (streamed)
            {
                console.StreamData(path);
            }

            string? weightsPath = parse.GetValue(sampleWeights);
            double[]? weights = streamed ? null : CommonOptions.ReadSampleWeights(console, weightsPath, x!.GetLength(0));
            var options = new VariationalGaussianMixtureOptions
            {
                Components = parse.GetValue(k),
                Covariance = GmmCommands.ParseCovariance(parse.GetValue(covariance)),
                WeightPrior = parse.GetValue(weightPrior) == "process" ? WeightPrior.DirichletProcess : WeightPrior.DirichletDistribution,
                WeightConcentration = parse.GetValue(concentration),
                Init = GmmCommands.ParseInit(parse.GetValue(init)!),
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                Regularization = parse.GetValue(reg),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
                InitialModel = VariationalMixtureCommands.LoadInitialModel<VariationalGaussianMixtureModel>(parse.GetValue(initModel), "a variational Bayesian Gaussian mixture (fit vb-gmm)"),
            };
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, streamed ? "VB (out of core)" : "VB");
            FitResult<VariationalGaussianMixtureModel> fit;
            double seconds;
            if (source is not null)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var mixture = new VariationalGaussianMixture(options);
                fit = weightsPath is null
                    ? mixture.Fit(source, progress, console.CancellationToken)
                    : mixture.Fit(source, CommonOptions.OpenSampleWeights(console, weightsPath), progress, console.CancellationToken);
                seconds = watch.Elapsed.TotalSeconds;
            }
            else
            {
                fit = FitCommands.Timed(
                    rows => weights is null
                        ? new VariationalGaussianMixture(options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken)
                        : new VariationalGaussianMixture(options).Fit(rows, weights[..rows.GetLength(0)], ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                    x!, out seconds);
            }

            progress?.Dispose();
            VariationalGaussianMixtureModel model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            // Streamed: the same per-row sum in the same blocks as Score of the array (the same bits).
            long scored = 0;
            double score = source is not null ? model.Score(source, out scored, console.CancellationToken) : model.Score(x!);
            int n = x?.GetLength(0) ?? checked((int)scored);
            if (parse.GetValue(json))
            {
                var line = new JsonLine().Add("model", "vb-gmm").Add("covariance", parse.GetValue(covariance)).Add("weightPrior", parse.GetValue(weightPrior))
                    .Add("k", model.Components).Add("n", n).Add("d", model.Dimension).Add("seconds", seconds)
                    .Add("lowerBound", model.LowerBound).Add("elbo", model.Elbo).Add("elboTrace", fit.Report.ObjectiveTrace.ToArray())
                    .Add("avgLogLikelihood", score).Add("iterations", fit.Report.Iterations).Add("converged", fit.Report.Converged)
                    .Add("effectiveComponents", model.EffectiveComponents()).Add("weights", model.Weights).Add("means", model.Means);
                if (streamed)
                {
                    line.Add("outOfCore", true);
                }

                console.Out.WriteLine(line);
            }
            else
            {
                console.Out.WriteLine($"Variational Bayesian Gaussian mixture ({parse.GetValue(covariance)} covariance, {parse.GetValue(weightPrior)} weights, K = {model.Components}){(streamed ? " (out of core)" : "")} fitted to {n} rows × {model.Dimension} columns of {path}");
                console.Out.WriteLine($"  iterations              {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  ELBO                    {Format.Number(model.Elbo)}  (scikit-learn's lower bound {Format.Number(model.LowerBound)})");
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
