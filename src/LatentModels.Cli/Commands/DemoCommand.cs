using System.CommandLine;
using System.Globalization;
using System.Reflection;
using LatentModels.Mixtures;

namespace LatentModels.Cli;

/// <summary>
/// The <c>latent demo</c> verb: Gaussian mixtures with K = 1…4 fitted to the embedded Old Faithful data, K chosen by
/// BIC, the chosen model printed and drawn as an SVG picture.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The candidate numbers of components.</summary>
    public static readonly int[] Candidates = [1, 2, 3, 4];

    /// <summary>The settings of every demo fit (full covariances, k-means++ starts, fixed seed).</summary>
    public static readonly GaussianMixtureOptions Options = new()
    {
        Covariance = CovarianceType.Full,
        Init = MixtureInit.KMeansPlusPlus,
        Starts = 5,
        MaxIterations = 500,
        Tolerance = 1e-8,
        Seed = 0,
    };

    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--out")
        {
            Description = "Where to write the picture.",
            DefaultValueFactory = _ => "latent-demo.svg",
            HelpName = "PATH",
        };
        var command = new Command("demo",
            "Fit Gaussian mixtures with K = 1…4 to the Old Faithful geyser data (embedded), choose K by BIC, print the\n" +
            "model and draw it (points coloured by component, 1σ and 2σ ellipses) as an SVG picture.\n" +
            "Example: latent demo --out faithful.svg")
        {
            output,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = Path.GetFullPath(parse.GetValue(output)!);
            string? directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                throw new ArgumentException($"--out: the folder {directory} does not exist.");
            }

            double[,] x = OldFaithful();
            GaussianMixtureSelection selection = GaussianMixture.SelectComponentsByBic(x, Candidates, Options, console.CancellationToken);
            Write(console.Out, x, selection);

            GaussianMixtureModel model = selection.Best.Fit.Model;
            int[] labels = model.Predict(x);
            var components = new PlotComponent[model.Components];
            double[] weights = model.Weights;
            double[,] means = model.Means;
            for (int k = 0; k < components.Length; k++)
            {
                components[k] = new PlotComponent([means[k, 0], means[k, 1]], model.GetCovariance(k), weights[k]);
            }

            string svg = SvgScatterPlot.Render(x, labels, components,
                $"Old Faithful: Gaussian mixture, K = {model.Components} chosen by BIC",
                "eruption duration (minutes)", "waiting time to next eruption (minutes)");
            File.WriteAllText(path, svg);
            console.Out.WriteLine();
            console.Out.WriteLine($"Picture written to {path}");
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>The readable summary: BIC per K, then the chosen model.</summary>
    public static void Write(TextWriter output, double[,] x, GaussianMixtureSelection selection)
    {
        output.WriteLine("Old Faithful geyser: 272 eruptions (duration in minutes, waiting time to the next in minutes).");
        output.WriteLine("Data: Azzalini & Bowman (1990), R datasets::faithful.");
        output.WriteLine();
        output.WriteLine("Gaussian mixtures (full covariance, EM from 5 k-means++ starts), chosen by BIC (lower is better):");
        output.WriteLine("   K        BIC   mean log-likelihood   iterations");
        foreach (GaussianMixtureCandidate c in selection.Candidates)
        {
            string mark = c.Components == selection.Best.Components ? "  <- chosen" : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Components,2} {c.Bic,10:F2}   {c.Fit.Model.Score(x),19:F6}   {c.Fit.Report.Iterations,10}{mark}"));
        }

        GaussianMixtureModel model = selection.Best.Fit.Model;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"K = {model.Components}: mean log-likelihood {model.Score(x):F6}, {selection.Best.Fit.Report.Iterations} iterations, " +
            $"converged: {(selection.Best.Fit.Report.Converged ? "yes" : "no")}"));
        double[] weights = model.Weights;
        double[,] means = model.Means;
        for (int k = 0; k < model.Components; k++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  component {k + 1}: weight {weights[k]:F4}"));
            Format.WriteGaussian(output, [means[k, 0], means[k, 1]], model.GetCovariance(k), "    ");
        }
    }

    /// <summary>The embedded Old Faithful data, 272 × 2.</summary>
    public static double[,] OldFaithful()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("LatentModels.Cli.Data.old_faithful.txt")
            ?? throw new InvalidOperationException("The embedded Old Faithful data is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return DataFile.Read(reader, "old_faithful.txt");
    }
}
