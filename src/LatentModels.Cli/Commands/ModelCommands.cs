using System.CommandLine;
using System.Globalization;
using System.Text;
using LatentModels.Persistence;

namespace LatentModels.Cli;

/// <summary>The verbs that use a saved model: <c>score</c>, <c>predict</c> and <c>sample</c>.</summary>
internal static class ModelCommands
{
    public static IEnumerable<Command> Create(CliConsole console)
    {
        yield return Score(console);
        yield return Predict(console);
        yield return Sample(console);
        yield return Transform(console);
    }

    private static Option<string> ModelOption() => new("--model")
    {
        Description = "A model file written by 'latent fit … --model-out M.json'.",
        Required = true,
        HelpName = "M.json",
    };

    private static Command Score(CliConsole console)
    {
        var model = ModelOption();
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var iwaeSamples = new Option<int>("--iwae-samples")
        {
            Description = "Variational autoencoder: importance samples K of the log-likelihood estimate (IWAE).",
            DefaultValueFactory = _ => 100,
            HelpName = "K",
        };
        var seed = CommonOptions.Seed();
        var command = new Command("score",
            "Score data under a saved model: the mean log-likelihood per row (density models), the inertia (K-Means), or the\n" +
            "mean −ELBO and importance-weighted log-likelihood per row (variational autoencoder). The file is streamed in chunks\n" +
            "(bounded memory) for every model, with the numbers of the loaded file.\n" +
            "Example: latent score --model m.json --data faithful.csv --json")
        {
            model, data, json, iwaeSamples, seed,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            object m = LoadUsable(parse.GetRequiredValue(model));
            if (m is IDensityModel or Clustering.KMeansModel or SparseCoding.BinarySparseCodingModel or NeuralNetworks.VariationalAutoencoderModel)
            {
                ScoreStreamed(console, m, parse.GetRequiredValue(data), parse.GetValue(json), parse.GetValue(iwaeSamples), parse.GetValue(seed));
                return CliApp.Success;
            }

            double[,] x = ReadFor(console, m, parse.GetRequiredValue(data));
            var line = new JsonLine().Add("model", ModelJson.FormatName(m)).Add("n", x.GetLength(0)).Add("d", x.GetLength(1));
            string text;
            if (m is SparseCoding.BinarySparseCodingModel bsc)
            {
                // The likelihood is intractable in general: the mean ELBO always, the exact value by enumeration when H ≤ 16.
                double elbo = bsc.Elbo(x).Average();
                double? exact = bsc.Components <= SparseCoding.BinarySparseCodingModel.MaxExactComponents ? bsc.ExactLogLikelihood(x).Average() : null;
                line.Add("elbo", elbo).Add("exactLogLikelihood", exact);
                text = $"mean ELBO  {elbo.ToString("R", CultureInfo.InvariantCulture)}" +
                    (exact is double e ? $"\nexact mean log-likelihood  {e.ToString("R", CultureInfo.InvariantCulture)}" : "");
            }
            else if (m is IDensityModel density)
            {
                double score = density.Score(x);
                line.Add("avgLogLikelihood", score);
                text = $"mean log-likelihood  {score.ToString("R", CultureInfo.InvariantCulture)}";
            }
            else if (m is NeuralNetworks.VariationalAutoencoderModel vae)
            {
                int k = parse.GetValue(iwaeSamples);
                if (k < 1)
                {
                    throw new ArgumentException($"--iwae-samples: K must be at least 1, not {k}.");
                }

                var random = new Random(parse.GetValue(seed) ?? 0);
                double negElbo = vae.AnomalyScores(x, random).Average();
                double iwae = vae.ImportanceWeightedLogLikelihood(x, k, random).Average();
                line.Add("negElbo", negElbo).Add("iwaeLogLikelihood", iwae).Add("iwaeSamples", k);
                text = $"mean −ELBO  {negElbo.ToString("R", CultureInfo.InvariantCulture)}\n" +
                       $"mean importance-weighted log-likelihood (K = {k})  {iwae.ToString("R", CultureInfo.InvariantCulture)}";
            }
            else if (m is Clustering.KMeansModel kmeans)
            {
                double inertia = -kmeans.Score(x);
                line.Add("inertia", inertia);
                text = $"inertia  {inertia.ToString("R", CultureInfo.InvariantCulture)}";
            }
            else
            {
                throw new ArgumentException($"--model: a {ModelJson.FormatName(m)} cannot score data.");
            }

            console.Out.WriteLine(parse.GetValue(json) ? line.ToString() : text);
            return CliApp.Success;
        }));
        return command;
    }

    private static Command Predict(CliConsole console)
    {
        var model = ModelOption();
        var data = CommonOptions.Data();
        var probabilities = new Option<bool>("--probabilities")
        {
            Description = "Also print each row's component probabilities (responsibilities), one column per component.",
        };
        var command = new Command("predict",
            "Assign each row of a data file to a cluster or component; CSV on stdout (label[,p0,p1,…]).\n" +
            "Example: latent predict --model m.json --data faithful.csv --probabilities")
        {
            model, data, probabilities,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            object m = LoadUsable(parse.GetRequiredValue(model));
            if (m is not IClusteringModel clustering)
            {
                throw new ArgumentException($"--model: a {ModelJson.FormatName(m)} does not assign rows to clusters.");
            }

            // Streamed: one pass checks the whole file (so a bad file writes nothing), one more predicts and writes chunk by chunk.
            Data.IRowChunkSource x = OpenFor(console, m, parse.GetRequiredValue(data));
            bool withProbabilities = parse.GetValue(probabilities);
            if (withProbabilities && m is not ISoftClusteringModel)
            {
                throw new ArgumentException($"--probabilities: a {ModelJson.FormatName(m)} gives hard assignments only.");
            }

            bool first = true;
            foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, console.CancellationToken))
            {
                int[] labels = clustering.Predict(chunk);
                double[,]? p = withProbabilities ? ((ISoftClusteringModel)m).PredictProbabilities(chunk) : null;
                var output = new StringBuilder();
                if (first)
                {
                    output.Append("label");
                    if (p is not null)
                    {
                        for (int k = 0; k < p.GetLength(1); k++)
                        {
                            output.Append(CultureInfo.InvariantCulture, $",p{k}");
                        }
                    }

                    output.Append('\n');
                    first = false;
                }

                for (int i = 0; i < labels.Length; i++)
                {
                    output.Append(labels[i].ToString(CultureInfo.InvariantCulture));
                    if (p is not null)
                    {
                        for (int k = 0; k < p.GetLength(1); k++)
                        {
                            output.Append(',').Append(p[i, k].ToString("R", CultureInfo.InvariantCulture));
                        }
                    }

                    output.Append('\n');
                }

                console.Out.Write(output.ToString());
            }

            return CliApp.Success;
        }));
        return command;
    }

    private static Command Sample(CliConsole console)
    {
        var model = ModelOption();
        var count = new Option<long>("-n", "--count")
        {
            Description = "Number of rows to draw (any number: the rows are drawn and written in blocks, never all held in memory).",
            Required = true,
            HelpName = "N",
        };
        var seed = CommonOptions.Seed();
        var command = new Command("sample",
            "Draw rows from a saved generative model; CSV on stdout, one row per sample.\n" +
            "Example: latent sample --model m.json -n 1000 --seed 1")
        {
            model, count, seed,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            object m = LoadUsable(parse.GetRequiredValue(model));
            if (m is not ISampler sampler)
            {
                throw new ArgumentException($"--model: a {ModelJson.FormatName(m)} cannot draw samples.");
            }

            long n = parse.GetValue(count);
            if (n < 0)
            {
                throw new ArgumentException($"-n: the number of samples must be non-negative, not {n}.");
            }

            WriteSamples(console, sampler, n, new Random(parse.GetValue(seed) ?? 0));
            return CliApp.Success;
        }));
        return command;
    }

    private static Command Transform(CliConsole console)
    {
        var model = ModelOption();
        var data = CommonOptions.Data();
        var inference = new Option<string>("--inference")
        {
            Description = "Mean-field updates of binary sparse coding: sequential (the default) or parallel (damped).",
            DefaultValueFactory = _ => "sequential",
            HelpName = "UPDATE",
        }.AcceptOnlyFromAmong("sequential", "parallel");
        var command = new Command("transform",
            "Latent codes of each row of a data file under a saved model: the posterior means ĥ of binary sparse coding\n" +
            "(mean-field inference; columns h0,h1,…) or the lasso codes of a learned dictionary at its α (z0,z1,…);\n" +
            "CSV on stdout, one row per data row, one column per latent.\n" +
            "Example: latent transform --model bsc.json --data bars.csv")
        {
            model, data, inference,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            object m = LoadUsable(parse.GetRequiredValue(model));
            if (m is not ILatentTransform transform)
            {
                throw new ArgumentException($"--model: a {ModelJson.FormatName(m)} has no latent codes to transform to.");
            }

            // Streamed: one pass checks the whole file (a bad file writes nothing), one more transforms and writes chunk by chunk
            // (every row's code does not depend on the other rows).
            Data.IRowChunkSource x = OpenFor(console, m, parse.GetRequiredValue(data));
            SparseCoding.BinarySparseCodingInference? settings = m is SparseCoding.BinarySparseCodingModel
                ? new SparseCoding.BinarySparseCodingInference { Update = BinarySparseCodingCommands.ParseUpdate(parse.GetValue(inference)) }
                : null;
            string prefix = m is SparseCoding.BinarySparseCodingModel ? "h" : "z";
            var output = new StringBuilder();
            output.Append(string.Join(",", Enumerable.Range(0, transform.LatentDimension).Select(i => $"{prefix}{i}"))).Append('\n');
            foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, console.CancellationToken))
            {
                double[,] codes = m is SparseCoding.BinarySparseCodingModel bsc ? bsc.Transform(chunk, settings) : transform.Transform(chunk);
                console.Out.Write(Format.AppendCsvRows(output, codes).ToString());
                output.Clear();
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>Values (rows × dimension) drawn and written per block by <c>sample</c>: 2¹⁶ doubles, 512 KiB.</summary>
    internal const int SampleBlockValues = 1 << 16;

    /// <summary>
    /// Draws <paramref name="n"/> rows in blocks of <see cref="SampleBlockValues"/> / d rows (at least one), each by one
    /// <see cref="ISampler.Sample"/> call on the same generator, and writes each block before drawing the next, so that
    /// memory does not grow with n. For n up to one block this is exactly one call (the library's bits); the samplers that
    /// draw row by row (every mixture, Gaussian and binary sparse coding) give the same rows for any blocking. The
    /// cancellation token is checked between blocks.
    /// </summary>
    internal static void WriteSamples(CliConsole console, ISampler sampler, long n, Random random)
    {
        int dimension = sampler switch
        {
            IDensityModel density => density.Dimension,
            NeuralNetworks.VariationalAutoencoderModel vae => vae.Dimension,
            SparseCoding.BinarySparseCodingModel bsc => bsc.Dimension,
            _ => sampler.Sample(1, new Random(0)).GetLength(1),
        };
        int block = Math.Max(1, SampleBlockValues / Math.Max(1, dimension));
        for (long done = 0; done < n; done += block)
        {
            console.CancellationToken.ThrowIfCancellationRequested();
            Format.WriteCsvRows(console.Out, sampler.Sample((int)Math.Min(block, n - done), random));
        }
    }

    /// <summary>Reads a model file, mapping a missing or invalid file to a bad-input error naming the option.</summary>
    public static object LoadModel(string path, string option = "--model")
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{option}: no such file '{path}'.");
        }

        try
        {
            return ModelJson.Load(path);
        }
        catch (ModelFormatException e)
        {
            throw new ArgumentException($"{option}: {path}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>A model file for score, predict and sample; an online K-Means, streaming EM or stochastic variational state stands for its current model.</summary>
    private static object LoadUsable(string path) => LoadModel(path) switch
    {
        Clustering.OnlineKMeans { IsInitialized: true } online => online.Snapshot(),
        Clustering.OnlineKMeans => throw new ArgumentException($"--model: {path} is an online K-Means state whose centers are not initialised yet."),
        Mixtures.StreamingGaussianMixture { IsInitialized: true } streaming => streaming.Snapshot(),
        Mixtures.StreamingGaussianMixture => throw new ArgumentException($"--model: {path} is a streaming EM state whose mixture is not initialised yet."),
        Variational.StreamingVariationalGaussianMixture { IsInitialized: true } svi => svi.Snapshot(),
        Variational.StreamingVariationalGaussianMixture => throw new ArgumentException($"--model: {path} is a stochastic variational stream state without a posterior yet."),
        object m => m,
    };

    /// <summary>
    /// <c>score</c> without loading the file: every model whose score is a sum over rows of values that do not depend on
    /// the other rows, summed in row order (or, for the mixtures, K-Means and the multivariate Gaussian, in the blocks of the
    /// array version), is scored chunk by chunk with the bits of the loaded file: the Gaussian and variational Gaussian
    /// mixtures, K-Means and the multivariate Gaussian through the library's chunked scores; the other density models
    /// (discrete and variational discrete mixtures, single distributions) through their per-row log-densities; binary
    /// sparse coding through its per-row ELBO and exact log-likelihood; the variational autoencoder through two passes (the
    /// −ELBO, then the importance-weighted estimate) drawing from one generator in row order, in chunks that are whole
    /// numbers of its evaluation batches, as the array versions draw.
    /// </summary>
    private static void ScoreStreamed(CliConsole console, object m, string path, bool json, int iwaeSamples, int? seed)
    {
        var x = new CountingSource(OpenFor(console, m, path, check: false));
        CancellationToken token = console.CancellationToken;
        var line = new JsonLine().Add("model", ModelJson.FormatName(m));
        var fields = new List<(string Name, object? Value)>();
        string text;
        long n;
        switch (m)
        {
            case Mixtures.GaussianMixtureModel gmm:
                text = LogLikelihood(fields, gmm.Score(x, out n, token));
                break;
            case Variational.VariationalGaussianMixtureModel vb:
                text = LogLikelihood(fields, vb.Score(x, out n, token));
                break;
            case Distributions.MultivariateGaussian mvn:
                text = LogLikelihood(fields, mvn.Score(x, out n, token));
                break;
            case Clustering.KMeansModel kmeans:
                n = Data.RowChunks.Shape(x, token).Rows;
                double inertia = kmeans.InertiaOf(x, checked((int)n), token);
                fields.Add(("inertia", inertia));
                text = $"inertia  {inertia.ToString("R", CultureInfo.InvariantCulture)}";
                break;
            case SparseCoding.BinarySparseCodingModel bsc:
                {
                    // The likelihood is intractable in general: the mean ELBO always, the exact value by enumeration when H ≤ 16.
                    bool exact = bsc.Components <= SparseCoding.BinarySparseCodingModel.MaxExactComponents;
                    double elboSum = 0, exactSum = 0;
                    n = 0;
                    foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, token))
                    {
                        elboSum = AddInOrder(elboSum, bsc.Elbo(chunk));
                        exactSum = exact ? AddInOrder(exactSum, bsc.ExactLogLikelihood(chunk)) : 0;
                        n += chunk.GetLength(0);
                    }

                    double elbo = elboSum / n;
                    double? exactMean = exact ? exactSum / n : null;
                    fields.Add(("elbo", elbo));
                    fields.Add(("exactLogLikelihood", exactMean));
                    text = $"mean ELBO  {elbo.ToString("R", CultureInfo.InvariantCulture)}" +
                        (exactMean is double e ? $"\nexact mean log-likelihood  {e.ToString("R", CultureInfo.InvariantCulture)}" : "");
                    break;
                }

            case NeuralNetworks.VariationalAutoencoderModel vae:
                {
                    if (iwaeSamples < 1)
                    {
                        throw new ArgumentException($"--iwae-samples: K must be at least 1, not {iwaeSamples}.");
                    }

                    var random = new Random(seed ?? 0);
                    double negElboSum = 0, iwaeSum = 0;
                    n = 0;
                    foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, token))
                    {
                        negElboSum = AddInOrder(negElboSum, vae.AnomalyScores(chunk, random));
                        n += chunk.GetLength(0);
                    }

                    foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, token))
                    {
                        iwaeSum = AddInOrder(iwaeSum, vae.ImportanceWeightedLogLikelihood(chunk, iwaeSamples, random));
                    }

                    double negElbo = negElboSum / n, iwae = iwaeSum / n;
                    fields.Add(("negElbo", negElbo));
                    fields.Add(("iwaeLogLikelihood", iwae));
                    fields.Add(("iwaeSamples", iwaeSamples));
                    text = $"mean −ELBO  {negElbo.ToString("R", CultureInfo.InvariantCulture)}\n" +
                           $"mean importance-weighted log-likelihood (K = {iwaeSamples})  {iwae.ToString("R", CultureInfo.InvariantCulture)}";
                    break;
                }

            default:
                {
                    var density = (IDensityModel)m;
                    double sum = 0;
                    double[] values = [];
                    n = 0;
                    foreach (double[,] chunk in x.ReadChunks(Data.RowChunks.DefaultChunkRows, token))
                    {
                        int rows = chunk.GetLength(0);
                        if (values.Length != rows)
                        {
                            values = new double[rows];
                        }

                        density.LogDensity(chunk, values);
                        sum = AddInOrder(sum, values);
                        n += rows;
                    }

                    text = LogLikelihood(fields, sum / n);
                    break;
                }
        }

        line.Add("n", n).Add("d", Dimension(m) ?? x.Columns);
        foreach ((string name, object? value) in fields)
        {
            line.Add(name, value);
        }

        console.Out.WriteLine(json ? line.ToString() : text);
    }

    private static string LogLikelihood(List<(string Name, object? Value)> fields, double value)
    {
        fields.Add(("avgLogLikelihood", value));
        return $"mean log-likelihood  {value.ToString("R", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Adds the values to <paramref name="sum"/> one by one, in order (the summation of the array versions).</summary>
    private static double AddInOrder(double sum, double[] values)
    {
        foreach (double v in values)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>The dimension of the rows a model takes, if it has one.</summary>
    private static int? Dimension(object model) => model switch
    {
        IDensityModel density => density.Dimension,
        ILatentTransform transform => transform.Dimension,
        Clustering.KMeansModel kmeans => kmeans.Dimension,
        _ => null,
    };

    /// <summary>
    /// Opens a data file as a stream (<see cref="DataSources"/>) for a model: one pass checks every row (so that a bad file
    /// fails before any output) unless <paramref name="check"/> is false, in which case only the first row is read; the
    /// columns are checked against the model's dimension as <see cref="ReadFor"/> does.
    /// </summary>
    private static Data.IRowChunkSource OpenFor(CliConsole console, object model, string path, bool check = true)
    {
        Data.IRowChunkSource x = DataSources.Open(path, console.Columns);
        console.StreamData(path);
        int columns = check ? Data.RowChunks.Shape(x, console.CancellationToken).Columns : x.ReadChunks(1, console.CancellationToken).First().GetLength(1);
        if (Dimension(model) is int d && columns != d)
        {
            throw new ArgumentException($"--data: {path} has {columns} columns but the model has dimension {d}.");
        }

        return x;
    }

    /// <summary>Reads a data file and checks its column count against the model's dimension.</summary>
    private static double[,] ReadFor(CliConsole console, object model, string path)
    {
        double[,] x = console.ReadData(path);
        if (Dimension(model) is int d && x.GetLength(1) != d)
        {
            throw new ArgumentException($"--data: {path} has {x.GetLength(1)} columns but the model has dimension {d}.");
        }

        return x;
    }

    /// <summary>Saves a fitted model when <c>--model-out</c> (or another output option) was given; an unwritable path is bad input.</summary>
    public static void SaveIfRequested(object model, string? path, string option = "--model-out")
    {
        if (path is null)
        {
            return;
        }

        try
        {
            ModelJson.Save(model, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot write '{path}': {e.Message}", e);
        }
    }
}
