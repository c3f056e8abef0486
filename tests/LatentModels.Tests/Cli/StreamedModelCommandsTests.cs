using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentModels.Persistence;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// <c>predict</c> (every clustering model) and <c>score</c> (Gaussian mixtures, variational Gaussian mixtures, K-Means)
/// stream the data file: on a file of more than one 16,384-row chunk their output is, byte for byte and bit for bit, what
/// the loaded file gave — the library's calls on the whole array.
/// </summary>
public sealed class StreamedModelCommandsTests : IDisposable
{
    private const int Rows = 20_000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-streamed-model-{Guid.NewGuid():N}");

    public StreamedModelCommandsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Models() => ["gmm", "gmm-map-diag", "kmeans", "online-kmeans", "bernoulli-mixture", "categorical-mixture", "vb-gmm", "vb-bernoulli-mixture", "vb-categorical-mixture", "svi-gmm"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_and_score_of_a_streamed_file_are_the_in_memory_output(string fitName)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == fitName);
        double[,] x = CliCatalog.Data(fit.Kind, Rows, 4, 17);
        string csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), x), model = Path.Combine(_directory, "m.json");
        string[] save = fit.State ? ["--state-out", model] : ["--model-out", model];
        var fitted = Run([.. fit.Args, "--data", csv, .. save]);
        fitted.Code.Should().Be(0, fitted.Err);
        object loaded = ModelJson.Load(model) switch
        {
            LatentModels.Clustering.OnlineKMeans online => online.Snapshot(),
            LatentModels.Variational.StreamingVariationalGaussianMixture svi => svi.Snapshot(),
            object m => m,
        };

        bool soft = loaded is ISoftClusteringModel;
        var predicted = Run(["predict", "--model", model, "--data", csv, .. soft ? new[] { "--probabilities" } : []]);
        predicted.Code.Should().Be(0, predicted.Err);
        predicted.Out.Should().Be(ExpectedPredictions((IClusteringModel)loaded, x, soft), "streamed predict writes what the loaded file gave");

        var scored = Run("score", "--model", model, "--data", csv, "--json");
        scored.Code.Should().Be(0, scored.Err);
        JsonElement json = LastJson(scored.Out);
        json.GetProperty("n").GetInt32().Should().Be(Rows);
        json.GetProperty("d").GetInt32().Should().Be(4);
        if (loaded is LatentModels.Clustering.KMeansModel kmeans)
        {
            BitConverter.DoubleToInt64Bits(json.GetProperty("inertia").GetDouble()).Should().Be(BitConverter.DoubleToInt64Bits(-kmeans.Score(x)));
        }
        else
        {
            BitConverter.DoubleToInt64Bits(json.GetProperty("avgLogLikelihood").GetDouble()).Should().Be(BitConverter.DoubleToInt64Bits(((IDensityModel)loaded).Score(x)));
        }

        var wrongWidth = Run("predict", "--model", model, "--data", CliCatalog.WriteCsv(Path.Combine(_directory, "w.csv"), CliCatalog.Data(fit.Kind, 50, 3, 1)));
        wrongWidth.Code.Should().Be(2);
        wrongWidth.Out.Should().BeEmpty();
        wrongWidth.Err.Should().Contain("has 3 columns but the model has dimension 4");
    }

    public static TheoryData<string> OtherScoredModels() => ["gaussian", "mvn", "binary-sparse-coding", "vae", "online-gmm"];

    /// <summary>
    /// <c>score</c> of the models that are not clustering models (or whose score is not a log-likelihood) on a streamed file
    /// of two chunks: the library's calls on the whole array, bit for bit (the VAE's draws included).
    /// </summary>
    [Theory]
    [MemberData(nameof(OtherScoredModels))]
    public void Score_of_a_streamed_file_is_the_in_memory_score(string fitName)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == fitName);
        int d = fit.Kind == CliDataKind.OneColumn ? 1 : 4;
        double[,] x = CliCatalog.Data(fit.Kind, Rows, d, 23);
        string csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), x), model = Path.Combine(_directory, "m.json");
        string small = CliCatalog.WriteCsv(Path.Combine(_directory, "small.csv"), CliCatalog.Data(fit.Kind, 400, d, 29));
        var fitted = Run([.. fit.Args, "--data", small, "--model-out", model]);
        fitted.Code.Should().Be(0, fitted.Err);
        object loaded = ModelJson.Load(model);
        var scored = Run("score", "--model", model, "--data", csv, "--json", "--iwae-samples", "3", "--seed", "5");
        scored.Code.Should().Be(0, scored.Err);
        JsonElement json = LastJson(scored.Out);
        json.GetProperty("n").GetInt32().Should().Be(Rows);
        json.GetProperty("d").GetInt32().Should().Be(d);
        static long Bits(JsonElement e) => BitConverter.DoubleToInt64Bits(e.GetDouble());
        switch (loaded)
        {
            case LatentModels.SparseCoding.BinarySparseCodingModel bsc:
                Bits(json.GetProperty("elbo")).Should().Be(BitConverter.DoubleToInt64Bits(bsc.Elbo(x).Average()));
                Bits(json.GetProperty("exactLogLikelihood")).Should().Be(BitConverter.DoubleToInt64Bits(bsc.ExactLogLikelihood(x).Average()));
                break;
            case LatentModels.NeuralNetworks.VariationalAutoencoderModel vae:
                var random = new Random(5);
                Bits(json.GetProperty("negElbo")).Should().Be(BitConverter.DoubleToInt64Bits(vae.AnomalyScores(x, random).Average()));
                Bits(json.GetProperty("iwaeLogLikelihood")).Should().Be(BitConverter.DoubleToInt64Bits(vae.ImportanceWeightedLogLikelihood(x, 3, random).Average()));
                json.GetProperty("iwaeSamples").GetInt32().Should().Be(3);
                break;
            default:
                Bits(json.GetProperty("avgLogLikelihood")).Should().Be(BitConverter.DoubleToInt64Bits(((IDensityModel)loaded).Score(x)));
                break;
        }
    }

    [Fact]
    public void A_bad_row_after_the_first_chunk_fails_predict_before_any_output_and_names_its_line()
    {
        double[,] x = CliCatalog.Data(CliDataKind.Real, Rows, 2, 5);
        string csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), x), model = Path.Combine(_directory, "m.json");
        Run("fit", "kmeans", "--data", csv, "--k", "2", "--model-out", model).Code.Should().Be(0);
        string[] lines = File.ReadAllLines(csv);
        lines[18_000] = "1.5,abc";
        string bad = Path.Combine(_directory, "bad.csv");
        File.WriteAllLines(bad, lines);
        foreach (string verb in new[] { "predict", "score" })
        {
            var run = Run(verb, "--model", model, "--data", bad);
            run.Code.Should().Be(2, verb);
            run.Out.Should().BeEmpty(verb);
            run.Err.Should().StartWith($"error: {bad}:18001:5: ", verb);
        }
    }

    [Theory]
    [InlineData("cd")]
    [InlineData("lars")]
    [InlineData("fista")]
    [InlineData("omp")]
    public void Sparse_code_of_a_streamed_file_prints_and_writes_the_in_memory_codes(string algorithm)
    {
        double[,] x = CliCatalog.Data(CliDataKind.Real, Rows, 4, 23);
        double[,] atoms = { { 1, 0.5, 0, 0.2 }, { 0, 1, 1, 0 }, { 0.3, 0, 1, 1 }, { 1, 1, 1, 1 }, { -1, 0, 0.5, 0 } };
        string csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), x), dictionary = CliCatalog.WriteCsv(Path.Combine(_directory, "atoms.csv"), atoms);
        string codesOut = Path.Combine(_directory, "codes.csv");
        var coder = new LatentModels.SparseCoding.SparseCoder(atoms, new LatentModels.SparseCoding.SparseCoderOptions
        {
            Alpha = 0.2,
            Algorithm = algorithm switch
            {
                "lars" => LatentModels.SparseCoding.SparseCodingAlgorithm.Lars,
                "fista" => LatentModels.SparseCoding.SparseCodingAlgorithm.Fista,
                "omp" => LatentModels.SparseCoding.SparseCodingAlgorithm.OrthogonalMatchingPursuit,
                _ => LatentModels.SparseCoding.SparseCodingAlgorithm.CoordinateDescent,
            },
            Nonzeros = algorithm == "omp" ? 2 : null,
        });
        double[,] codes = coder.Transform(x);
        string[] budget = algorithm == "omp" ? ["--nonzeros", "2"] : [];
        var run = Run(["sparse-code", "--data", csv, "--dictionary", dictionary, "--alpha", "0.2", "--algorithm", algorithm, .. budget, "--codes-out", codesOut, "--json"]);
        run.Code.Should().Be(0, run.Err);
        JsonElement json = LastJson(run.Out);
        json.GetProperty("n").GetInt32().Should().Be(Rows);
        BitConverter.DoubleToInt64Bits(json.GetProperty("objective").GetDouble()).Should().Be(BitConverter.DoubleToInt64Bits(coder.Objective(x, codes)));
        json.GetProperty("meanNonzeros").GetDouble().Should().Be((double)codes.Cast<double>().Count(v => v != 0) / Rows);
        var expected = new StringWriter();
        LatentModels.Cli.Format.WriteCsvRows(expected, codes);
        File.ReadAllText(codesOut).Should().Be(expected.ToString());
    }

    [Theory]
    [InlineData("dictionary")]
    [InlineData("binary-sparse-coding")]
    public void Transform_of_a_streamed_file_writes_the_in_memory_codes(string fitName)
    {
        CliFit fit = CliCatalog.Fits.Single(f => f.Name == fitName);
        double[,] x = CliCatalog.Data(fit.Kind, Rows, 4, 29);
        double[,] small = CliCatalog.Data(fit.Kind, 300, 4, 29);
        string csv = CliCatalog.WriteCsv(Path.Combine(_directory, "x.csv"), x), model = Path.Combine(_directory, "m.json");
        var fitted = Run([.. fit.Args, "--data", CliCatalog.WriteCsv(Path.Combine(_directory, "small.csv"), small), "--model-out", model]);
        fitted.Code.Should().Be(0, fitted.Err);
        var transform = (ILatentTransform)ModelJson.Load(model);
        var run = Run("transform", "--model", model, "--data", csv);
        run.Code.Should().Be(0, run.Err);
        string prefix = fitName == "dictionary" ? "z" : "h";
        var expected = new StringBuilder(string.Join(",", Enumerable.Range(0, transform.LatentDimension).Select(i => $"{prefix}{i}"))).Append('\n');
        run.Out.Should().Be(LatentModels.Cli.Format.AppendCsvRows(expected, transform.Transform(x)).ToString());
    }

    /// <summary>The output of the loaded-file predict: a header, then each row's label (and probabilities).</summary>
    private static string ExpectedPredictions(IClusteringModel model, double[,] x, bool soft)
    {
        int[] labels = model.Predict(x);
        double[,]? p = soft ? ((ISoftClusteringModel)model).PredictProbabilities(x) : null;
        var output = new StringBuilder("label");
        for (int k = 0; p is not null && k < p.GetLength(1); k++)
        {
            output.Append(CultureInfo.InvariantCulture, $",p{k}");
        }

        output.Append('\n');
        for (int i = 0; i < labels.Length; i++)
        {
            output.Append(labels[i].ToString(CultureInfo.InvariantCulture));
            for (int k = 0; p is not null && k < p.GetLength(1); k++)
            {
                output.Append(',').Append(p[i, k].ToString("R", CultureInfo.InvariantCulture));
            }

            output.Append('\n');
        }

        return output.ToString();
    }
}
