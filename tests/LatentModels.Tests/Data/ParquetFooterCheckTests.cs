using System.Buffers.Binary;
using LatentModels.Data;
using LatentModels.Parquet;
using LatentModels.Tests.Reliability;
using Parquet;
using Parquet.Schema;

namespace LatentModels.Tests.Data;

/// <summary>
/// The footer check (<c>ThriftFooterCheck</c>) against hostile footers: the fuzz finding on which Parquet.Net 6.1 spun
/// forever, every single-byte change and every truncation of a footer Parquet.Net wrote, absurd list sizes, deep nesting,
/// unknown fields; and every single-byte change of the pages (the page-header walk, <c>PageWalk</c>). Each either reads the
/// file's data or fails with <see cref="RowFormatException"/> naming the file; no test here may hang (a footer the check
/// wrongly accepted would make Parquet.Net spin, and the test never finish).
/// </summary>
public sealed class ParquetFooterCheckTests : IDisposable
{
    private static readonly int[] _groupSizes = [5, 3, 4];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"latent-footer-{Guid.NewGuid():N}");

    public ParquetFooterCheckTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// A file Parquet.Net writes: three row groups of int, long, float, double, decimal, nullable double (no null) and
    /// string columns, with key-value metadata; and the numeric columns as rows.
    /// </summary>
    private static (byte[] File, double[,] Rows) ValidFile()
    {
        int n = _groupSizes.Sum();
        var i = new int[n];
        var l = new long[n];
        var f = new float[n];
        var d = new double[n];
        var m = new decimal[n];
        var o = new double?[n];
        var s = new string[n];
        var rows = new double[n, 6];
        for (int r = 0; r < n; r++)
        {
            i[r] = (r * 7) - 20;
            l[r] = (r * 1_000_000_007L) - 3;
            f[r] = (r * 0.25f) - 1;
            d[r] = Math.Sqrt(r + 2);
            m[r] = (r * 1.5m) - 2.25m;
            o[r] = -r / 3.0;
            s[r] = $"row {r}";
            double[] row = [i[r], l[r], f[r], d[r], (double)m[r], o[r]!.Value];
            for (int j = 0; j < 6; j++)
            {
                rows[r, j] = row[j];
            }
        }

        var fields = new DataField[]
        {
            new DataField<int>("i"), new DataField<long>("l"), new DataField<float>("f"), new DataField<double>("d"),
            new DecimalDataField("m", 10, 2), new DataField<double?>("o"), new DataField<string>("s"),
        };
        using var stream = new MemoryStream();
        Task.Run(async () =>
        {
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            writer.CustomMetadata = new Dictionary<string, string> { ["origin"] = "footer tests", ["k"] = "v" };
            int start = 0;
            foreach (int size in _groupSizes)
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await group.WriteAsync<int>((DataField<int>)fields[0], i.AsMemory(start, size));
                await group.WriteAsync<long>((DataField<long>)fields[1], l.AsMemory(start, size));
                await group.WriteAsync<float>((DataField<float>)fields[2], f.AsMemory(start, size));
                await group.WriteAsync<double>((DataField<double>)fields[3], d.AsMemory(start, size));
                await group.WriteAsync<decimal>(fields[4], m.AsMemory(start, size));
                await group.WriteAsync<double>(fields[5], o.AsMemory(start, size));
                await group.WriteAsync(fields[6], s[start..(start + size)]);
                start += size;
            }
        }).GetAwaiter().GetResult();
        return (stream.ToArray(), rows);
    }

    private static byte[] Footer(byte[] file)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        return file[(file.Length - 8 - length)..(file.Length - 8)];
    }

    /// <summary>The file with its footer replaced (the data pages kept, the footer length and magic rewritten).</summary>
    private static byte[] WithFooter(byte[] file, byte[] footer)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        byte[] data = file[..(file.Length - 8 - length)];
        var result = new byte[data.Length + footer.Length + 8];
        data.CopyTo(result, 0);
        footer.CopyTo(result, data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(data.Length + footer.Length), footer.Length);
        "PAR1"u8.CopyTo(result.AsSpan(result.Length - 4));
        return result;
    }

    /// <summary>Reads the file through the source: its rows, or the <see cref="RowFormatException"/> (any other exception fails the test).</summary>
    private (double[,]? Rows, RowFormatException? Error) Read(byte[] file, string name = "t.parquet")
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, file);
        try
        {
            var source = new ParquetRowChunkSource(path);
            source.ColumnNames();
            return (RowChunks.ReadAll(source), null);
        }
        catch (RowFormatException e)
        {
            e.File.Should().Be(path);
            e.Message.Should().StartWith(path).And.NotContain("\n");
            return (null, e);
        }
    }

    [Fact]
    public void The_fuzz_finding_on_which_parquet_net_spun_is_rejected_by_the_schema_check()
    {
        // 17-byte footer: field 1 (version, an i32) claims to be a string, field 8 (encryption_algorithm) an i64, ... and an
        // unknown struct field whose skipped field headers run past the end, where Parquet.Net reads 0xFF forever.
        byte[] file = File.ReadAllBytes(Path.Combine(FuzzCorpusReplayTests.CorpusFolder, "parquet", "hang-1-7a74f52d"));
        ThriftFooterCheck.Problem(Footer(file)).Should().Be(
            "its footer gives FileMetaData.version (field 1) the Thrift type binary; Parquet's schema says i32.");
        var (rows, error) = Read(file);
        rows.Should().BeNull();
        error!.Problem.Should().Be(
            "is not a readable Parquet file: its footer gives FileMetaData.version (field 1) the Thrift type binary; Parquet's schema says i32.");
    }

    [Fact]
    public void Files_parquet_net_writes_pass_the_check_and_read_exactly()
    {
        var (file, expected) = ValidFile();
        ThriftFooterCheck.Problem(Footer(file)).Should().BeNull();
        var (rows, error) = Read(file);
        error.Should().BeNull();
        rows.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        foreach (string seed in Directory.GetFiles(Path.Combine(FuzzCorpusReplayTests.CorpusFolder, "parquet"), "*.parquet"))
        {
            ThriftFooterCheck.Problem(Footer(File.ReadAllBytes(seed))).Should().BeNull(seed);
        }
    }

    [Fact]
    public void Every_single_byte_change_of_the_footer_is_rejected_or_decoded_by_parquet_net()
    {
        var (file, _) = ValidFile();
        byte[] footer = Footer(file);
        int accepted = 0, rejected = 0;
        for (int position = 0; position < footer.Length; position++)
        {
            for (int value = 0; value < 256; value++)
            {
                if (value == footer[position])
                {
                    continue;
                }

                byte[] mutated = (byte[])footer.Clone();
                mutated[position] = (byte)value;
                if (ThriftFooterCheck.Problem(mutated) is not null)
                {
                    rejected++;
                    continue;
                }

                // Accepted by the check: Parquet.Net must decode it (this test would hang otherwise).
                accepted++;
                DecodeFooter(WithFooter(file, mutated));
            }
        }

        (accepted + rejected).Should().Be(footer.Length * 255);
        rejected.Should().BeGreaterThan(0);
        accepted.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Single_byte_changes_of_the_footer_read_the_same_rows_or_fail_with_RowFormatException_unless_they_describe_other_content()
    {
        var (file, expected) = ValidFile();
        byte[] footer = Footer(file);
        int same = 0, rejected = 0, other = 0;
        for (int position = 0; position < footer.Length; position++)
        {
            byte original = footer[position];
            foreach (byte value in new[] { (byte)0xFF, (byte)(original ^ 1), (byte)(original ^ 0x80) }.Distinct())
            {
                if (value == original)
                {
                    continue;
                }

                byte[] mutated = (byte[])footer.Clone();
                mutated[position] = value;
                var (rows, error) = Read(WithFooter(file, mutated));
                if (error is not null)
                {
                    rejected++;
                }
                else if (rows!.GetLength(0) == expected.GetLength(0) && rows.GetLength(1) == expected.GetLength(1)
                    && rows.Cast<double>().SequenceEqual(expected.Cast<double>()))
                {
                    same++;
                }
                else
                {
                    // A sound footer of other content: a column's physical type, codec, converted type or decimal scale
                    // changed (no reader can tell without checksums). The rows are still the file's 12, each finite.
                    other++;
                    rows.GetLength(0).Should().Be(expected.GetLength(0));
                    rows.GetLength(1).Should().BeLessThanOrEqualTo(expected.GetLength(1));
                }
            }
        }

        // About half the mutations read the same rows and half fail; well under 1 % describe other content.
        same.Should().BeGreaterThan(0);
        rejected.Should().BeGreaterThan(0);
        other.Should().BeLessThan((same + rejected + other) / 100);
    }

    /// <summary>Parquet.Net's own decoding of the footer and schema (on a worker thread, as in the source).</summary>
    private static void DecodeFooter(byte[] file)
    {
        try
        {
            Task.Run(async () =>
            {
                await using var reader = await ParquetReader.CreateAsync(new MemoryStream(file, writable: false));
                _ = reader.Schema.GetDataFields();
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Parquet.Net's failures (any type) are fine here: the source maps them to RowFormatException.
        }
    }

    [Fact]
    public void Every_truncation_of_the_footer_and_of_the_file_fails_with_RowFormatException()
    {
        var (file, _) = ValidFile();
        byte[] footer = Footer(file);
        for (int length = 0; length < footer.Length; length++)
        {
            ThriftFooterCheck.Problem(footer[..length]).Should().NotBeNull();
            Read(WithFooter(file, footer[..length])).Error.Should().NotBeNull();
        }

        for (int length = 0; length < file.Length; length += 7)
        {
            Read(file[..length]).Error.Should().NotBeNull();
        }
    }

    /// <summary>The valid footer with one more field (encoded by hand) before its final stop byte.</summary>
    private static byte[] WithExtraField(byte[] footer, params byte[][] parts) =>
        [.. footer[..^1], .. parts.SelectMany(p => p), 0];

    /// <summary>A field header in the long form: the type, then the id as a zigzag varint (id 100: 0xC8 0x01).</summary>
    private static byte[] UnknownField(byte type) => [type, 0xC8, 0x01];

    private static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    [Fact]
    public void Unknown_fields_are_skipped_only_where_parquet_net_skips_them_as_thrift_does()
    {
        var (file, expected) = ValidFile();
        byte[] footer = Footer(file);

        // An unknown i64, string, double and empty structure: skipped alike by Thrift and by Parquet.Net; the file reads.
        foreach (byte[] field in new byte[][]
        {
            [.. UnknownField(6), 0x04],
            [.. UnknownField(8), 0x03, (byte)'a', (byte)'b', (byte)'c'],
            [.. UnknownField(7), .. Repeat(0x40, 8)],
            [.. UnknownField(12), 0x00],
            [.. UnknownField(12), 0x11, 0x22, 0x00], // a structure of two booleans
        })
        {
            byte[] extended = WithExtraField(footer, field);
            ThriftFooterCheck.Problem(extended).Should().BeNull();
            var (rows, error) = Read(WithFooter(file, extended));
            error.Should().BeNull();
            rows.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        }

        // Parquet.Net would read the value 0 of the inner i32 as the structure's end, and skip a list's booleans as no bytes.
        var cases = new (byte[] Field, string Problem)[]
        {
            ([.. UnknownField(12), 0x15, 0x00, 0x00], "its footer holds an unknown field 100 of Thrift type struct in a FileMetaData that Parquet.Net would not skip as Thrift does."),
            ([.. UnknownField(9), 0x31, 1, 1, 1], "its footer holds an unknown field 100 of Thrift type list in a FileMetaData that Parquet.Net would not skip as Thrift does."),
            ([.. UnknownField(9), 0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], "its footer declares a list of 2147483647 elements with 1 bytes left."),
            ([.. UnknownField(9), .. Repeat(0x19, 100_000)], "its footer nests deeper than 64 levels."),
            ([.. UnknownField(12), .. Repeat(0x1C, 100_000), .. Repeat(0, 100_001)], "its footer nests deeper than 64 levels."),
            ([.. UnknownField(11), 0x02, 0x55, 0x02, 0x04, 0x06, 0x08], "its footer holds an unknown field 100 of Thrift type map in a FileMetaData that Parquet.Net would not skip as Thrift does."),
            ([.. UnknownField(5), .. Repeat(0x80, 20), 0x01], "its footer holds a number longer than 5 bytes."),
            ([.. UnknownField(15)], "its footer holds a value of the unknown Thrift type 15."),
        };
        foreach (var (field, problem) in cases)
        {
            byte[] extended = WithExtraField(footer, field);
            ThriftFooterCheck.Problem(extended).Should().Be(problem);
            Read(WithFooter(file, extended)).Error!.Problem.Should().Be("is not a readable Parquet file: " + problem);
        }
    }

    /// <summary>A schema element: its name, its number of children unless null, and for a leaf the type INT32 (required).</summary>
    private static byte[] Element(string name, int? children)
    {
        byte[] encoded = System.Text.Encoding.UTF8.GetBytes(name);
        byte[] element = children is null
            ? [0x15, 0x02, 0x25, 0x00, 0x18, (byte)encoded.Length, .. encoded] // type INT32, repetition REQUIRED, name
            : [0x48, (byte)encoded.Length, .. encoded]; // name (field 4), a string
        return children is int c ? [.. element, 0x15, .. Varint((uint)((c << 1) ^ (c >> 31))), 0x00] : [.. element, 0x00];
    }

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>A FileMetaData by hand: version 1, this schema list (count as given), 0 rows, no row groups.</summary>
    private static byte[] HandFooter(uint schemaCount, params byte[][] elements) =>
        [0x15, 0x02, 0x19, 0xFC, .. Varint(schemaCount), .. elements.SelectMany(e => e), 0x16, 0x00, 0x19, 0x0C, 0x00];

    [Fact]
    public void Absurd_sizes_deep_schemas_and_missing_fields_are_rejected_with_RowFormatException()
    {
        var (file, _) = ValidFile();
        byte[][] chain = [.. Enumerable.Range(0, 100).Select(k => Element($"c{k}", k < 99 ? 1 : null))];
        var cases = new (byte[] Footer, string Problem)[]
        {
            (HandFooter(2, Element("root", 1), Element("x", null)), "the file holds no data rows."),
            (HandFooter(int.MaxValue, Element("root", 1)), "its footer declares 2147483647 elements in FileMetaData.schema with 14 bytes left."),
            (HandFooter(uint.MaxValue, Element("root", 1)), "its footer declares a list of 4294967295 elements."),
            (HandFooter(100, chain), "its schema nests deeper than 64 levels."),
            (HandFooter(2, Element("root", -1), Element("x", null)), "its schema element 1 declares -1 children."),
            (HandFooter(2, Element("root", 2), Element("x", null)), "its schema's elements declare more children than the 2 elements it holds."),
            (HandFooter(3, Element("root", 1), Element("x", null), Element("y", null)), "its schema holds 3 elements, but its tree (num_children) has only 2."),
            (HandFooter(0), "its schema is empty."),
            ([0x15, 0x02, 0x00], "its footer has a FileMetaData without its required schema."),
            ([0x15, .. Repeat(0xFF, 10), 0x01, 0x00], "its footer holds a number longer than 5 bytes."),
            ([.. HandFooter(2, Element("root", 1), Element("x", null)), 0x00], "its footer's FileMetaData ends after 27 of its 28 bytes."),
            ([0x15, 0x02, 0x18, 0x00], "its footer gives FileMetaData.schema (field 2) the Thrift type binary; Parquet's schema says list."),
        };
        foreach (var (footer, problem) in cases)
        {
            if (problem.StartsWith("its ", StringComparison.Ordinal))
            {
                ThriftFooterCheck.Problem(footer).Should().Be(problem);
            }

            var (rows, error) = Read(WithFooter(file, footer));
            rows.Should().BeNull();
            error!.Problem.Should().Contain(problem);
        }
    }

    [Fact]
    public void Single_byte_changes_of_the_pages_read_within_the_fuzz_allowance_or_fail_with_RowFormatException()
    {
        // The page headers (Thrift, decoded by Parquet.Net from the file) and the page data, changed byte by byte: the
        // fuzz target's promise must hold for each (the documented exception only, allocation within the allowance).
        var (file, _) = ValidFile();
        int dataEnd = file.Length - 8 - Footer(file).Length;
        int read = 0, rejected = 0;
        for (int position = 4; position < dataEnd; position++)
        {
            foreach (byte value in new[] { (byte)0xFF, (byte)(file[position] ^ 0x80) }.Distinct())
            {
                if (value == file[position])
                {
                    continue;
                }

                byte[] mutated = (byte[])file.Clone();
                mutated[position] = value;
                try
                {
                    LatentModels.Fuzz.FuzzTargets.Run(LatentModels.Fuzz.FuzzTargets.Parquet, mutated);
                    read++;
                }
                catch (RowFormatException)
                {
                    rejected++;
                }
            }
        }

        read.Should().BeGreaterThan(0);
        rejected.Should().BeGreaterThan(0);
    }

    [Fact]
    public void The_fuzz_finding_whose_snappy_preamble_declared_51_MB_is_rejected_before_parquet_net_allocates()
    {
        // 402 bytes: a Snappy column whose first page's header declares 24 bytes uncompressed, but whose Snappy data starts
        // with the length 51,445,748; Parquet.Net's Snappy decoder sized its output from that length (67 MB allocated).
        byte[] file = File.ReadAllBytes(Path.Combine(FuzzCorpusReplayTests.CorpusFolder, "parquet", "alloc-1-4e1b5c7c"));
        var (rows, error) = Read(file);
        rows.Should().BeNull();
        error!.Problem.Should().Be("is not a readable Parquet file: the column 'v' of row group 1: the page at byte 4 holds Snappy data that declares 51445748 bytes uncompressed; its header declares 24.");
        Action fuzz = () => LatentModels.Fuzz.FuzzTargets.Run(LatentModels.Fuzz.FuzzTargets.Parquet, file);
        fuzz.Should().Throw<RowFormatException>(); // Not FuzzFindingException: within the allocation allowance.
    }

    [Fact]
    public void Every_snappy_page_whose_length_preamble_differs_from_its_header_is_rejected_before_it_is_decoded()
    {
        // Every compressed page of a file Parquet.Net wrote (Snappy, its default), its preamble replaced by other lengths
        // of the same encoded size (so the page's sizes stay consistent): the smallest and largest such lengths and the
        // header's size ± 1. Each page of a column read is rejected naming the page and both sizes (the string column is not read);
        // the unchanged file reads exactly.
        var (file, expected) = ValidFile();
        Read(file).Rows.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        int dataEnd = file.Length - 8 - Footer(file).Length;
        int pages = 0, rejected = 0, unread = 0;
        for (int position = 4; position < dataEnd;)
        {
            var facts = new PageHeaderFacts();
            var walker = new ThriftWalker(file.AsSpan(position, dataEnd - position), facts);
            walker.Struct(ParquetThriftSchema.PageHeader).Should().BeNull();
            int preamble = position + walker.Position;
            int length = 1;
            while ((file[preamble + length - 1] & 0x80) != 0)
            {
                length++;
            }

            long declared = facts.Uncompressed;
            long lowest = length == 1 ? 0 : 1L << (7 * (length - 1));
            long highest = (1L << (7 * length)) - 1;
            foreach (long value in new[] { lowest, highest, declared - 1, declared + 1 }.Where(v => v >= lowest && v <= highest && v != declared).Distinct())
            {
                byte[] mutated = (byte[])file.Clone();
                long v = value;
                for (int b = 0; b < length; b++, v >>= 7)
                {
                    mutated[preamble + b] = (byte)((v & 0x7F) | (b < length - 1 ? 0x80L : 0L));
                }

                var (rows, error) = Read(mutated);
                if (rows is not null)
                {
                    rows.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering()); // A page of the string column, not read.
                    unread++;
                    continue;
                }

                error!.Problem.Should().EndWith($"the page at byte {position} holds Snappy data that declares {value} bytes uncompressed; its header declares {declared}.");
                rejected++;
            }

            pages++;
            position += walker.Position + (int)facts.Compressed;
        }

        pages.Should().BeGreaterThanOrEqualTo(7 * _groupSizes.Length);
        rejected.Should().BeGreaterThanOrEqualTo(6 * _groupSizes.Length * 2); // The six numeric columns' pages, two lengths at least each.
        unread.Should().BeLessThan(rejected / 3);
    }
}
