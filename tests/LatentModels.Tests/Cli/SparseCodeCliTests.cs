using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentModels.Cli;
using LatentModels.SparseCoding;
using LatentModels.Tests.SparseCoding;

namespace LatentModels.Tests.Cli;

public class SparseCodeCliTests
{
    internal static string WriteCsv(string directory, string name, double[,] values)
    {
        var text = new StringBuilder();
        for (int i = 0; i < values.GetLength(0); i++)
        {
            text.AppendJoin(',', Enumerable.Range(0, values.GetLength(1)).Select(j => values[i, j].ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Theory]
    [InlineData("cd", SparseCodingAlgorithm.CoordinateDescent)]
    [InlineData("lars", SparseCodingAlgorithm.Lars)]
    [InlineData("fista", SparseCodingAlgorithm.Fista)]
    [InlineData("omp", SparseCodingAlgorithm.OrthogonalMatchingPursuit)]
    public void Sparse_code_prints_the_mean_objective_and_writes_the_codes(string name, SparseCodingAlgorithm algorithm)
    {
        string dir = Directory.CreateTempSubdirectory("latent-sparse-").FullName;
        double[,] dictionary = SparseCodingTestData.Dictionary(20, 10, seed: 1);
        double[,] x = SparseCodingTestData.Signals(dictionary, 50, 3, 0.05, seed: 2);
        string data = WriteCsv(dir, "x.csv", x), atoms = WriteCsv(dir, "d.csv", dictionary), codesPath = Path.Combine(dir, "z.csv");
        var (code, stdout, stderr) = CliTests.Run("sparse-code", "--data", data, "--dictionary", atoms, "--alpha", "0.1", "--algorithm", name,
            "--nonzeros", "3", "--codes-out", codesPath, "--json");
        code.Should().Be(0, stderr);
        JsonElement json = CliTests.LastJson(stdout);
        var coder = new SparseCoder(dictionary, new SparseCoderOptions { Alpha = 0.1, Algorithm = algorithm, Nonzeros = 3 });
        double[,] expected = coder.Transform(x);
        json.GetProperty("objective").GetDouble().Should().Be(coder.Objective(x, expected));
        json.GetProperty("meanNonzeros").GetDouble().Should().Be(expected.Cast<double>().Count(v => v != 0) / 50.0);
        json.GetProperty("seconds").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("n").GetInt32().Should().Be(50);
        json.GetProperty("atoms").GetInt32().Should().Be(20);
        double[][] written = File.ReadAllLines(codesPath).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        written.Should().HaveCount(50);
        for (int i = 0; i < 50; i++)
        {
            written[i].Should().Equal(SparseCodingTestData.Row(expected, i));
        }

        var text = CliTests.Run("sparse-code", "--data", data, "--dictionary", atoms, "--alpha", "0.1", "--algorithm", name, "--nonzeros", "3");
        text.Code.Should().Be(0);
        text.Out.Should().Contain("objective");
    }

    [Fact]
    public void Positive_codes_and_bad_input()
    {
        string dir = Directory.CreateTempSubdirectory("latent-sparse-").FullName;
        double[,] dictionary = SparseCodingTestData.Dictionary(12, 6, seed: 3);
        double[,] x = SparseCodingTestData.Signals(dictionary, 30, 2, 0.05, seed: 4);
        string data = WriteCsv(dir, "x.csv", x), atoms = WriteCsv(dir, "d.csv", dictionary), codesPath = Path.Combine(dir, "z.csv");
        var run = CliTests.Run("sparse-code", "--data", data, "--dictionary", atoms, "--alpha", "0.05", "--positive", "--codes-out", codesPath, "--json");
        run.Code.Should().Be(0, run.Err);
        CliTests.LastJson(run.Out).GetProperty("positive").GetBoolean().Should().BeTrue();
        File.ReadAllLines(codesPath).SelectMany(l => l.Split(',')).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Should().OnlyContain(v => v >= 0);

        var negative = CliTests.Run("sparse-code", "--data", data, "--dictionary", atoms, "--alpha", "-1");
        negative.Code.Should().Be(CliApp.BadInput);
        negative.Err.Should().StartWith("error: --alpha").And.NotContain("Alpha");
        string narrow = WriteCsv(dir, "narrow.csv", new double[,] { { 1, 2 }, { 3, 4 } });
        var mismatch = CliTests.Run("sparse-code", "--data", narrow, "--dictionary", atoms, "--alpha", "0.1");
        mismatch.Code.Should().Be(CliApp.BadInput);
        mismatch.Err.Should().Contain("2 columns");
        CliTests.Run("sparse-code", "--data", data, "--dictionary", atoms, "--algorithm", "omp", "--positive").Code.Should().Be(CliApp.BadInput);
        CliTests.Run("sparse-code", "--data", data, "--dictionary", Path.Combine(dir, "missing.csv")).Code.Should().Be(CliApp.BadInput);
    }
}
