using LatentModels.Cli;
using LatentModels.Data;

namespace LatentModels.Tests.Cli;

/// <summary>
/// The CLI's cache of a small text file's rows (<see cref="CachedRowChunkSource"/>): later passes hand out the values and
/// chunk sizes of the file itself; a pass beyond the bound, stopped early or failing keeps nothing.
/// </summary>
public sealed class CachedRowChunkSourceTests
{
    /// <summary>An in-memory source that counts its passes (the "file").</summary>
    private sealed class CountedSource(double[,] rows) : IRowChunkSource
    {
        private readonly ArrayRowChunkSource _inner = new(rows, "counted");

        public int Passes { get; private set; }

        public string Name => _inner.Name;

        public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
        {
            Passes++;
            return _inner.ReadChunks(chunkRows, cancellationToken);
        }
    }

    private static double[,] Rows(int n, int d)
    {
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = Math.Sin((i * 7.3) + j) * 1e3 + i;
            }
        }

        return x;
    }

    /// <summary>Each chunk of a pass, copied (sources may reuse the array of full chunks).</summary>
    private static List<double[,]> Pass(IRowChunkSource source, int chunkRows) =>
        [.. source.ReadChunks(chunkRows).Select(c => (double[,])c.Clone())];

    [Fact]
    public void After_one_complete_pass_every_chunk_size_is_served_from_memory_with_the_files_values()
    {
        double[,] x = Rows(1000, 3);
        var file = new CountedSource(x);
        var cached = new CachedRowChunkSource(file, 3000);
        List<double[,]> first = Pass(cached, 128);
        cached.IsCached.Should().BeTrue();
        file.Passes.Should().Be(1);
        foreach (int chunkRows in new[] { 1, 7, 128, 999, 1000, 4096 })
        {
            List<double[,]> replayed = Pass(cached, chunkRows);
            List<double[,]> expected = Pass(new ArrayRowChunkSource(x, "x"), chunkRows);
            replayed.Select(c => c.GetLength(0)).Should().Equal(expected.Select(c => c.GetLength(0)), $"chunks of {chunkRows}");
            replayed.SelectMany(c => c.Cast<double>()).Should().Equal(x.Cast<double>(), $"chunks of {chunkRows}");
        }

        file.Passes.Should().Be(1, "every later pass came from memory");
        first.SelectMany(c => c.Cast<double>()).Should().Equal(x.Cast<double>());
    }

    [Fact]
    public void A_file_beyond_the_bound_or_a_pass_stopped_early_keeps_nothing_and_is_read_again()
    {
        double[,] x = Rows(1000, 3);
        var large = new CountedSource(x);
        var notKept = new CachedRowChunkSource(large, 2999);
        Pass(notKept, 100).SelectMany(c => c.Cast<double>()).Should().Equal(x.Cast<double>());
        notKept.IsCached.Should().BeFalse();
        Pass(notKept, 33).SelectMany(c => c.Cast<double>()).Should().Equal(x.Cast<double>());
        large.Passes.Should().Be(2);

        var file = new CountedSource(x);
        var cached = new CachedRowChunkSource(file, 3000);
        cached.ReadChunks(100).First().GetLength(0).Should().Be(100);
        cached.IsCached.Should().BeFalse("the pass stopped after its first chunk");
        Pass(cached, 100).Should().HaveCount(10);
        cached.IsCached.Should().BeTrue();
        file.Passes.Should().Be(2);
    }

    [Fact]
    public void A_pass_that_fails_keeps_nothing_and_the_next_pass_fails_the_same_way()
    {
        string path = Path.Combine(Path.GetTempPath(), $"latent-cache-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "1,2\n3,4\n5,x\n");
        try
        {
            var cached = new CachedRowChunkSource(new CsvRowChunkSource(path), 1000);
            for (int pass = 0; pass < 2; pass++)
            {
                Action read = () => Pass(cached, 1);
                read.Should().Throw<RowFormatException>().Which.Line.Should().Be(3);
                cached.IsCached.Should().BeFalse();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
