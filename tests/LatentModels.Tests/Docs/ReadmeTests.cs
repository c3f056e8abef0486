using System.Text.RegularExpressions;

namespace LatentModels.Tests.Docs;

/// <summary>The README's example is the QuickStart sample, which CI also builds against the packed library.</summary>
public class ReadmeTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LatentModels.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (LatentModels.sln) is not above the test binaries.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").Trim();

    [Fact]
    public void Readme_example_is_the_quickstart_sample()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Match block = Regex.Match(readme, "## Fifteen lines.*?```csharp\n(.*?)```", RegexOptions.Singleline);
        block.Success.Should().BeTrue("the README has a C# example under '## Fifteen lines'");
        string sample = File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "Program.cs"));
        Normalize(block.Groups[1].Value).Should().Be(Normalize(sample));
    }

    [Fact]
    public void Readme_starts_with_the_demo_and_test_commands_in_their_own_code_blocks()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var blocks = Regex.Matches(readme, "```bash\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        blocks.Should().HaveCountGreaterThanOrEqualTo(2);
        blocks[0].Should().Be("dotnet run -c Release --project src/LatentModels.Cli -- demo");
        blocks[1].Should().Be("dotnet test");
    }
}
