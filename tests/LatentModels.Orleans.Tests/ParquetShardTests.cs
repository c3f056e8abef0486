using LatentModels.Clustering;
using LatentModels.Mixtures;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Parquet shards on three silos: the same bits as CSV shards of the same rows; ranges, columns and errors.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ParquetShardTests(ThreeSiloCluster cluster) : IDisposable
{
    private static readonly string[] _columns = ["a", "b", "c"];
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static KMeansModel Start() => new(new double[,] { { 99, 1, 0 }, { 104, 1, 0 }, { 102, 5, 0 } });

    [Fact]
    public async Task Parquet_shards_give_the_bits_of_csv_shards_of_the_same_rows()
    {
        double[,] x = Blobs(3000, 21);
        string csv = _files.Csv(x), parquet = _files.Parquet(x, 700, 324, 1024, 952);

        // By rows: the same cuts as the CSV partition, ranges that cross row groups.
        IReadOnlyList<ParquetShardSource> byRows = ParquetShardSource.Partition(parquet, 1024, _columns);
        byRows.Select(s => (s.FirstRow, s.RowCount)).Should().Equal((0L, 1024), (1024L, 1024), (2048L, 952));
        DistributedFitResult<KMeansModel> fromParquet = await new DistributedFit(cluster.Client, byRows).FitKMeansAsync(Start(), maxIterations: 5, tolerance: 0);
        DistributedFitResult<KMeansModel> fromCsv = await new DistributedFit(cluster.Client, CsvShardSource.Partition(csv, 1024)).FitKMeansAsync(Start(), maxIterations: 5, tolerance: 0);
        fromParquet.Iterations.Should().Be(fromCsv.Iterations).And.BeGreaterThan(1);
        Bits(fromParquet.Model.Centers).Should().Equal(Bits(fromCsv.Model.Centers));
        Bits(fromParquet.Trace).Should().Equal(Bits(fromCsv.Trace));
        fromParquet.Model.Inertia.Should().Be(fromCsv.Model.Inertia);

        // By row groups: four shards of the groups' sizes; a MAP full-covariance EM against CSV shards cut the same way.
        IReadOnlyList<ParquetShardSource> byGroups = ParquetShardSource.PartitionByRowGroup(parquet, _columns);
        byGroups.Select(s => (s.FirstRow, s.RowCount)).Should().Equal((0L, 700), (700L, 324), (1024L, 1024), (2048L, 952));
        CsvShardSource[] csvCuts = [.. byGroups.Select(s => new CsvShardSource(csv, s.FirstRow, s.RowCount))];
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Full, [0.4, 0.3, 0.3], Start().Centers,
            [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1]);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Prior = GaussianMixturePrior.Default, MaxIterations = 4, Tolerance = 0 };
        GaussianMixtureModel a = (await new DistributedFit(cluster.Client, byGroups).FitGaussianMixtureAsync(start, o)).Model;
        GaussianMixtureModel b = (await new DistributedFit(cluster.Client, csvCuts).FitGaussianMixtureAsync(start, o)).Model;
        double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];
        Bits(Flat(a)).Should().Equal(Bits(Flat(b)));
    }

    [Fact]
    public void A_shard_loads_its_range_and_columns_and_reports_bad_files_as_invalid_data()
    {
        double[,] x = Blobs(500, 22);
        string parquet = _files.Parquet(x, 100, 150, 250);
        new ParquetShardSource(parquet, 80, 200, _columns).Load().Rows.Should().BeEquivalentTo(Slice(x, 80, 280), o => o.WithStrictOrdering());
        new ParquetShardSource(parquet, 450, 1000, _columns).Load().Rows.Should().BeEquivalentTo(Slice(x, 450, 500), o => o.WithStrictOrdering());
        new ParquetShardSource(parquet, 900, 10, _columns).Load().Count.Should().Be(0, "a range past the end holds no rows");
        ShardData all = new ParquetShardSource(parquet).Load();
        all.Dimension.Should().Be(4, "without a choice every numeric column is read: id, a, b, c");
        all.Rows[499, 0].Should().Be(499);
        new ParquetShardSource(parquet, 0, 10, ["c", "a"]).Load().Rows[3, 0].Should().Be(x[3, 2]);
        ParquetShardSource.Partition(parquet, 200, _columns).Select(s => s.RowCount).Should().Equal(200, 200, 100);
        new ParquetShardSource(parquet, 80, 200, _columns).Describe().Should().Be($"{parquet} rows [80, 280) columns a, b, c");

        FluentActions.Invoking(() => new ParquetShardSource(parquet, 0, 10, ["a", "label"]).Load())
            .Should().Throw<InvalidDataException>().WithMessage("*'label' is not numeric*");
        FluentActions.Invoking(() => ParquetShardSource.Partition(parquet, 100, ["a", "z"]))
            .Should().Throw<InvalidDataException>().WithMessage("*no column 'z'*");
        string csv = _files.Csv(x);
        FluentActions.Invoking(() => new ParquetShardSource(csv).Load()).Should().Throw<InvalidDataException>().WithMessage("*not a Parquet file*");
        FluentActions.Invoking(() => new ParquetShardSource(parquet, -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ParquetShardSource(parquet, columns: ["a", "a"])).Should().Throw<ArgumentException>().WithParameterName("columns");
    }
}
