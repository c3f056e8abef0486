using System.Globalization;
using System.Text;
using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Tests.Persistence;

namespace LatentModels.Tests.Data;

/// <summary>The chunked row readers: the CSV rules at the door, chunk shapes, re-reading, and scores equal to the in-memory ones bit for bit.</summary>
public sealed class RowChunkSourceTests
{
    private static CsvRowChunkSource Csv(string text) => new(() => new StringReader(text), "t.csv");

    private static string ToCsv(double[,] x)
    {
        var text = new StringBuilder("a,b\n");
        for (int i = 0; i < x.GetLength(0); i++)
        {
            text.AppendLine(string.Join(',', Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture))));
        }

        return text.ToString();
    }

    private static double[,] Data(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = random.NextDouble() * 10 + (i % 3) * 20;
            x[i, 1] = random.NextDouble() - (i % 3) * 5;
        }

        return x;
    }

    [Fact]
    public void Csv_chunks_have_the_requested_rows_and_the_last_the_rest_and_every_pass_reads_the_same_rows()
    {
        var source = Csv("# comment\nx y z\n1 2 3\n\n4 5 6\n7 8 9\n10 11 12\n13 14 15\n");
        double[][,] chunks = [.. source.ReadChunks(2).Select(c => (double[,])c.Clone())];
        chunks.Select(c => c.GetLength(0)).Should().Equal(2, 2, 1);
        chunks.Should().OnlyContain(c => c.GetLength(1) == 3);
        chunks[2][0, 2].Should().Be(15);
        RowChunks.ReadAll(source).Cast<double>().Should().Equal(Enumerable.Range(1, 15).Select(v => (double)v));
        RowChunks.Shape(source).Should().Be((5L, 3));
        source.ReadChunks(int.MaxValue).Single().GetLength(0).Should().Be(5, "a chunk size beyond the file allocates only the rows read");
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,x\n", "t.csv:3:3: 'x' is not a finite number.")]
    [InlineData("1,2\n3,4,5\n", "t.csv:2:5: the row has 3 values but earlier rows have 2.")]
    [InlineData("1;2\n3;NaN\n", "t.csv:2:3: 'NaN' is not a finite number.")]
    [InlineData("# nothing\n\n", "t.csv: the file holds no data rows (it is empty, blank or only comments).")]
    [InlineData("x,y\n", "t.csv:2:1: the file holds no data rows.")]
    [InlineData("1.5,2.O\n", "t.csv:1:5: '2.O' is not a finite number.")]
    [InlineData("1,2\n3;4\n", "t.csv:2:1: '3;4' is not a finite number (the rows are separated by ',' but this cell holds ';': a wrong delimiter?).")]
    [InlineData("1,2,3\n1,,2\n", "t.csv:2:3: an empty field is not a finite number.")]
    public void Csv_problems_are_named_by_file_line_and_column(string text, string message)
    {
        Action read = () => RowChunks.ReadAll(Csv(text));
        read.Should().Throw<RowFormatException>().WithMessage(message);
    }

    [Fact]
    public void A_missing_file_and_bad_arguments_are_refused()
    {
        Action missing = () => _ = new CsvRowChunkSource(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.csv"));
        missing.Should().Throw<RowFormatException>().Which.Problem.Should().Be("no such file.");
        Action zero = () => Csv("1\n").ReadChunks(0);
        zero.Should().Throw<ArgumentOutOfRangeException>();
        Action nan = () => _ = new ArrayRowChunkSource(new double[,] { { 1, double.NaN } });
        nan.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Cancellation_stops_a_pass()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Action read = () => Csv("1\n2\n").ReadChunks(1, cancelled.Token).ToList();
        read.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Streamed_inertia_and_mixture_score_equal_the_in_memory_ones_bit_for_bit()
    {
        double[,] x = Data(40_000, 5);
        var source = Csv(ToCsv(x));
        KMeansModel kmeans = new KMeans(new KMeansOptions { Clusters = 3, Seed = 1, MaxIterations = 5 }).Fit(x).Model;
        BitConverter.DoubleToInt64Bits(kmeans.InertiaOf(source)).Should().Be(BitConverter.DoubleToInt64Bits(kmeans.InertiaOf(x)));
        BitConverter.DoubleToInt64Bits(kmeans.InertiaOf(source, 40_000)).Should().Be(BitConverter.DoubleToInt64Bits(kmeans.Inertia));
        Action wrongCount = () => kmeans.InertiaOf(source, 39_999);
        wrongCount.Should().Throw<ArgumentException>();

        GaussianMixtureModel gmm = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = 1, MaxIterations = 5 }).Fit(x).Model;
        double streamed = gmm.Score(source, out long rows);
        rows.Should().Be(40_000);
        BitConverter.DoubleToInt64Bits(streamed).Should().Be(BitConverter.DoubleToInt64Bits(gmm.Score(x)));
        PersistenceAssert.Bits(RowChunks.ReadAll(new ArrayRowChunkSource(x))).Should().Equal(PersistenceAssert.Bits(x));
    }
}
