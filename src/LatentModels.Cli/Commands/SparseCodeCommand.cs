using System.CommandLine;
using System.Globalization;
using System.Text;
using LatentModels.SparseCoding;

namespace LatentModels.Cli;

/// <summary>The <c>latent sparse-code</c> verb: L1 (or OMP) codes of a data file on a fixed dictionary.</summary>
internal static class SparseCodeCommand
{
    public static Command Create(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var dictionary = new Option<string>("--dictionary")
        {
            Description = "The dictionary: a numeric file with one atom per row (K × d), or a model saved by 'latent fit dictionary --model-out' (its α is the default).",
            Required = true,
            HelpName = "D.csv",
        };
        var alpha = new Option<double?>("--alpha") { Description = "The L1 penalty α of ½‖x − zD‖² + α‖z‖₁ (default: the saved model's α, else 1).", HelpName = "A" };
        var algorithm = new Option<string>("--algorithm")
        {
            Description = "cd (coordinate descent with an exact refit on the support, the default), lars (the exact LARS-lasso path), fista (accelerated proximal gradient), or omp (orthogonal matching pursuit with --nonzeros atoms).",
            DefaultValueFactory = _ => "cd",
            HelpName = "ALG",
        }.AcceptOnlyFromAmong("cd", "lars", "fista", "omp");
        var nonzeros = new Option<int?>("--nonzeros") { Description = "OMP's budget of atoms per row (default max(d/10, 1)).", HelpName = "N" };
        var positive = new Option<bool>("--positive") { Description = "Constrain the codes to be non-negative (not with omp; implied by a dictionary model learned so)." };
        var tol = new Option<double>("--tol") { Description = "Relative duality-gap tolerance of cd and fista when the exact refit does not apply.", DefaultValueFactory = _ => new SparseCoderOptions().Tolerance, HelpName = "T" };
        var maxIter = new Option<int>("--max-iter") { Description = "Cap on sweeps (cd), iterations (fista) or path steps (lars) per row.", DefaultValueFactory = _ => new SparseCoderOptions().MaxIterations, HelpName = "N" };
        var threads = CommonOptions.Threads();
        var codesOut = new Option<string?>("--codes-out") { Description = "Write the codes (n × K, CSV) to this file.", HelpName = "C.csv" };
        var command = new Command("sparse-code",
            "Sparse codes of each row x on a fixed dictionary D: min over z of ½‖x − zD‖² + α‖z‖₁ (or OMP with an L0 budget).\n" +
            "Example: latent sparse-code --data signals.csv --dictionary atoms.csv --alpha 0.1 --json")
        {
            data, dictionary, alpha, algorithm, nonzeros, positive, tol, maxIter, threads, codesOut, json,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            (double[,] atoms, double? modelAlpha, bool modelPositive) = ReadDictionary(console, parse.GetRequiredValue(dictionary));
            double[,] x = console.ReadData(path);
            if (x.GetLength(1) != atoms.GetLength(1))
            {
                throw new ArgumentException($"--data: {path} has {x.GetLength(1)} columns but the dictionary's atoms have {atoms.GetLength(1)}.");
            }

            var options = new SparseCoderOptions
            {
                Alpha = parse.GetValue(alpha) ?? modelAlpha ?? 1.0,
                Algorithm = parse.GetValue(algorithm) switch
                {
                    "lars" => SparseCodingAlgorithm.Lars,
                    "fista" => SparseCodingAlgorithm.Fista,
                    "omp" => SparseCodingAlgorithm.OrthogonalMatchingPursuit,
                    _ => SparseCodingAlgorithm.CoordinateDescent,
                },
                Nonzeros = parse.GetValue(nonzeros),
                Positive = parse.GetValue(positive) || modelPositive,
                Tolerance = parse.GetValue(tol),
                MaxIterations = parse.GetValue(maxIter),
                MaxDegreeOfParallelism = CommonOptions.GetThreads(parse, threads),
            };
            var coder = new SparseCoder(atoms, options);
            double[,] codes = FitCommands.Timed(rows => coder.Transform(rows, console.CancellationToken), x, out double seconds);
            double objective = coder.Objective(x, codes);
            double meanNonzeros = MeanNonzeros(codes);
            WriteCodes(parse.GetValue(codesOut), codes);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "sparse-code").Add("algorithm", parse.GetValue(algorithm))
                    .Add("n", x.GetLength(0)).Add("d", x.GetLength(1)).Add("atoms", coder.Atoms).Add("alpha", options.Alpha)
                    .Add("positive", options.Positive).Add("objective", objective).Add("meanNonzeros", meanNonzeros).Add("seconds", seconds));
            }
            else
            {
                console.Out.WriteLine($"Sparse codes ({parse.GetValue(algorithm)}, α = {Format.Number(options.Alpha)}) of {x.GetLength(0)} rows × {x.GetLength(1)} columns of {path} on {coder.Atoms} atoms");
                console.Out.WriteLine($"  objective (mean ½‖x − zD‖² + α‖z‖₁)  {Format.Number(objective)}");
                console.Out.WriteLine($"  mean non-zeros per row              {Format.Number(meanNonzeros)}");
                console.Out.WriteLine($"  transform time                      {Format.Number(seconds)} s");
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>Reads a dictionary: a saved <see cref="DictionaryModel"/> (a JSON document; with its α) or a numeric table with one atom per row.</summary>
    internal static (double[,] Atoms, double? Alpha, bool Positive) ReadDictionary(CliConsole console, string path)
    {
        if (File.Exists(path) && FirstCharacter(path) == '{')
        {
            return ModelCommands.LoadModel(path, "--dictionary") is DictionaryModel model
                ? (model.Dictionary, model.Alpha, model.PositiveCodes)
                : throw new ArgumentException($"--dictionary: {path} is a saved model but not a dictionary.");
        }

        return (console.ReadData(path, "--dictionary"), null, false);
    }

    private static int FirstCharacter(string path)
    {
        using var reader = new StreamReader(path);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c))
        {
        }

        return c;
    }

    internal static double MeanNonzeros(double[,] codes)
    {
        long count = 0;
        foreach (double v in codes)
        {
            if (v != 0)
            {
                count++;
            }
        }

        return codes.GetLength(0) == 0 ? 0 : (double)count / codes.GetLength(0);
    }

    /// <summary>Writes a matrix as CSV (round-trip numbers) when a path was given.</summary>
    internal static void WriteCodes(string? path, double[,] values)
    {
        if (path is null)
        {
            return;
        }

        CommonOptions.WriteFile(path, "--codes-out", writer => Format.WriteCsvRows(writer, values));
    }
}
