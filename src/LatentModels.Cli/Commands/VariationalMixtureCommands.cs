using System.CommandLine;
using System.Globalization;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Cli;

/// <summary>
/// The variational Bayesian discrete-mixture verbs: <c>latent fit vb-bernoulli-mixture</c> and
/// <c>latent fit vb-categorical-mixture</c> (flags as <c>fit bernoulli-mixture</c> / <c>fit categorical-mixture</c> and
/// <c>fit vb-gmm</c>).
/// </summary>
internal static class VariationalMixtureCommands
{
    public static void Add(Command fit, CliConsole console)
    {
        fit.Subcommands.Add(Create<VariationalBernoulliMixtureModel, IndependentBernoulli>(console, "vb-bernoulli-mixture",
            "Fit a variational Bayesian mixture of independent-Bernoulli vectors (Dirichlet weights, Beta(γ₀, γ₀) pixel priors) to a file of 0/1 values.\n" +
            "Example: latent fit vb-bernoulli-mixture --data digits.csv --k 10 --weight-concentration 0.01 --json",
            "Bernoulli",
            (_, options, initial) => (rows, w, progress, token) => (initial, w) switch
            {
                (null, null) => new VariationalBernoulliMixture(options).Fit(rows, progress, token),
                (null, _) => new VariationalBernoulliMixture(options).Fit(rows, w, progress, token),
                (_, null) => new VariationalBernoulliMixture(options).FitFrom(initial, rows, progress, token),
                _ => new VariationalBernoulliMixture(options).FitFrom(initial, rows, w, progress, token),
            }));
        fit.Subcommands.Add(Create<VariationalCategoricalMixtureModel, IndependentCategorical>(console, "vb-categorical-mixture",
            "Fit a variational Bayesian mixture of independent categorical vectors (Dirichlet weights, Dirichlet(γ₀) outcome priors) to a file of\n" +
            "integer codes (column j in 0…Cⱼ−1, Cⱼ = its largest code + 1).\n" +
            "Example: latent fit vb-categorical-mixture --data survey.csv --k 3 --json",
            "categorical",
            (x, options, initial) =>
            {
                // A warm start keeps its model's outcome counts (the data may not show every category).
                int[] categoryCounts = (initial?.CategoryCounts ?? IndependentCategoricalFamily.FromData(x).CategoryCounts).ToArray();
                return (rows, w, progress, token) => (initial, w) switch
                {
                    (null, null) => new VariationalCategoricalMixture(categoryCounts, options).Fit(rows, progress, token),
                    (null, _) => new VariationalCategoricalMixture(categoryCounts, options).Fit(rows, w, progress, token),
                    (_, null) => new VariationalCategoricalMixture(categoryCounts, options).FitFrom(initial, rows, progress, token),
                    _ => new VariationalCategoricalMixture(categoryCounts, options).FitFrom(initial, rows, w, progress, token),
                };
            }));
    }

    /// <summary>A fit of the rows (with progress and cancellation) for the options, given the whole data file.</summary>
    private delegate SoftClusteringFitResult<TModel> Fitter<TModel>(double[,] rows, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken);

    private static Command Create<TModel, TComponent>(CliConsole console, string name, string description, string family,
        Func<double[,], VariationalDiscreteMixtureOptions, TModel?, Fitter<TModel>> estimator)
        where TModel : VariationalDiscreteMixtureModel<TComponent>
        where TComponent : class
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var modelOut = CommonOptions.ModelOut();
        var labelsOut = CommonOptions.LabelsOut();
        var initModel = InitModel();
        var k = new Option<int>("--k") { Description = "Number of mixture components (the posterior may leave some empty).", Required = true, HelpName = "K" };
        var concentration = new Option<double?>("--weight-concentration")
        {
            Description = "α₀ of the symmetric Dirichlet prior on the weights (default 1/K; small values prune unused components).",
            HelpName = "A",
        };
        var priorCount = new Option<double>("--prior-count")
        {
            Description = "γ₀, the prior pseudo-count of every outcome: Beta(γ₀, γ₀) per Bernoulli variable, Dirichlet(γ₀) per categorical one (default 1, uniform).",
            DefaultValueFactory = _ => 1.0,
            HelpName = "G",
        };
        var init = new Option<string>("--init")
        {
            Description = "Initialisation: kmeans++ (Hamming-distance k-means++ rows, the default), random-rows, random (random responsibilities), or first (the first K rows as seeds).",
            DefaultValueFactory = _ => "kmeans++",
            HelpName = "METHOD",
        }.AcceptOnlyFromAmong("kmeans++", "random-rows", "random", "first");
        var starts = new Option<int>("--starts") { Description = "Number of starts; the largest ELBO is kept.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum coordinate-ascent iterations per start (0 returns the start).", DefaultValueFactory = _ => 100, HelpName = "N" };
        var tol = new Option<double>("--tol") { Description = "Stop when the ELBO (in nats, not per row) changes by less than this (0: run --max-iter iterations).", DefaultValueFactory = _ => 1e-3, HelpName = "T" };
        var threads = CommonOptions.Threads();
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Whole);
        var command = new Command(name, description) { data, k, concentration, priorCount, init, starts, maxIter, tol, seed, threads, json, modelOut, labelsOut, initModel, sampleWeights };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            double[,] x = console.ReadData(path);
            var options = new VariationalDiscreteMixtureOptions
            {
                Components = parse.GetValue(k),
                WeightConcentration = parse.GetValue(concentration),
                PriorCount = parse.GetValue(priorCount),
                Init = ParseInit(parse.GetValue(init)!),
                Starts = parse.GetValue(starts),
                MaxIterations = parse.GetValue(maxIter),
                Tolerance = parse.GetValue(tol),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            TModel? initial = LoadInitialModel<TModel>(parse.GetValue(initModel), $"a model of 'fit {name}'");
            Fitter<TModel> fitter = estimator(x, options, initial);
            double[]? rowWeights = CommonOptions.ReadSampleWeights(console, parse.GetValue(sampleWeights), x.GetLength(0));
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "VB");
            SoftClusteringFitResult<TModel> fit = FitCommands.Timed(
                rows => fitter(rows, rowWeights is null ? null : FitCommands.Head(rowWeights, rows), ReferenceEquals(rows, x) ? progress : null, console.CancellationToken), x, out double seconds);
            progress?.Dispose();
            TModel model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            CommonOptions.WriteLabels(parse.GetValue(labelsOut), fit.Labels);
            double elbo = model.Elbo;
            double[] weights = model.Weights;
            int effective = model.EffectiveComponents();
            double score = model.Score(x);
            int n = x.GetLength(0);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", name).Add("k", options.Components).Add("n", n).Add("d", x.GetLength(1))
                    .Add("seconds", seconds).Add("elbo", elbo).Add("elboTrace", fit.Report.ObjectiveTrace.ToArray())
                    .Add("avgLogLikelihood", score).Add("iterations", fit.Report.Iterations).Add("converged", fit.Report.Converged)
                    .Add("effectiveComponents", effective).Add("weights", weights));
            }
            else
            {
                string alpha = (options.WeightConcentration ?? 1.0 / options.Components).ToString("R", CultureInfo.InvariantCulture);
                console.Out.WriteLine($"Variational Bayesian {family} mixture (K = {options.Components}, α₀ = {alpha}, γ₀ = {options.PriorCount.ToString("R", CultureInfo.InvariantCulture)}) fitted to {n} rows × {x.GetLength(1)} columns of {path}");
                console.Out.WriteLine($"  iterations              {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  ELBO                    {Format.Number(elbo)}");
                console.Out.WriteLine($"  mean log predictive     {Format.Number(score)}");
                console.Out.WriteLine($"  effective components    {effective} (weight > 0.01)");
                console.Out.WriteLine($"  fit time                {Format.Number(seconds)} s");
                for (int c = 0; c < weights.Length; c++)
                {
                    console.Out.WriteLine($"  component {c}: weight {Format.Number(weights[c])}");
                }
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>The warm-start option of the variational verbs.</summary>
    internal static Option<string?> InitModel() => new("--init-model")
    {
        Description = "Warm start: begin every start from this saved variational model's posterior (same K, dimension and kind; --init is then not used; the prior is this command's).",
        HelpName = "M.json",
    };

    /// <summary>Loads the model a <c>--init-model</c> path names, checking its kind; null without a path.</summary>
    internal static TModel? LoadInitialModel<TModel>(string? path, string expected) where TModel : class
    {
        if (path is null)
        {
            return null;
        }

        object model = ModelCommands.LoadModel(path, "--init-model");
        return model as TModel
            ?? throw new ArgumentException($"--init-model: {path} holds a {Persistence.ModelJson.FormatName(model)}, not {expected}.");
    }

    internal static MixtureInit ParseInit(string value) => value switch
    {
        "random" => MixtureInit.RandomResponsibilities,
        "random-rows" => MixtureInit.RandomRows,
        "first" => MixtureInit.First,
        _ => MixtureInit.KMeansPlusPlus,
    };
}
