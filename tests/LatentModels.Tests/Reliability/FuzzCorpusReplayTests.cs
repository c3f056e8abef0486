using LatentModels.Fuzz;
using LatentModels.Persistence;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Replays the fuzzing corpus (<c>tests/fuzz-corpus/&lt;target&gt;/</c>: the seeds and every crash the fuzzer found) through
/// the very target code the SharpFuzz harness runs (<see cref="FuzzTargets"/>, compiled into this project too), so CI
/// keeps every fuzz finding fixed without a fuzzer: each file either reads or fails with its reader's documented exception,
/// within the target's allocation allowance.
/// </summary>
public class FuzzCorpusReplayTests
{
    internal static string CorpusFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "fuzz-corpus");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("tests/fuzz-corpus was not found above " + AppContext.BaseDirectory);
        }
    }

    public static TheoryData<string> Targets => new(FuzzTargets.All);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_file_reads_or_fails_with_the_documented_exception(string target)
    {
        string[] files = Directory.GetFiles(Path.Combine(CorpusFolder, target)).Order(StringComparer.Ordinal).ToArray();
        files.Should().NotBeEmpty($"the {target} corpus has seeds");
        int read = 0, rejected = 0;
        foreach (string file in files)
        {
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(file));
                read++;
            }
            catch (Exception e) when (FuzzTargets.IsDocumented(target, e))
            {
                e.Message.Should().NotBeNullOrWhiteSpace();
                rejected++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{target}: {Path.GetFileName(file)} broke the target: {e}");
            }
        }

        read.Should().BeGreaterThan(0, "the seeds include valid files");
        (read + rejected).Should().Be(files.Length);
    }

    [Fact]
    public void The_model_corpus_holds_a_valid_file_of_every_format()
    {
        var formats = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(Path.Combine(CorpusFolder, FuzzTargets.Model), "*.json"))
        {
            try
            {
                formats.Add(ModelJson.FormatName(ModelJson.Load(File.OpenRead(file))));
            }
            catch (ModelFormatException)
            {
                // A crash input kept as a regression: checked by the replay above.
            }
        }

        formats.Should().BeEquivalentTo(ModelCodecs.All.Select(c => c.FormatName), "a new codec needs a seed in tests/fuzz-corpus/model");
    }

    /// <summary>
    /// The fuzzer's first model finding, generalised: a byte that is not UTF-8 inside any string of any kind's file loads
    /// or fails only with <see cref="ModelFormatException"/>; inside a string value (the format name, enums, base64
    /// weights) it is always rejected. (Inside a field name it makes an unknown field, which is ignored, or a missing one.)
    /// The parser checks only the structure; the strings are decoded when a field is read.
    /// </summary>
    [Fact]
    public void Invalid_utf8_inside_any_string_of_any_kind_is_a_model_format_error()
    {
        int values = 0;
        foreach (string kind in LatentModels.Tests.Persistence.RobustnessTests.AllKinds)
        {
            byte[] json = System.Text.Encoding.UTF8.GetBytes(ModelJson.Serialize(LatentModels.Tests.Persistence.RobustnessTests.Create(kind)));
            bool inside = false, value = false;
            for (int i = 0; i < json.Length; i++)
            {
                if (json[i] == (byte)'"')
                {
                    inside = !inside;
                    int before = i - 1;
                    while (before >= 0 && json[before] is (byte)' ' or (byte)'\n' or (byte)'\r')
                    {
                        before--;
                    }

                    value = inside && before >= 0 && json[before] is (byte)':' or (byte)'[';
                    continue;
                }

                if (!inside || json[i - 1] != (byte)'"')
                {
                    continue;
                }

                foreach (byte bad in new byte[] { 0xFF, 0xC3, 0x80 })
                {
                    byte[] edited = (byte[])json.Clone();
                    edited[i] = bad;
                    try
                    {
                        ModelJson.Load(new MemoryStream(edited));
                        value.Should().BeFalse($"{kind}: byte 0x{bad:x2} at {i} is inside a string value");
                    }
                    catch (ModelFormatException)
                    {
                        values += value ? 1 : 0;
                    }
                }
            }
        }

        values.Should().BeGreaterThan(100);
    }

    [Fact]
    public void An_undocumented_exception_or_an_allocation_beyond_the_allowance_is_a_finding()
    {
        FuzzTargets.IsDocumented(FuzzTargets.Model, new ModelFormatException("x")).Should().BeTrue();
        FuzzTargets.IsDocumented(FuzzTargets.Model, new InvalidOperationException("x")).Should().BeFalse();
        FuzzTargets.IsDocumented(FuzzTargets.IdxImages, new InvalidDataException("x")).Should().BeTrue();
        FuzzTargets.IsDocumented(FuzzTargets.IdxImages, new OutOfMemoryException()).Should().BeFalse();
        FuzzTargets.IsDocumented(FuzzTargets.Csv, new FormatException()).Should().BeFalse();
        FuzzTargets.IsDocumented(FuzzTargets.Csv, new FuzzFindingException("x")).Should().BeFalse();
        FuzzTargets.AllocationAllowance(100).Should().Be((32L << 20) + 100 * 16384);
        FuzzTargets.IsDocumented(FuzzTargets.Parquet, new LatentModels.Data.RowFormatException("f", 0, 0, "x")).Should().BeTrue();
        FuzzTargets.IsDocumented(FuzzTargets.Parquet, new IOException("x")).Should().BeFalse();
        Action unknown = () => FuzzTargets.Run("orc", []);
        unknown.Should().Throw<ArgumentException>().WithMessage("*orc*");
    }
}
