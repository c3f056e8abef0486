namespace LatentModels.Tests;

/// <summary>
/// Tests that must not run at the same time as any other test: process-wide allocation counts, and tests that need the
/// kernel's worker pool free (a call made while another test's job holds the pool runs inline).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serial (process-wide measurements, worker pool)";
}
