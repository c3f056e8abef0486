using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

/// <summary>
/// Class 2 of issue 14: a model file never costs more than it weighs. Sizes a file declares or implies are checked against
/// <see cref="ModelLoadLimits"/> and against the numbers the file holds before anything is allocated.
/// </summary>
public class LoadingLimitsTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    private static string Numbers(int count, string value = "0") => string.Join(",", Enumerable.Repeat(value, count));

    /// <summary>Loads <paramref name="json"/> (prepared beforehand) and returns the bytes this thread allocated while loading.</summary>
    private static long AllocatedWhileLoading(string json, string[] fragments)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        Action warm = () => ModelJson.Deserialize("{\"format\":\"LatentModels.Bernoulli\",\"p\":0.5}");
        warm(); // JIT and pools
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException? error = null;
        try
        {
            ModelJson.Load(new MemoryStream(bytes));
        }
        catch (ModelFormatException e)
        {
            error = e;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        error.Should().NotBeNull("the hostile file must be rejected");
        foreach (string fragment in fragments)
        {
            error!.Message.Should().Contain(fragment);
        }

        return allocated;
    }

    [Fact]
    public void A_12_KiB_full_covariance_file_implying_72_MB_is_rejected_before_allocating()
    {
        // K = 1, d = 3000: means hold 3000 numbers, the covariances would be 9,000,000 values; the file holds one row.
        string json = $"{{\"format\":\"LatentModels.GaussianMixture\",\"covarianceType\":\"Full\",\"weights\":[1],\"means\":[[{Numbers(3000)}]],\"covariances\":[[[1]]]}}";
        json.Length.Should().BeLessThan(12 * 1024);
        AllocatedWhileLoading(json, ["'covariances'", "9000000"]).Should().BeLessThan(2L << 20);
    }

    [Fact]
    public void A_matrix_whose_first_row_is_long_and_others_empty_is_rejected_before_allocating()
    {
        // The tied covariance is d × d = 4000²: row 0 is full, the other 3999 rows are empty.
        string rows = string.Join(",", Enumerable.Repeat("[]", 3999));
        string json = $"{{\"format\":\"LatentModels.WeightedMoments\",\"fullScatter\":true,\"weight\":1,\"mean\":[{Numbers(4000)}],\"scatter\":[[{Numbers(4000)}],{rows}]}}";
        AllocatedWhileLoading(json, ["Row 1 of the field 'scatter'"]).Should().BeLessThan(2L << 20);
    }

    [Fact]
    public void A_stream_state_declaring_a_million_components_of_dimension_ten_thousand_is_rejected_before_allocating()
    {
        var online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = new GaussianMixtureOptions { Components = 2, Seed = 4 } });
        online.UpdateAll(_data, 32);
        JsonObject root = JsonNode.Parse(ModelJson.Serialize(online))!.AsObject();
        root["options"]!["components"] = 1_000_000;
        root["dimension"] = 10_000;
        AllocatedWhileLoading(root.ToJsonString(), []).Should().BeLessThan(2L << 20);
    }

    [Fact]
    public void Declared_sizes_in_every_format_cost_at_most_a_few_megabytes()
    {
        // Every integer of every persistable kind replaced by 10^6, 10^9 and int.MaxValue: loads or fails cheaply.
        foreach (string kind in RobustnessTests.AllKinds)
        {
            string json = ModelJson.Serialize(RobustnessTests.Create(kind));
            foreach ((string path, JsonObject mutated) in Mutations.Integers(json, [1_000_000, 1_000_000_000, int.MaxValue]))
            {
                string text = mutated.ToJsonString();
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    ModelJson.Deserialize(text);
                }
                catch (ModelFormatException)
                {
                }

                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                allocated.Should().BeLessThan((8L << 20) + (40L * text.Length), $"{kind} with {path} changed");
            }
        }
    }

    [Fact]
    public void The_document_size_limit_is_checked_before_parsing_for_seekable_and_forward_only_streams()
    {
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 3 }).Fit(_data).Model;
        string json = ModelJson.Serialize(model);
        var limits = new ModelLoadLimits { MaxDocumentBytes = json.Length / 2 };
        Action seekable = () => ModelJson.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), limits);
        seekable.Should().Throw<ModelFormatException>().WithMessage("*MaxDocumentBytes*");
        Action forward = () => ModelJson.Load(new ForwardOnlyStream(Encoding.UTF8.GetBytes(json)), limits);
        forward.Should().Throw<ModelFormatException>().WithMessage("*MaxDocumentBytes*");
        Action text = () => ModelJson.Deserialize(json, limits);
        text.Should().Throw<ModelFormatException>().WithMessage("*MaxDocumentBytes*");

        var exact = new ModelLoadLimits { MaxDocumentBytes = Encoding.UTF8.GetByteCount(json) };
        ModelJson.Serialize(ModelJson.Load(new ForwardOnlyStream(Encoding.UTF8.GetBytes(json)), exact)).Should().Be(json);
    }

    [Fact]
    public void The_value_and_dimension_limits_name_themselves_and_the_field()
    {
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 3 }).Fit(_data).Model;
        string json = ModelJson.Serialize(model); // 2 weights, 2 × 2 means, 2 × 2 × 2 covariances
        Action few = () => ModelJson.Deserialize(json, new ModelLoadLimits { MaxValues = 10 });
        few.Should().Throw<ModelFormatException>().WithMessage("*MaxValues*").WithMessage("*covariances*");
        ModelJson.Serialize(ModelJson.Deserialize(json, new ModelLoadLimits { MaxValues = 14 })).Should().Be(json);

        Action narrow = () => ModelJson.Deserialize(json, new ModelLoadLimits { MaxDimension = 1 });
        narrow.Should().Throw<ModelFormatException>().WithMessage("*MaxDimension*").WithMessage("*'means[0]'*");

        Action bad = () => ModelJson.Deserialize(json, new ModelLoadLimits { MaxValues = 0 });
        bad.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxValues");
        ModelLoadLimits.Default.MaxDocumentBytes.Should().Be(256L << 20);
        ModelLoadLimits.Default.MaxValues.Should().Be(1L << 25);
        ModelLoadLimits.Default.MaxDimension.Should().Be(46_340);
    }

    [Fact]
    public void The_value_limit_counts_each_load_alone()
    {
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 3 }).Fit(_data).Model;
        string json = ModelJson.Serialize(model); // 14 values
        var limits = new ModelLoadLimits { MaxValues = 14 };
        for (int i = 0; i < 50; i++)
        {
            ModelJson.Serialize(ModelJson.Deserialize(json, limits)).Should().Be(json, $"load {i}");
        }

        Action failing = () => ModelJson.Deserialize(json, new ModelLoadLimits { MaxValues = 13 });
        failing.Should().Throw<ModelFormatException>();
        ModelJson.Serialize(ModelJson.Deserialize(json, limits)).Should().Be(json, "a failed load leaves nothing behind");
    }

    [Fact]
    public void A_diagonal_model_of_high_dimension_loads_without_a_d_squared_buffer()
    {
        // K = 1, d = 20,000 diagonal: 40,001 numbers in the file; a d × d scratch would be 3.2 GB.
        int d = 20_000;
        string json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"format\":\"LatentModels.GaussianMixture\",\"covarianceType\":\"Diagonal\",\"weights\":[1],\"means\":[[{Numbers(d)}]],\"covariances\":[[{Numbers(d, "1")}]]}}");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = ModelJson.Deserialize<GaussianMixtureModel>(json);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(40L << 20);
        model.Dimension.Should().Be(d);
        var x = new double[1, d];
        model.LogDensity(x.Row(0)).Should().BeApproximately(-0.5 * d * Math.Log(2 * Math.PI), 1e-6);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 100));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
