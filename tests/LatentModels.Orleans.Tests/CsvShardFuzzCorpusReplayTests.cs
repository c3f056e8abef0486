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
                e.Message.Should().Contain(", line ");
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file)} broke the target: {e}");
            }
        }

        read.Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("1,2\n3,4\n5,6\n7,8,9\n", 4, "3 values; the file's first data row has 2")]
    [InlineData("1,2,3\n4,,6\n", 2, "a value is missing")]
    [InlineData("x;y\n1;2\n3; \n", 3, "a value is missing")]
    public void A_row_that_does_not_fit_the_file_is_rejected_whichever_shard_reads_it(string text, int line, string problem)
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
            load.Should().Throw<InvalidDataException>().Which.Message.Should().Contain($", line {line}: {problem}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Blank_separated_values_inside_fields_and_headers_still_read()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "a b\n1 2\n3\t4\n5,  6\n");
        try
        {
            double[,] rows = new CsvShardSource(path, 0, 10).Load().Rows;
            rows.Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
