using System.Text;
using System.Text.RegularExpressions;
using LatentModels.Cli;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Cli;

/// <summary>
/// Every command that reads a data file × every kind of bad data file: exit 2, nothing on stdout, exactly one line on
/// stderr naming <c>file:line:column</c> (just the file where the problem has no position: an empty file, a broken
/// gzip stream), no stack trace. The commands run in-process through <see cref="CliApp.Run"/>.
/// </summary>
public sealed partial class BadDataMatrixTests
{
    /// <summary>A bad file: its bytes and the place the error must name (line 0: the file only).</summary>
    public sealed record BadFile(string Name, byte[] Bytes, int Line, int Column)
    {
        public override string ToString() => Name;
    }

    private static BadFile Text(string name, string text, int line, int column) => new(name, Encoding.UTF8.GetBytes(text), line, column);

    /// <summary>The bad files. Binary garbage is seeded random bytes (not an IDX or gzip header); its position is not predicted (-1).</summary>
    public static readonly BadFile[] Files =
    [
        Text("empty", "", 0, 0),
        Text("blank-and-comments", "\n# nothing\n   \n", 0, 0),
        Text("header-only", "x,y\n", 2, 1),
        Text("ragged-short", "1,2\n3,4\n5\n", 3, 2),
        Text("ragged-long", "1,2\n3,4,5\n", 2, 5),
        Text("text-cell", "1,2\n3,abc\n", 2, 3),
        Text("nan", "1,2\nNaN,4\n", 2, 1),
        Text("infinity", "1 2\n3 -Infinity\n", 2, 3),
        Text("overflow", "1,2\n3,1e999\n", 2, 3),
        Text("semicolon-row", "1,2\n3;4\n", 2, 1),
        Text("tab-row", "1,2\n3\t4\n", 2, 1),
        Text("decimal-comma", "1.5;2.5\n3,5;4\n", 2, 1),
        Text("typo-first-row", "1.5,2.O\n3,4\n5,6\n", 1, 5),
        Text("empty-cell", "1,2\n3,\n", 2, 3),
        new("binary-garbage", Garbage(1, 300), -1, -1),
        new("nul-bytes", [(byte)'1', (byte)',', (byte)'2', (byte)'\n', 0, 0, 0, 1, (byte)'\n'], 2, 1),
        new("broken-gzip", [0x1F, 0x8B, 8, 0, 1, 2, 3], 0, 0),
    ];

    private static byte[] Garbage(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xC3; // neither IDX (00 00 08) nor gzip (1F 8B)
        return bytes;
    }

    /// <summary>Each command that reads a data file, with the option that names the bad file.</summary>
    public static IEnumerable<(string Id, string[] Args)> Commands(string goodData, string gmm, string bsc, string dictionary, string bad)
    {
        foreach (CliFit fit in CliCatalog.Fits)
        {
            yield return (fit.Name, [.. fit.Args, "--data", bad]);
        }

        yield return ("score", ["score", "--model", gmm, "--data", bad]);
        yield return ("predict", ["predict", "--model", gmm, "--data", bad]);
        yield return ("transform-bsc", ["transform", "--model", bsc, "--data", bad]);
        yield return ("transform-dictionary", ["transform", "--model", dictionary, "--data", bad]);
        yield return ("sparse-code", ["sparse-code", "--dictionary", dictionary, "--data", bad]);
        yield return ("sparse-code --dictionary", ["sparse-code", "--dictionary", bad, "--data", goodData]);
        yield return ("minibatch-kmeans --sample-weights", ["fit", "minibatch-kmeans", "--k", "2", "--data", goodData, "--sample-weights", bad]);
        yield return ("online-kmeans --sample-weights", ["fit", "online-kmeans", "--k", "2", "--data", goodData, "--sample-weights", bad]);
        yield return ("gmm --means-init", ["fit", "gmm", "--k", "2", "--data", goodData, "--means-init", bad]);
        yield return ("gmm --precisions-init", ["fit", "gmm", "--k", "2", "--data", goodData, "--precisions-init", bad]);
    }

    private static readonly Lazy<string> _directory = new(() =>
    {
        string directory = Directory.CreateTempSubdirectory("latent-bad-data-").FullName;
        double[,] x = CliCatalog.OldFaithful();
        CliCatalog.WriteCsv(Path.Combine(directory, "good.csv"), x);
        ModelJson.Save(new LatentModels.Mixtures.GaussianMixture(new LatentModels.Mixtures.GaussianMixtureOptions { Components = 2, Seed = 1 }).Fit(x).Model, Path.Combine(directory, "gmm.json"));
        ModelJson.Save(new BinarySparseCoding(new BinarySparseCodingOptions { Components = 2, MaxIterations = 5, Seed = 1 }).Fit(x).Model, Path.Combine(directory, "bsc.json"));
        ModelJson.Save(new DictionaryLearning(new DictionaryLearningOptions { Atoms = 2, Alpha = 0.1, MaxIterations = 5, Seed = 1 }).Fit(x).Model, Path.Combine(directory, "dictionary.json"));
        foreach (BadFile file in Files)
        {
            File.WriteAllBytes(Path.Combine(directory, file.Name + ".csv"), file.Bytes);
        }

        return directory;
    });

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach ((string id, _) in Commands("g", "m", "b", "d", "x"))
        {
            foreach (BadFile file in Files)
            {
                data.Add(id, file.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_data_file_gives_exit_2_and_one_line_naming_file_line_column(string command, string fileName)
    {
        string dir = _directory.Value;
        string bad = Path.Combine(dir, fileName + ".csv");
        BadFile file = Files.Single(f => f.Name == fileName);
        string[] args = Commands(Path.Combine(dir, "good.csv"), Path.Combine(dir, "gmm.json"), Path.Combine(dir, "bsc.json"), Path.Combine(dir, "dictionary.json"), bad)
            .Single(c => c.Id == command).Args;
        var run = Run(args);
        string because = $"{string.Join(' ', args)} on {fileName}";
        CliCatalog.ShouldBeOneLineError(run, because);
        string place = file.Line switch
        {
            0 => Regex.Escape(bad) + ": ",
            -1 => Regex.Escape(bad) + @":\d+:\d+: ",
            _ => Regex.Escape($"{bad}:{file.Line}:{file.Column}: "),
        };
        run.Err.Should().MatchRegex("^error: " + place, because);
    }

    [Fact]
    public void The_catalogue_holds_every_fit_verb()
    {
        var fit = CliApp.Build(new CliConsole(TextWriter.Null, TextWriter.Null, default)).Subcommands.Single(c => c.Name == "fit");
        fit.Subcommands.Select(c => c.Name).Should().BeEquivalentTo(CliCatalog.Verbs);
    }
}
