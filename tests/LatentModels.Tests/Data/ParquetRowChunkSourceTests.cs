using System.Globalization;
using System.Text.Json;
using LatentModels.Clustering;
using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Parquet;
using Parquet;
using Parquet.Schema;
using static LatentModels.Tests.Cli.CliTests;

namespace LatentModels.Tests.Data;

/// <summary>
/// <see cref="ParquetRowChunkSource"/> and <c>--data x.parquet</c>: a Parquet file written here with Parquet.Net (several
/// row groups, int, double, nullable double and string columns) reads as the same rows as the array it was written from,
/// fits to the same bits, and bad files are one-line errors naming the file.
/// </summary>
public sealed class ParquetRowChunkSourceTests : IDisposable
{
    private const int Rows = 700;
    private static readonly int[] _groupSizes = [256, 300, 144];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-parquet-{Guid.NewGuid():N}");

    public ParquetRowChunkSourceTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Columns: id (int), x (double), label (string), y (nullable double); three well-separated blobs.</summary>
    private static (int[] Id, double[] X, string[] Label, double?[] Y) Columns(bool withNull = false)
    {
        var random = new Random(17);
        var id = new int[Rows];
        var x = new double[Rows];
        var label = new string[Rows];
        var y = new double?[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int blob = i % 3;
            id[i] = (blob * 10) + random.Next(3);
            x[i] = (blob * 5.0) + random.NextDouble();
            label[i] = $"row{i}";
            y[i] = (blob * -4.0) + random.NextDouble();
        }

        if (withNull)
        {
            y[400] = null;
        }

        return (id, x, label, y);
    }

    /// <summary>The numeric columns (id, x, y) as rows.</summary>
    private static double[,] Expected()
    {
        var (id, x, _, y) = Columns();
        var rows = new double[Rows, 3];
        for (int i = 0; i < Rows; i++)
        {
            rows[i, 0] = id[i];
            rows[i, 1] = x[i];
            rows[i, 2] = y[i]!.Value;
        }

        return rows;
    }

    private string WriteParquet(string name, bool withNull = false)
    {
        var (id, x, label, y) = Columns(withNull);
        var idField = new DataField<int>("id");
        var xField = new DataField<double>("x");
        var labelField = new DataField<string>("label");
        var yField = new DataField<double?>("y");
        string path = Path.Combine(_directory, name);
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(idField, xField, labelField, yField), stream);
            int start = 0;
            foreach (int size in _groupSizes)
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await group.WriteAsync<int>(idField, id.AsMemory(start, size));
                await group.WriteAsync<double>(xField, x.AsMemory(start, size));
                await group.WriteAsync(labelField, label[start..(start + size)]);
                await group.WriteAsync<double>(yField, y.AsMemory(start, size));
                start += size;
            }
        }).GetAwaiter().GetResult();
        return path;
    }

    private string WriteCsv(string name, double[,] rows, string header)
    {
        string path = Path.Combine(_directory, name);
        using var writer = new StreamWriter(path);
        writer.WriteLine(header);
        for (int i = 0; i < rows.GetLength(0); i++)
        {
            writer.WriteLine(string.Join(',', Enumerable.Range(0, rows.GetLength(1)).Select(j => rows[i, j].ToString("R", CultureInfo.InvariantCulture))));
        }

        return path;
    }

    [Fact]
    public void Source_yields_the_numeric_columns_as_the_array_in_any_chunk_size_and_skips_the_string_column()
    {
        string path = WriteParquet("t.parquet");
        double[,] expected = Expected();
        var source = new ParquetRowChunkSource(path);
        source.ColumnNames().Should().Equal("id", "x", "y");
        foreach (int chunk in new[] { 1, 7, 256, 300, 1000 })
        {
            var chunks = source.ReadChunks(chunk).Select(c => (double[,])c.Clone()).ToList();
            int[] sizes = [.. Enumerable.Range(0, (Rows + chunk - 1) / chunk).Select(c => Math.Min(chunk, Rows - (c * chunk)))];
            chunks.Select(c => c.GetLength(0)).Should().Equal(sizes);
            chunks.SelectMany(c => c.Cast<double>()).Should().Equal(expected.Cast<double>());
            RowChunks.ReadAll(source).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        }

        double[,] chosen = RowChunks.ReadAll(new ParquetRowChunkSource(path, ["y", "id"]));
        chosen.GetLength(1).Should().Be(2);
        for (int i = 0; i < Rows; i++)
        {
            chosen[i, 0].Should().Be(expected[i, 2]);
            chosen[i, 1].Should().Be(expected[i, 0]);
        }
    }

    [Fact]
    public void Kmeans_and_gmm_fits_of_the_parquet_file_equal_fits_of_the_array_bit_for_bit()
    {
        string path = WriteParquet("t.parquet");
        double[,] expected = Expected();
        var source = new ParquetRowChunkSource(path);
        var kOptions = new KMeansOptions { Clusters = 3, Seed = 5, Algorithm = KMeansAlgorithm.Lloyd };
        FitResult<KMeansModel> fromArray = new KMeans(kOptions).Fit(new ArrayRowChunkSource(expected));
        FitResult<KMeansModel> fromParquet = new KMeans(kOptions).Fit(source);
        fromParquet.Model.Centers.Cast<double>().Should().Equal(fromArray.Model.Centers.Cast<double>());
        fromParquet.Model.Inertia.Should().Be(fromArray.Model.Inertia);
        fromParquet.Report.Iterations.Should().Be(fromArray.Report.Iterations);

        var gOptions = new GaussianMixtureOptions { Components = 3, Seed = 5 };
        var gmmArray = new GaussianMixture(gOptions).Fit(expected);
        var gmmParquet = new GaussianMixture(gOptions).Fit(RowChunks.ReadAll(source));
        gmmParquet.Model.Means.Cast<double>().Should().Equal(gmmArray.Model.Means.Cast<double>());
        gmmParquet.Model.Weights.Should().Equal(gmmArray.Model.Weights);
        gmmParquet.Model.CovarianceParameters.Should().Equal(gmmArray.Model.CovarianceParameters);
        // The blobs are 5 apart in x: three clusters of 700 / 3 rows each.
        gmmParquet.Model.Weights.Should().OnlyContain(w => Math.Abs(w - (1.0 / 3)) < 0.01);
    }

    [Fact]
    public void Cli_fit_kmeans_of_parquet_columns_equals_the_fit_of_the_same_csv_and_streamed_commands_read_it()
    {
        string parquet = WriteParquet("t.parquet");
        double[,] expected = Expected();
        var xy = new double[Rows, 2];
        for (int i = 0; i < Rows; i++)
        {
            xy[i, 0] = expected[i, 1];
            xy[i, 1] = expected[i, 2];
        }

        string csv = WriteCsv("t.csv", xy, "x,y");
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--out-of-core"] })
        {
            var fromCsv = Run(["fit", "kmeans", "--data", csv, "--k", "3", "--seed", "2", "--json", .. extra]);
            var fromParquet = Run(["fit", "kmeans", "--data", parquet, "--columns", "x, y", "--k", "3", "--seed", "2", "--json", .. extra]);
            fromCsv.Code.Should().Be(0, fromCsv.Err);
            fromParquet.Code.Should().Be(0, fromParquet.Err);
            JsonElement a = LastJson(fromCsv.Out), b = LastJson(fromParquet.Out);
            b.GetProperty("n").GetInt32().Should().Be(Rows);
            b.GetProperty("inertia").GetDouble().Should().Be(a.GetProperty("inertia").GetDouble());
            b.GetProperty("centers").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble())
                .Should().Equal(a.GetProperty("centers").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble()));
        }

        var online = Run("fit", "online-kmeans", "--data", parquet, "--k", "3", "--seed", "2", "--json");
        online.Code.Should().Be(0, online.Err);
        LastJson(online.Out).GetProperty("centers").EnumerateArray().First().GetArrayLength().Should().Be(3);
        var whole = Run("fit", "gmm", "--data", parquet, "--columns", "x,y", "--k", "3", "--seed", "2", "--json");
        whole.Code.Should().Be(0, whole.Err);
        var streamCsv = Run("fit", "online-gmm", "--mode", "stream", "--data", csv, "--k", "3", "--seed", "2", "--json");
        var streamParquet = Run("fit", "online-gmm", "--mode", "stream", "--data", parquet, "--columns", "x,y", "--k", "3", "--seed", "2", "--json");
        streamCsv.Code.Should().Be(0, streamCsv.Err);
        streamParquet.Code.Should().Be(0, streamParquet.Err);
        LastJson(streamParquet.Out).GetProperty("means").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble())
            .Should().Equal(LastJson(streamCsv.Out).GetProperty("means").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble()));

        // Recognised by the magic bytes PAR1 whatever the extension.
        string renamed = Path.Combine(_directory, "t.dat");
        File.Copy(parquet, renamed);
        var byMagic = Run("fit", "kmeans", "--data", renamed, "--columns", "x,y", "--k", "3", "--seed", "2", "--json");
        byMagic.Code.Should().Be(0, byMagic.Err);
        LastJson(byMagic.Out).GetProperty("inertia").GetDouble().Should().Be(LastJson(Run("fit", "kmeans", "--data", csv, "--k", "3", "--seed", "2", "--json").Out).GetProperty("inertia").GetDouble());
    }

    [Fact]
    public void Bad_parquet_files_are_one_line_exit_2_errors_naming_the_file()
    {
        string good = WriteParquet("good.parquet");
        string withNull = WriteParquet("null.parquet", withNull: true);
        byte[] bytes = File.ReadAllBytes(good);
        string truncated = Path.Combine(_directory, "truncated.parquet");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string text = Path.Combine(_directory, "text.parquet");
        File.WriteAllText(text, "1,2\n3,4\n");
        string corrupt = Path.Combine(_directory, "corrupt.parquet");
        byte[] damaged = (byte[])bytes.Clone();
        for (int i = bytes.Length - 200; i < bytes.Length - 8; i++)
        {
            damaged[i] = 0xAB;
        }

        File.WriteAllBytes(corrupt, damaged);

        var cases = new (string Path, string[] Extra, string Expect)[]
        {
            (truncated, [], "Parquet"),
            (text, [], "not a Parquet file"),
            (corrupt, [], "Parquet"),
            (withNull, [], "'y' is null"),
            (good, ["--columns", "x,label"], "'label' is not numeric"),
            (good, ["--columns", "x,nope"], "no column 'nope'"),
        };
        foreach (var (path, extra, expect) in cases)
        {
            foreach (string[] mode in new[] { Array.Empty<string>(), ["--out-of-core"] })
            {
                var result = Run(["fit", "kmeans", "--data", path, "--k", "2", .. extra, .. mode]);
                result.Code.Should().Be(2, result.Err);
                result.Err.Should().StartWith($"error: {path}").And.Contain(expect);
                result.Err.TrimEnd().Should().NotContain("\n");
            }
        }

        var nullError = Assert.Throws<RowFormatException>(() => RowChunks.ReadAll(new ParquetRowChunkSource(withNull)));
        nullError.Line.Should().Be(401);
        nullError.Column.Should().Be(3);
        var csvColumns = Run("fit", "kmeans", "--data", WriteCsv("c.csv", Expected(), "a,b,c"), "--columns", "a", "--k", "2");
        csvColumns.Code.Should().Be(2);
        csvColumns.Err.Should().Contain("--columns").And.Contain("Parquet files only");
    }
}
