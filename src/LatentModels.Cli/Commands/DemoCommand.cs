using System.CommandLine;
using System.Reflection;
using LatentModels.Distributions;

namespace LatentModels.Cli;

/// <summary>The <c>latent demo</c> verb: a model fitted to the embedded Old Faithful data.</summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("demo", "Fit a model to the Old Faithful geyser data (embedded) and print it.\nExample: latent demo");
        command.SetAction(_ => console.Guard(() =>
        {
            double[,] x = OldFaithful();
            MultivariateGaussian model = MultivariateGaussian.Fit(x);
            console.Out.WriteLine("Old Faithful geyser: 272 eruptions (duration in minutes, waiting time to the next in minutes).");
            console.Out.WriteLine("Data: Azzalini & Bowman (1990), R datasets::faithful.");
            console.Out.WriteLine();
            console.Out.WriteLine("A multivariate Gaussian fitted by maximum likelihood:");
            Format.WriteGaussian(console.Out, model.Mean, model.Covariance, "  ");
            console.Out.WriteLine($"  mean log-likelihood  {Format.Number(model.Score(x))}");
            return CliApp.Success;
        }));
        return command;
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
