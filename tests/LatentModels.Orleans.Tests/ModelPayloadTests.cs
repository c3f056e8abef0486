using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Statistics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>The binary wire form of models and statistics: 8 bytes a double, bit-exact, and bounded on hostile input.</summary>
public sealed class ModelPayloadTests
{
    private static readonly Serializer _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T ThroughOrleans<T>(T value) => _serializer.Deserialize<T>(_serializer.SerializeToArray(value))!;

    [Fact]
    public void Models_and_statistics_cross_Orleans_bit_for_bit_including_negative_zero_subnormals_and_extremes()
    {
        double[,] centers = { { -0.0, 5e-324, -2.2250738585072014E-308 }, { 1e300, -1.7976931348623157E308 / 1e10, 0.1 }, { 1.0 / 3, -7, 123456789012345 } };
        var model = new KMeansModel(centers);
        KMeansModel back = ThroughOrleans(new ShardWork { Model = ModelPayload.Encode(model) }).Model.Decode<KMeansModel>();
        Bits(back.Centers).Should().Equal(Bits(centers));
        BitConverter.DoubleToInt64Bits(back.Centers[0, 0]).Should().Be(BitConverter.DoubleToInt64Bits(-0.0), "−0 keeps its sign");

        double[,] x = Blobs(500, 31);
        KMeansStatistics s = KMeansStatistics.Compute(new KMeansModel(Slice(x, 0, 3)), x);
        KMeansStatistics sBack = ThroughOrleans(ModelPayload.Encode(s)).Decode<KMeansStatistics>();
        Bits(sBack.Means).Should().Equal(Bits(s.Means));
        Bits(sBack.Scatters).Should().Equal(Bits(s.Scatters));
        sBack.TotalWeight.Should().Be(s.TotalWeight);

        GaussianMixtureModel gmm = GaussianMixtureModel.Create(CovarianceType.Full, [0.5, 0.5], new double[,] { { 100, 0, 0 }, { 106, 3, 0 } },
            [1, 0.2, 0, 0.2, 1, 0, 0, 0, 1, /**/ 2, 0, 0, 0, 2, 0, 0, 0, 2]);
        GaussianMixtureStatistics g = GaussianMixtureStatistics.Compute(gmm, x);
        foreach (GaussianMixtureStatistics t in new[] { g, g.Empty() })
        {
            GaussianMixtureStatistics tBack = ThroughOrleans(ModelPayload.Encode(t)).Decode<GaussianMixtureStatistics>();
            Bits(tBack.Means).Should().Equal(Bits(t.Means));
            Bits(tBack.GetScatter(1)).Should().Equal(Bits(t.GetScatter(1)));
            tBack.LogLikelihood.Should().Be(t.LogLikelihood);
        }
    }

    [Fact]
    public void A_double_costs_about_eight_bytes_where_the_json_cost_about_thirty()
    {
        // The simulated run's shape (docs/scale-out.md): d = 8, K = 8, full-covariance statistics of one 256-row shard.
        const int d = 8, k = 8;
        var random = new Random(3);
        var x = new double[256, d];
        for (int i = 0; i < 256; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (i % k * 10) + Normal(random);
            }
        }

        double[,] means = Slice(x, 0, k);
        double[] covariances = [.. Enumerable.Range(0, k).SelectMany(_ => Enumerable.Range(0, d * d).Select(e => e % (d + 1) == 0 ? 1.0 : 0.0))];
        GaussianMixtureStatistics g = GaussianMixtureStatistics.Compute(GaussianMixtureModel.Create(CovarianceType.Full, [.. Enumerable.Repeat(1.0 / k, k)], means, covariances), x);
        KMeansStatistics s = KMeansStatistics.Compute(new KMeansModel(means), x);
        (object Value, int Doubles)[] cases = [(g, (k * (1 + d + (d * d))) + 1 + d + (d * d) + d + 2), (s, (k * ((2 * d) + 2)) + 1)];
        foreach ((object value, int doubles) in cases)
        {
            int payload = ModelPayload.Encode(value).Length, json = System.Text.Encoding.UTF8.GetByteCount(ModelJson.Serialize(value));
            payload.Should().BeGreaterThanOrEqualTo(8 * doubles).And.BeLessThan((int)(8.9 * doubles) + 300, "8 bytes a double plus the names and brackets (under one byte a double)");
            json.Should().BeGreaterThan(2 * payload);
        }

        // Orleans' framing adds a few bytes, not a per-double cost.
        ModelPayload p = ModelPayload.Encode(g);
        _serializer.SerializeToArray(p).Length.Should().BeLessThan(p.Length + 64);
    }

    [Fact]
    public void The_wire_carries_nan_payloads_verbatim_and_the_model_layer_refuses_them_clearly()
    {
        ModelPayload p = ModelPayload.Encode(new KMeansModel(new double[,] { { 1.5, 2.5 } }));
        byte[] bytes = p.Bytes.ToArray();
        int at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(2.5));
        at.Should().BePositive();
        BitConverter.GetBytes(BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF)).CopyTo(bytes, at); // a NaN with a payload
        ModelPayload nan = ThroughOrleans(ModelPayload.FromBytes(bytes));
        nan.Bytes.ToArray().Should().Equal(bytes, "the codec moves the bytes, NaN payload included, unchanged");
        FluentActions.Invoking(() => nan.Decode()).Should().Throw<ModelFormatException>().WithMessage("*number 2 is NaN, not a finite number*");
    }

    [Fact]
    public void Corrupt_or_hostile_payloads_fail_with_a_model_format_exception_and_never_allocate_what_they_declare()
    {
        byte[] good = ModelPayload.Encode(new KMeansModel(new double[,] { { 1, 2 }, { 3, 4 } })).Bytes.ToArray();
        for (int cut = 0; cut < good.Length; cut++)
        {
            FluentActions.Invoking(() => ModelPayload.FromBytes(good.AsSpan(0, cut)).Decode()).Should().Throw<ModelFormatException>($"a payload cut at {cut} bytes is corrupt");
        }

        var random = new Random(7);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                bad[random.Next(bad.Length)] = (byte)random.Next(256);
            }

            try
            {
                ModelPayload.FromBytes(bad).Decode();
            }
            catch (ModelFormatException)
            {
                // the only failure allowed
            }
        }

        // A structure that declares 2^28 bytes in a 7-byte payload: refused from the sizes, before anything is allocated.
        byte[] huge = [1, 0x80, 0x80, 0x80, 0x80, 0x01, 0];
        FluentActions.Invoking(() => ModelPayload.FromBytes(huge).Decode()).Should().Throw<ModelFormatException>().WithMessage("*structure length is 268435456, more than the 1*");
        byte[] deep = [1, 65, .. Enumerable.Repeat((byte)3, 65), 0]; // 65 nested arrays
        FluentActions.Invoking(() => ModelPayload.FromBytes(deep).Decode()).Should().Throw<ModelFormatException>().WithMessage("*corrupt*");

        // An Orleans message cut inside the payload: the declared length exceeds what remains, refused before allocation.
        byte[] message = _serializer.SerializeToArray(ModelPayload.FromBytes(good));
        FluentActions.Invoking(() => _serializer.Deserialize<ModelPayload>(message.AsSpan(0, message.Length - 5).ToArray()))
            .Should().Throw<ModelFormatException>().WithMessage("*declares * bytes but only * remain*");
    }

    [Fact]
    public void Engine_E_step_parts_cross_Orleans_bit_for_bit_with_their_worst_row_and_a_bad_worst_row_is_a_format_error()
    {
        double[,] x = Blobs(3000, 32);
        GaussianMixtureModel gmm = GaussianMixtureModel.Create(CovarianceType.Tied, [0.5, 0.5], new double[,] { { 100, 0, 0 }, { 106, 3, 0 } },
            [1, 0.2, 0, 0.2, 1, 0, 0, 0, 1]);
        var work = new ShardWork { Model = ModelPayload.Encode(gmm), Center = [103, 3, 0.3], BlockSize = 512, FirstRow = 65536 - 1000 };
        IReadOnlyList<ModelPayload> parts = ShardStatistics.ComputeParts(ThroughOrleans(work), new ShardData(x));
        parts.Should().HaveCount(2, "the shard's rows cross one global superblock boundary");
        foreach (ModelPayload part in parts)
        {
            ModelPayload back = ThroughOrleans(part);
            back.Bytes.ToArray().Should().Equal(part.Bytes.ToArray());
            var statistics = back.Decode<GaussianMixtureStatistics>();
            ModelPayload.Encode(statistics).Bytes.ToArray().Should().Equal(part.Bytes.ToArray(), "decoding and encoding again changes no bit, the worst row included");
            statistics.Reference.Should().Equal(103, 3, 0.3);
        }

        string json = ModelJson.Serialize(parts[1].Decode());
        int worst = int.Parse(System.Text.RegularExpressions.Regex.Match(json, "\"worstRow\": *([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        worst.Should().BeInRange(65536, 65536 + 1999, "the worst row is numbered globally, in the second part");
        string bad = System.Text.RegularExpressions.Regex.Replace(json, "\"worstRow\": *[0-9]+", "\"worstRow\": -3");
        FluentActions.Invoking(() => ModelJson.Deserialize(bad)).Should().Throw<ModelFormatException>().WithMessage("*worstRow*");
    }

    [Fact]
    public void Discrete_E_step_parts_cross_Orleans_bit_for_bit_cut_at_superblocks_and_a_cut_payload_is_a_format_error()
    {
        double[,] x = Binary(5000, 6, 3);
        var w = new double[5000];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = 0.25 + i % 5;
        }

        MixtureModel<Distributions.IndependentBernoulli> model = BernoulliMixture.CreateModel([0.4, 0.6],
            new double[,] { { 0.9, 0.8, 0.7, 0.2, 0.1, 0.3 }, { 0.1, 0.3, 0.2, 0.7, 0.9, 0.8 } });
        var work = new ShardWork { Model = ModelPayload.Encode(model), FirstRow = KMeansStatistics.SuperblockRows - 1000 };
        IReadOnlyList<ModelPayload> parts = ShardStatistics.ComputeParts(ThroughOrleans(work), new ShardData(x, w));
        parts.Should().HaveCount(2, "the shard's rows cross one global superblock boundary");
        foreach (ModelPayload part in parts)
        {
            ModelPayload back = ThroughOrleans(part);
            back.Bytes.ToArray().Should().Equal(part.Bytes.ToArray());
            ModelPayload.Encode(back.Decode<DiscreteMixtureStatistics>()).Bytes.ToArray().Should().Equal(part.Bytes.ToArray());
            byte[] bytes = part.Bytes.ToArray();
            FluentActions.Invoking(() => ModelPayload.FromBytes(bytes.AsSpan(0, bytes.Length / 2)).Decode()).Should().Throw<ModelFormatException>();
        }

        // The parts hold 1000 and 4000 rows: their total weight is the rows' own, summed exactly (quarter-integers).
        parts[0].Decode<DiscreteMixtureStatistics>().TotalWeight.Should().Be(w[..1000].Sum());
        parts[1].Decode<DiscreteMixtureStatistics>().TotalWeight.Should().Be(w[1000..].Sum());

        var reply = new SeedingReply { Rows = [1, 0, 1], Weights = [-0.0, 5e-324, 0.5] };
        Bits(ThroughOrleans(reply).Weights).Should().Equal(Bits(reply.Weights));
    }
}
