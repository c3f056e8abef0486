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
            // Streamed: one pass checks the whole file (a bad file writes nothing), one more codes it chunk by chunk.
            Data.IRowChunkSource x = DataSources.Open(path, console.Columns);
            console.StreamData(path);
            (long n, int d) = Data.RowChunks.Shape(x, console.CancellationToken);
            if (d != atoms.GetLength(1))
            {
                throw new ArgumentException($"--data: {path} has {d} columns but the dictionary's atoms have {atoms.GetLength(1)}.");
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
            (double objective, double meanNonzeros, double seconds) = Code(coder, x, n, parse.GetValue(codesOut), console.CancellationToken);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "sparse-code").Add("algorithm", parse.GetValue(algorithm))
                    .Add("n", n).Add("d", d).Add("atoms", coder.Atoms).Add("alpha", options.Alpha)
                    .Add("positive", options.Positive).Add("objective", objective).Add("meanNonzeros", meanNonzeros).Add("seconds", seconds));
            }
            else
            {
                console.Out.WriteLine($"Sparse codes ({parse.GetValue(algorithm)}, α = {Format.Number(options.Alpha)}) of {n} rows × {d} columns of {path} on {coder.Atoms} atoms");
                console.Out.WriteLine($"  objective (mean ½‖x − zD‖² + α‖z‖₁)  {Format.Number(objective)}");
                console.Out.WriteLine($"  mean non-zeros per row              {Format.Number(meanNonzeros)}");
                console.Out.WriteLine($"  transform time                      {Format.Number(seconds)} s");
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>
    /// The codes of the streamed rows, chunk by chunk (every row's code and objective do not depend on the other rows): the
    /// mean objective summed in row order and the mean number of non-zeros — the bits of the whole array's — and the codes
    /// written to <paramref name="codesOut"/> as they come. The seconds are those of the coding alone (the transform calls, as the in-memory command timed them; reading and writing excluded).
    /// </summary>
    private static (double Objective, double MeanNonzeros, double Seconds) Code(SparseCoder coder, Data.IRowChunkSource x, long n, string? codesOut, CancellationToken cancellationToken)
    {
        var watch = new System.Diagnostics.Stopwatch();
        double sum = 0;
        long nonzeros = 0;
        void Pass(TextWriter? writer)
        {
            foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, cancellationToken))
            {
                watch.Start();
                double[,] codes = coder.Transform(chunk, cancellationToken);
                watch.Stop();
                foreach (double v in coder.Objectives(chunk, codes))
                {
                    sum += v;
                }

                foreach (double v in codes)
                {
                    nonzeros += v != 0 ? 1 : 0;
                }

                if (writer is not null)
                {
                    Format.WriteCsvRows(writer, codes);
                }
            }
        }

        if (codesOut is null)
        {
            Pass(null);
        }
        else
        {
            CommonOptions.WriteFile(codesOut, "--codes-out", Pass);
        }

        return (sum / n, (double)nonzeros / n, watch.Elapsed.TotalSeconds);
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
}
