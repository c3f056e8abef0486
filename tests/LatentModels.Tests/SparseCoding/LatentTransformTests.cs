using System.Globalization;
using LatentModels.Cli;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.SparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary><see cref="ILatentTransform"/> on the sparse coders and models, and <c>latent transform</c> on a saved dictionary.</summary>
public sealed class LatentTransformTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"latent-lt-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_interface_gives_the_same_codes_as_each_models_own_transform()
    {
        double[,] atoms = Dictionary(5, 7, 11);
        double[,] x = Signals(atoms, 40, 2, 0.05, 12);

        var coder = new SparseCoder(atoms, new SparseCoderOptions { Alpha = 0.1 });
        ILatentTransform asCoder = coder;
        asCoder.Dimension.Should().Be(7);
        asCoder.LatentDimension.Should().Be(5);
        asCoder.Transform(x).Should().BeEquivalentTo(coder.Transform(x), o => o.WithStrictOrdering());

        var dictionary = new DictionaryModel(atoms, 0.1);
        ILatentTransform asDictionary = dictionary;
        asDictionary.LatentDimension.Should().Be(5);
        asDictionary.Transform(x).Should().BeEquivalentTo(dictionary.Transform(x), o => o.WithStrictOrdering());

        var bsc = new BinarySparseCodingModel(atoms, [-1.0, -0.5, 0, 0.5, 1.0], Enumerable.Repeat(0.2, 7).ToArray());
        ILatentTransform asBsc = bsc;
        asBsc.Dimension.Should().Be(7);
        asBsc.LatentDimension.Should().Be(5);
        asBsc.Transform(x).Should().BeEquivalentTo(bsc.Transform(x), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Transform_verb_codes_a_saved_dictionary_model_at_its_alpha()
    {
        double[,] atoms = Dictionary(5, 7, 3);
        double[,] x = Signals(atoms, 30, 2, 0.05, 4);
        var model = new DictionaryModel(atoms, 0.2);
        string modelPath = Path.Combine(_directory, "dictionary.json");
        ModelJson.Save(model, modelPath);
        string dataPath = Path.Combine(_directory, "x.csv");
        File.WriteAllLines(dataPath, Enumerable.Range(0, 30).Select(i =>
            string.Join(",", Enumerable.Range(0, 7).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture)))));

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        CliApp.Run(["transform", "--model", modelPath, "--data", dataPath], stdout, stderr).Should().Be(0, stderr.ToString());
        string[] lines = stdout.ToString().TrimEnd().Split('\n');
        lines.Should().HaveCount(31);
        lines[0].Should().Be("z0,z1,z2,z3,z4");
        double[,] codes = model.Transform(x);
        for (int i = 0; i < 30; i++)
        {
            double[] row = lines[i + 1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            row.Should().Equal(Enumerable.Range(0, 5).Select(k => codes[i, k]), $"row {i}");
            // against a brute-force lasso that shares no code with the library
            double[] reference = BruteForceLasso(atoms, Row(x, i), 0.2);
            (Objective(atoms, Row(x, i), row, 0.2) - Objective(atoms, Row(x, i), reference, 0.2)).Should().BeLessThan(1e-9, $"row {i}");
        }

        var narrow = Path.Combine(_directory, "narrow.csv");
        File.WriteAllLines(narrow, ["1,2", "3,4"]);
        var err = new StringWriter();
        CliApp.Run(["transform", "--model", modelPath, "--data", narrow], new StringWriter(), err).Should().Be(CliApp.BadInput);
        err.ToString().Should().Contain("dimension 7");
    }
}
