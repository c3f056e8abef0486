using System.CommandLine;
using LatentModels.SparseCoding;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit binary-sparse-coding</c> verb: binary sparse coding by mean-field variational EM.</summary>
internal static class BinarySparseCodingCommands
{
    public static void Add(Command fit, CliConsole console) => fit.Subcommands.Add(Fit(console));

    /// <summary>Parses an <c>--inference</c> value.</summary>
    public static BinarySparseCodingUpdate ParseUpdate(string? value) =>
        value == "parallel" ? BinarySparseCodingUpdate.Parallel : BinarySparseCodingUpdate.Sequential;

    private static Command Fit(CliConsole console)
    {
        var defaults = new BinarySparseCodingOptions();
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var seed = CommonOptions.Seed();
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        var components = new Option<int>("--components") { Description = "Number of binary latents (atoms) H.", Required = true, HelpName = "H" };
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum EM iterations per start.", DefaultValueFactory = _ => defaults.MaxIterations, HelpName = "N" };
        var damping = new Option<double>("--damping")
        {
            Description = "Damping δ of the parallel updates in [0, 1): ℓ ← δ·ℓ + (1 − δ)·ℓ* on the logits.",
            DefaultValueFactory = _ => defaults.Inference.Damping,
            HelpName = "D",
        };
        var inference = new Option<string>("--inference")
        {
            Description = "Mean-field updates: sequential (coordinate ascent, never lowers the bound) or parallel (damped, one GEMM per sweep).",
            DefaultValueFactory = _ => "sequential",
            HelpName = "UPDATE",
        }.AcceptOnlyFromAmong("sequential", "parallel");
        var starts = new Option<int>("--starts") { Description = "Number of starts; the largest ELBO is kept.", DefaultValueFactory = _ => defaults.Starts, HelpName = "S" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Rows per mini-batch (incremental EM); full batches when omitted.", HelpName = "B" };
        var command = new Command("binary-sparse-coding",
            "Fit binary sparse coding (p(hᵢ = 1) = σ(bᵢ), v | h ~ N(Wh, β⁻¹), β diagonal) by mean-field variational EM.\n" +
            "The JSON holds the dictionary (H × d, the columns of W as rows), the prior probabilities, the noise variances, the\n" +
            "mean ELBO per row and, for H ≤ 16, the exact mean log-likelihood by enumerating the 2^H latent states.\n" +
            "Example: latent fit binary-sparse-coding --data bars.csv --components 8 --json --model-out bsc.json")
        {
            data, components, maxIter, damping, inference, starts, batchSize, seed, threads, json, modelOut,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            double[,] x = console.ReadData(path);
            var options = defaults with
            {
                Components = parse.GetValue(components),
                MaxIterations = parse.GetValue(maxIter),
                Starts = parse.GetValue(starts),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed) ?? 0,
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
                Inference = defaults.Inference with { Update = ParseUpdate(parse.GetValue(inference)), Damping = parse.GetValue(damping) },
            };
            using TerminalProgress? progress = TerminalProgress.ForTerminal(console, "BSC");
            FitResult<BinarySparseCodingModel> fit = FitCommands.Timed(
                rows => new BinarySparseCoding(options).Fit(rows, ReferenceEquals(rows, x) ? progress : null, console.CancellationToken),
                x, out double seconds);
            progress?.Dispose();
            BinarySparseCodingModel model = fit.Model;
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            double elbo = model.Elbo(x, options.Inference).Average();
            double? exact = model.Components <= BinarySparseCodingModel.MaxExactComponents ? model.ExactLogLikelihood(x).Average() : null;
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "binary-sparse-coding").Add("n", x.GetLength(0)).Add("d", x.GetLength(1))
                    .Add("components", model.Components).Add("seconds", seconds).Add("iterations", fit.Report.Iterations)
                    .Add("converged", fit.Report.Converged).Add("elbo", elbo).Add("exactLogLikelihood", exact)
                    .Add("trainingElbo", model.TrainingElbo).Add("dictionary", model.Dictionary).Add("prior", model.PriorProbabilities)
                    .Add("noiseVariance", model.NoiseVariance));
            }
            else
            {
                console.Out.WriteLine($"Binary sparse coding (H = {model.Components}, {parse.GetValue(inference)} mean-field updates) fitted to {x.GetLength(0)} rows × {x.GetLength(1)} columns of {path}");
                console.Out.WriteLine($"  iterations              {fit.Report.Iterations}{(fit.Report.Converged ? " (converged)" : " (iteration cap reached)")}");
                console.Out.WriteLine($"  mean ELBO per row       {Format.Number(elbo)}");
                if (exact is double e)
                {
                    console.Out.WriteLine($"  exact log-likelihood    {Format.Number(e)}  (mean per row, 2^{model.Components} states enumerated)");
                }

                console.Out.WriteLine($"  mean noise variance     {Format.Number(model.NoiseVariance.Average())}");
                console.Out.WriteLine($"  fit time                {Format.Number(seconds)} s");
                double[] prior = model.PriorProbabilities;
                for (int i = 0; i < prior.Length; i++)
                {
                    console.Out.WriteLine($"  atom {i}: p(on) {Format.Number(prior[i])}");
                }
            }

            return CliApp.Success;
        }));
        return command;
    }
}
