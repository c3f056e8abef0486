using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace LatentModels.Orleans.Tests;

/// <summary>Data files for the file-backed shards, in a temporary folder deleted with the instance.</summary>
internal sealed class TestFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("latent-orleans-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>x as CSV with the header a,b,c… (shortest round-trip numbers, so the file holds x's bits).</summary>
    public string Csv(double[,] x)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.csv");
        using var writer = new StreamWriter(path);
        int d = x.GetLength(1);
        writer.WriteLine(string.Join(',', Enumerable.Range(0, d).Select(Name)));
        for (int i = 0; i < x.GetLength(0); i++)
        {
            writer.WriteLine(string.Join(',', Enumerable.Range(0, d).Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture))));
        }

        return path;
    }

    /// <summary>
    /// x as Parquet in row groups of the given sizes, with an int column "id" first and a string column "label" after
    /// the first data column (both numeric-or-not distractors a column choice must skip); the data columns are a, b, c….
    /// </summary>
    public string Parquet(double[,] x, params int[] groupSizes)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.parquet");
        int n = x.GetLength(0), d = x.GetLength(1);
        var id = new DataField<int>("id");
        var label = new DataField<string>("label");
        DataField<double>[] data = [.. Enumerable.Range(0, d).Select(j => new DataField<double>(Name(j)))];
        var schema = new ParquetSchema([id, data[0], label, .. data.Skip(1)]);
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(schema, stream);
            int start = 0;
            foreach (int size in groupSizes)
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await group.WriteAsync<int>(id, Enumerable.Range(start, size).ToArray());
                for (int j = 0; j < d; j++)
                {
                    if (j == 1)
                    {
                        await group.WriteAsync(label, Enumerable.Range(start, size).Select(i => $"row {i}").ToArray());
                    }

                    await group.WriteAsync<double>(data[j], Enumerable.Range(start, size).Select(i => x[i, j]).ToArray());
                }

                start += size;
            }

            if (start != n)
            {
                throw new ArgumentException("The group sizes do not add up to the rows.", nameof(groupSizes));
            }
        }).GetAwaiter().GetResult();
        return path;
    }

    public static string Name(int column) => ((char)('a' + column)).ToString();
}
