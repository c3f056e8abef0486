using LatentModels.Data;
using LatentModels.Fuzz;
using LatentModels.Orleans;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// Replays <c>tests/fuzz-corpus/csv-shard/</c> through the SharpFuzz harness's target for <see cref="CsvShardSource"/>
/// (<c>tests/LatentModels.Fuzz/ShardFuzzTargets.cs</c>, compiled in here): every file is partitioned and every shard
/// loads, holding the rows it declares in one width, or fails with <see cref="InvalidDataException"/>.
/// </summary>
public class CsvShardFuzzCorpusReplayTests
{
    private static string Corpus
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "fuzz-corpus", ShardFuzzTargets.CsvShard);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("tests/fuzz-corpus/csv-shard was not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void Every_corpus_file_loads_consistently_or_fails_with_InvalidDataException()
    {
        string[] files = Directory.GetFiles(Corpus).Order(StringComparer.Ordinal).ToArray();
        files.Should().NotBeEmpty();
        int read = 0;
        foreach (string file in files)
        {
            try
            {
                ShardFuzzTargets.Run(File.ReadAllBytes(file));
                read++;
            }
            catch (Exception e) when (ShardFuzzTargets.IsDocumented(e))
            {
                // The core reader's error, as the CLI reports it: file:line:column: problem (or file: problem).
                e.InnerException.Should().BeOfType<RowFormatException>().Which.Problem.Should().NotBeEmpty();
                e.Message.Should().Be(e.InnerException!.Message);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file)} broke the target: {e}");
            }
        }

        read.Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("1,2\n3,4\n5,6\n7,8,9\n", "4:5: the row has 3 values but earlier rows have 2.")]
    [InlineData("1,2,3\n4,,6\n", "2:3: an empty field is not a finite number.")]
    [InlineData("x;y\n1;2\n3; \n", "3:3: an empty field is not a finite number.")]
    public void A_row_that_does_not_fit_the_file_is_rejected_whichever_shard_reads_it(string text, string place)
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, text);
        try
        {
            Action load = () =>
            {
                foreach (CsvShardSource shard in CsvShardSource.Partition(path, ShardFuzzTargets.RowsPerShard))
                {
                    shard.Load();
                }
            };
            load.Should().Throw<InvalidDataException>().Which.Message.Should().Be($"{path}:{place}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Blank_separated_values_and_headers_read_by_the_CLI_rules()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "a b\n1 2\n# a comment\n3\t4\n\n5  6\n");
        try
        {
            double[,] rows = new CsvShardSource(path, 0, 10).Load().Rows;
            rows.Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });

            // The separator is the first data row's for every row, as in the CLI: a comma in a blank-separated file is an error.
            File.WriteAllText(path, "a b\n1 2\n5,  6\n");
            Action mixed = () => new CsvShardSource(path, 0, 10).Load();
            mixed.Should().Throw<InvalidDataException>().Which.Message.Should().StartWith($"{path}:3:1: '5,' is not a finite number");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
