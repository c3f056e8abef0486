using System.Text.RegularExpressions;

namespace LatentModels.Tests.Docs;

/// <summary>
/// The structural rules of docs/architecture.md, checked on the source tree: SIMD only in LinearAlgebra/, the covariance
/// type switched on only by the covariance forms (and their factory), and the architecture page present.
/// </summary>
public class ArchitectureRulesTests
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

    private static IEnumerable<(string Path, string Text)> LibrarySources()
    {
        string library = Path.Combine(RepositoryRoot(), "src", "LatentModels");
        return Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(library, f).Replace('\\', '/'), File.ReadAllText(f)));
    }

    [Fact]
    public void Simd_types_and_intrinsics_appear_only_in_LinearAlgebra()
    {
        var simd = new Regex(@"\bVector(128|256|512)\b|System\.Runtime\.Intrinsics");
        List<(string Path, string Text)> sources = LibrarySources().ToList();
        sources.Should().HaveCountGreaterThan(50, "the library's sources are found");
        sources.Where(s => !s.Path.StartsWith("LinearAlgebra/", StringComparison.Ordinal) && simd.IsMatch(s.Text))
            .Select(s => s.Path).Should().BeEmpty();
        sources.Count(s => s.Path.StartsWith("LinearAlgebra/", StringComparison.Ordinal) && simd.IsMatch(s.Text))
            .Should().BeGreaterThan(5, "the kernel itself is vectorised");
    }

    [Fact]
    public void Only_the_covariance_forms_branch_on_the_covariance_type()
    {
        // Naming a value (a default, a JSON name) is fine; switching or comparing on it is a branch.
        var branch = new Regex(@"(case\s+CovarianceType\.|[=!]=\s*CovarianceType\.|\bis\s+(not\s+)?CovarianceType\.|CovarianceType\.\w+\s*=>)");
        LibrarySources()
            .Where(s => !s.Path.StartsWith("Mixtures/Gaussian/", StringComparison.Ordinal) && branch.IsMatch(s.Text))
            .Select(s => s.Path).Should().BeEmpty();
    }

    [Fact]
    public void The_architecture_page_names_every_source_folder()
    {
        string root = RepositoryRoot();
        string page = File.ReadAllText(Path.Combine(root, "docs", "architecture.md"));
        foreach (string folder in Directory.EnumerateDirectories(Path.Combine(root, "src", "LatentModels"))
                     .Select(Path.GetFileName).OfType<string>().Where(n => n is not ("bin" or "obj")))
        {
            page.Should().Contain(folder + "/", $"docs/architecture.md describes the folder {folder}/");
        }
    }
}
