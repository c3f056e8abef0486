using System.Globalization;
using System.Text;
using LatentModels.Cli;
using LatentModels.Tests.Mixtures;

namespace LatentModels.Tests.Cli;

/// <summary>The kind of data a fit command needs.</summary>
internal enum CliDataKind
{
    /// <summary>One real column.</summary>
    OneColumn,

    /// <summary>Real columns.</summary>
    Real,

    /// <summary>0/1 columns.</summary>
    Binary,

    /// <summary>Integer codes.</summary>
    Codes,
}

/// <summary>One way of running a fit command: its flags (besides --data), the data it needs and the files it can write.</summary>
/// <param name="Name">A readable id (the verb, with the mode when there are several).</param>
/// <param name="Args">The arguments after <c>latent</c>, without <c>--data</c>.</param>
/// <param name="Kind">The data it needs.</param>
/// <param name="Labels">Whether it takes <c>--labels-out</c>.</param>
/// <param name="State">Whether it takes <c>--state-out</c>.</param>
internal sealed record CliFit(string Name, string[] Args, CliDataKind Kind, bool Labels = false, bool State = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every fit command of the CLI (one row per mode), the data each needs, and small seeded data sets, for the generated
/// CLI tests (bad data files, option errors, determinism over threads, hostile model files). A new fit command must be
/// added here; <see cref="CliCatalogTests"/> fails until it is.
/// </summary>
internal static class CliCatalog
{
    public static readonly CliFit[] Fits =
    [
        new("gaussian", ["fit", "gaussian"], CliDataKind.OneColumn),
        new("mvn", ["fit", "mvn"], CliDataKind.Real),
        new("gmm", ["fit", "gmm", "--k", "3", "--seed", "3"], CliDataKind.Real, Labels: true),
        new("gmm-map-diag", ["fit", "gmm", "--k", "3", "--covariance", "diag", "--prior", "default", "--seed", "3"], CliDataKind.Real, Labels: true),
        new("online-gmm", ["fit", "online-gmm", "--k", "3", "--passes", "3", "--seed", "3"], CliDataKind.Real),
        new("online-gmm-stream", ["fit", "online-gmm", "--k", "3", "--mode", "stream", "--batch-size", "64", "--seed", "3"], CliDataKind.Real, State: true),
        new("kmeans", ["fit", "kmeans", "--k", "3", "--seed", "3"], CliDataKind.Real, Labels: true),
        new("online-kmeans", ["fit", "online-kmeans", "--k", "3", "--batch-size", "64", "--seed", "3"], CliDataKind.Real, State: true),
        new("minibatch-kmeans", ["fit", "minibatch-kmeans", "--k", "3", "--batch-size", "128", "--seed", "3"], CliDataKind.Real, Labels: true),
        new("bernoulli-mixture", ["fit", "bernoulli-mixture", "--k", "3", "--seed", "3"], CliDataKind.Binary, Labels: true),
        new("categorical-mixture", ["fit", "categorical-mixture", "--k", "3", "--seed", "3"], CliDataKind.Codes, Labels: true),
        new("vb-gmm", ["fit", "vb-gmm", "--k", "3", "--seed", "3"], CliDataKind.Real),
        new("binary-sparse-coding", ["fit", "binary-sparse-coding", "--components", "3", "--max-iter", "15", "--seed", "3"], CliDataKind.Real),
        new("dictionary", ["fit", "dictionary", "--atoms", "3", "--alpha", "0.1", "--max-iter", "15", "--seed", "3"], CliDataKind.Real),
        new("dictionary-online", ["fit", "dictionary", "--atoms", "3", "--alpha", "0.1", "--batch-size", "64", "--seed", "3"], CliDataKind.Real),
        new("vb-bernoulli-mixture", ["fit", "vb-bernoulli-mixture", "--k", "3", "--seed", "3"], CliDataKind.Binary, Labels: true),
        new("vb-categorical-mixture", ["fit", "vb-categorical-mixture", "--k", "3", "--seed", "3"], CliDataKind.Codes, Labels: true),
        new("svi-gmm", ["fit", "svi-gmm", "--k", "3", "--batch-size", "128", "--epochs", "2", "--seed", "3"], CliDataKind.Real, State: true),
        new("vae", ["fit", "vae", "--hidden", "8", "--latent", "2", "--epochs", "2", "--batch-size", "50", "--seed", "3"], CliDataKind.Binary),
    ];

    /// <summary>The fit verbs of the catalogue.</summary>
    public static IEnumerable<string> Verbs => Fits.Select(f => f.Args[1]).Distinct();

    /// <summary>Seeded data of a kind: three blobs in <paramref name="d"/> dimensions (real), Bernoulli prototypes (binary), or codes in 0…3.</summary>
    public static double[,] Data(CliDataKind kind, int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, kind == CliDataKind.OneColumn ? 1 : d];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            for (int j = 0; j < x.GetLength(1); j++)
            {
                x[i, j] = kind switch
                {
                    CliDataKind.Binary => random.NextDouble() < ((j + c) % 3 == 0 ? 0.85 : 0.15) ? 1 : 0,
                    CliDataKind.Codes => random.NextDouble() < 0.7 ? (j + c) % 4 : random.Next(4),
                    _ => (4.0 * ((j + c) % 3)) + (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5),
                };
            }
        }

        return x;
    }

    /// <summary>Writes a matrix as CSV (round-trip numbers).</summary>
    public static string WriteCsv(string path, double[,] x)
    {
        var text = new StringBuilder();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                text.Append(j > 0 ? "," : string.Empty).Append(x[i, j].ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>Asserts the contract of a rejected run: exit 2, nothing on stdout, one line on stderr starting "error: ", no stack trace.</summary>
    public static void ShouldBeOneLineError((int Code, string Out, string Err) run, string because)
    {
        run.Code.Should().Be(CliApp.BadInput, $"{because}: {run.Err}");
        run.Out.Should().BeEmpty(because);
        run.Err.Should().EndWith(Environment.NewLine, because).And.StartWith("error: ", because);
        run.Err.TrimEnd('\n', '\r').Should().NotContain("\n", because).And.NotContain("\r", because);
        run.Err.Should().NotContain("   at ", because).And.NotContain("Exception", because);
    }

    /// <summary>A small real data set as in <see cref="MixtureTestData.OldFaithful"/>, for model files of dimension 2.</summary>
    public static double[,] OldFaithful() => MixtureTestData.OldFaithful();
}
