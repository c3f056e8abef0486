using System.CommandLine;
using System.Diagnostics;
using LatentModels.Distributions;

namespace LatentModels.Cli;

/// <summary>The <c>latent fit …</c> verbs.</summary>
internal static class FitCommands
{
    public static void Add(Command fit, CliConsole console)
    {
        fit.Subcommands.Add(Gaussian(console));
        fit.Subcommands.Add(Mvn(console));
        GmmCommands.Add(fit, console);
        KMeansCommands.Add(fit, console);
        MixtureCommands.Add(fit, console);
        VariationalCommands.Add(fit, console);
        BinarySparseCodingCommands.Add(fit, console);
        DictionaryCommands.Add(fit, console);
        VariationalMixtureCommands.Add(fit, console);
        StochasticVariationalCommands.Add(fit, console);
        VaeCommands.Add(fit, console);
    }

    /// <summary>
    /// Runs <paramref name="fit"/> on <paramref name="data"/> and measures it. The fit is first run once, untimed, on
    /// the first few rows, so that <paramref name="seconds"/> is the fit itself, not the one-time JIT compilation of
    /// its code; failures of that warm-up are ignored (the real fit reports its own) — e.g. when the head has fewer rows
    /// than the fit has components, the warm-up is skipped rather than run with different options.
    /// </summary>
    internal static T Timed<T>(Func<double[,], T> fit, double[,] data, out double seconds)
    {
        int rows = Math.Min(data.GetLength(0), 600), d = data.GetLength(1);
        var head = new double[rows, d];
        Array.Copy(data, head, rows * d);
        try
        {
            fit(head);
        }
        catch (Exception e) when (e is FittingException or ArgumentException)
        {
            // The head alone may be degenerate; only the full fit matters.
        }

        var watch = Stopwatch.StartNew();
        T model = fit(data);
        seconds = watch.Elapsed.TotalSeconds;
        return model;
    }

    /// <summary>The weights of the first rows of <paramref name="rows"/> (all of them for the whole data; the head for <see cref="Timed{T}"/>'s warm-up).</summary>
    internal static double[] Head(double[] weights, double[,] rows) => rows.GetLength(0) == weights.Length ? weights : weights[..Math.Min(rows.GetLength(0), weights.Length)];

    /// <summary>
    /// Streams the rows <paramref name="passes"/> times into <paramref name="online"/> in mini-batches of
    /// <paramref name="batchSize"/> rows, exactly as the estimators' <c>UpdateAll</c> does (same batches, same results; one
    /// point at a time for a batch size of 1), checking for cancellation before each mini-batch.
    /// </summary>
    internal static void Stream<TModel>(IOnlineEstimator<TModel> online, double[,] x, int batchSize, int passes, CancellationToken cancellationToken)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var batch = new double[Math.Min(batchSize, n), d];
        var point = new double[d];
        for (int pass = 0; pass < passes; pass++)
        {
            for (int start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(batchSize, n - start);
                if (batchSize == 1)
                {
                    for (int j = 0; j < d; j++)
                    {
                        point[j] = x[start, j];
                    }

                    UpdateRows(() => online.Update(point), start, singleRow: true);
                    continue;
                }

                if (rows != batch.GetLength(0))
                {
                    batch = new double[rows, d];
                }

                Array.Copy(x, (long)start * d, batch, 0, (long)rows * d);
                UpdateRows(() => online.Update(batch), start);
            }
        }
    }

    /// <summary>
    /// Runs an update on a mini-batch that starts at row <paramref name="firstRow"/> of the data file; a rejected batch's
    /// <see cref="ArgumentException"/> is wrapped with that offset, so that the message names the file's line.
    /// </summary>
    internal static void UpdateRows(Action update, long firstRow, bool singleRow = false)
    {
        try
        {
            update();
        }
        catch (ArgumentException e)
        {
            throw new DataRowsException(e, firstRow, singleRow);
        }
    }

    private static Command Gaussian(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        threads.Description = "Accepted for uniformity with the other fits (0: all cores); this fit is one pass and runs on one thread.";
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Whole);
        var command = new Command("gaussian", "Fit a univariate Gaussian by maximum likelihood to a one-column file.\nExample: latent fit gaussian --data height.txt --json")
        {
            data, json, modelOut, threads, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            CommonOptions.GetThreads(parse, threads);
            double[,] x = console.ReadData(path);
            if (x.GetLength(1) != 1)
            {
                throw new ArgumentException($"--data: a univariate Gaussian needs one column but {path} has {x.GetLength(1)}; use 'latent fit mvn'.");
            }

            double[]? weights = CommonOptions.ReadSampleWeights(console, parse.GetValue(sampleWeights), x.GetLength(0));
            UnivariateGaussian model = Timed(rows => weights is null ? UnivariateGaussian.Fit(rows) : UnivariateGaussian.Fit(rows, Head(weights, rows)), x, out double seconds);
            double score = model.Score(x);
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "gaussian").Add("n", x.GetLength(0)).Add("d", 1)
                    .Add("seconds", seconds).Add("avgLogLikelihood", score)
                    .Add("mean", model.Mean).Add("standardDeviation", model.StandardDeviation));
            }
            else
            {
                console.Out.WriteLine($"Univariate Gaussian fitted by maximum likelihood to {x.GetLength(0)} values of {path}");
                console.Out.WriteLine($"  mean                 {Format.Number(model.Mean)}");
                console.Out.WriteLine($"  standard deviation   {Format.Number(model.StandardDeviation)}  (1/N)");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}");
            }

            return CliApp.Success;
        }));
        return command;
    }

    private static Command Mvn(CliConsole console)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var modelOut = CommonOptions.ModelOut();
        var threads = CommonOptions.Threads();
        threads.Description = "Accepted for uniformity with the other fits (0: all cores); this fit is one pass and runs on one thread.";
        var sampleWeights = CommonOptions.SampleWeights(CommonOptions.WeightsReading.Whole);
        var command = new Command("mvn", "Fit a multivariate Gaussian by maximum likelihood.\nExample: latent fit mvn --data height_weight.txt --json")
        {
            data, json, modelOut, threads, sampleWeights,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetRequiredValue(data);
            CommonOptions.GetThreads(parse, threads);
            double[,] x = console.ReadData(path);
            double[]? weights = CommonOptions.ReadSampleWeights(console, parse.GetValue(sampleWeights), x.GetLength(0));
            MultivariateGaussian model = Timed(rows => weights is null ? MultivariateGaussian.Fit(rows) : MultivariateGaussian.Fit(rows, Head(weights, rows)), x, out double seconds);
            double score = model.Score(x);
            ModelCommands.SaveIfRequested(model, parse.GetValue(modelOut));
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(new JsonLine().Add("model", "mvn").Add("n", x.GetLength(0)).Add("d", x.GetLength(1))
                    .Add("seconds", seconds).Add("avgLogLikelihood", score)
                    .Add("mean", model.Mean).Add("covariance", model.Covariance));
            }
            else
            {
                console.Out.WriteLine($"Multivariate Gaussian fitted by maximum likelihood to {x.GetLength(0)} rows × {x.GetLength(1)} columns of {path}");
                Format.WriteGaussian(console.Out, model.Mean, model.Covariance, "  ");
                console.Out.WriteLine($"  mean log-likelihood  {Format.Number(score)}");
            }

            return CliApp.Success;
        }));
        return command;
    }
}
