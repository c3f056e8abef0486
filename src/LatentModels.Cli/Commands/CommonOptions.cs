using System.CommandLine;

namespace LatentModels.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "Numeric data file: CSV or whitespace-separated, one observation per line, optional header line.",
        Required = true,
        HelpName = "FILE",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object, as the last line of stdout, instead of the readable summary.",
    };

    public static Option<int?> Seed() => new("--seed")
    {
        Description = "Seed of every random choice (same seed, same result).",
        HelpName = "S",
    };

    public static Option<string?> ModelOut() => new("--model-out")
    {
        Description = "Save the fitted model as JSON to this file (for 'latent score', 'predict' and 'sample').",
        HelpName = "M.json",
    };
}
