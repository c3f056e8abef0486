using LatentModels.Randomness;

namespace LatentModels.Tests.Randomness;

public class PersistableRandomTests
{
    [Fact]
    public void Xoshiro256StarStar_matches_the_reference_implementation()
    {
        // Output of Vigna's xoshiro256starstar.c (https://prng.di.unimi.it/) from the state {1, 2, 3, 4}, as published in
        // the test vectors of several ports (e.g. the C++ port vigna::xoshiro256ss and Rust's rand_xoshiro).
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576,
        ];
        var random = new PersistableRandom([1UL, 2, 3, 4]);
        expected.Select(_ => random.NextUInt64()).Should().Equal(expected);
    }

    [Fact]
    public void Seeding_is_splitmix64_matching_its_reference_outputs()
    {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five outputs for seed 1234567.
        ulong x = 1234567;
        ulong[] outputs = Enumerable.Range(0, 5).Select(_ => PersistableRandom.SplitMix64(ref x)).ToArray();
        outputs.Should().Equal(6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821);

        // A seeded generator starts from the first four SplitMix64 outputs of the (sign-extended) seed.
        new PersistableRandom(1234567).GetState().Should().Equal(outputs.Take(4));
        ulong minusOne = ulong.MaxValue;
        new PersistableRandom(-1).GetState()[0].Should().Be(PersistableRandom.SplitMix64(ref minusOne));
        new PersistableRandom(0).GetState().Should().NotEqual(new PersistableRandom(1).GetState());
    }

    [Fact]
    public void Derived_draws_are_the_documented_functions_of_the_raw_output()
    {
        var raw = new PersistableRandom(99);
        var random = new PersistableRandom(99);
        for (int i = 0; i < 200; i++)
        {
            random.NextDouble().Should().Be((raw.NextUInt64() >> 11) * Math.Pow(2, -53));
            random.NextSingle().Should().Be((raw.NextUInt64() >> 40) * MathF.Pow(2, -24));
            random.Next().Should().Be((int)(raw.NextUInt64() >> 33)); // int.MaxValue (rejected) has probability 2⁻³¹
        }

        var bytes = new byte[11];
        random.NextBytes(bytes);
        BitConverter.ToUInt64(bytes, 0).Should().Be(raw.NextUInt64());
        bytes.AsSpan(8).ToArray().Should().Equal(BitConverter.GetBytes(raw.NextUInt64()).Take(3));
    }

    [Fact]
    public void Bounded_integers_are_in_range_and_uniform()
    {
        // 6 and 7 do not divide 2³², so a plain modulo or a scaled double would be (slightly) biased; here the chi-square
        // statistic over 70,000 draws must stay below the 99.9 % quantile (22.46 for 6 degrees of freedom:
        // scipy.stats.chi2.ppf(0.999, 6)).
        var random = new PersistableRandom(2026);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            int v = random.Next(7);
            counts[v]++;
        }

        double chi2 = counts.Sum(c => (c - 10_000.0) * (c - 10_000.0) / 10_000.0);
        chi2.Should().BeLessThan(22.46);

        for (int i = 0; i < 2000; i++)
        {
            random.Next(-3, 4).Should().BeInRange(-3, 3);
            random.Next(int.MinValue, int.MaxValue).Should().BeLessThan(int.MaxValue);
            random.NextInt64(-(1L << 40), 1L << 50).Should().BeInRange(-(1L << 40), (1L << 50) - 1);
            random.NextInt64(1000).Should().BeInRange(0, 999);
            random.NextInt64().Should().BeInRange(0, long.MaxValue - 1);
        }

        random.Next(0).Should().Be(0);
        random.Next(1).Should().Be(0);
        random.Next(5, 5).Should().Be(5);
        random.NextInt64(long.MinValue, long.MinValue + 1).Should().Be(long.MinValue);

        // The mean of many doubles is 1/2 within 4 standard errors (σ = 1/√12 per draw).
        double mean = Enumerable.Range(0, 100_000).Average(_ => random.NextDouble());
        mean.Should().BeApproximately(0.5, 4 / Math.Sqrt(12 * 100_000.0));
    }

    [Fact]
    public void Restored_state_continues_the_sequence_exactly()
    {
        var original = new PersistableRandom(123);
        for (int steps = 0; steps < 50; steps++)
        {
            original.Next(1 + steps);
            original.NextDouble();
            var restored = new PersistableRandom(999);
            restored.SetState(original.GetState());
            Enumerable.Range(0, 10).Select(_ => restored.NextUInt64()).Should().Equal(Enumerable.Range(0, 10).Select(_ => original.NextUInt64()));
        }

        var copy = new PersistableRandom(original.GetState());
        int[] a = [1, 2, 3, 4, 5, 6, 7, 8], b = [1, 2, 3, 4, 5, 6, 7, 8];
        original.Shuffle(a);
        copy.Shuffle(b);
        a.Should().Equal(b);
        a.Should().BeEquivalentTo(new[] { 1, 2, 3, 4, 5, 6, 7, 8 });
    }

    [Fact]
    public void Invalid_state_and_arguments_are_rejected()
    {
        var r = new PersistableRandom(1);
        Action shortState = () => r.SetState(new ulong[3]);
        shortState.Should().Throw<ArgumentException>().WithParameterName("state").WithMessage("*3 words*");
        Action zero = () => r.SetState(new ulong[4]);
        zero.Should().Throw<ArgumentException>().WithParameterName("state").WithMessage("*all zero*");
        Action zeroCtor = () => _ = new PersistableRandom(new ulong[4]);
        zeroCtor.Should().Throw<ArgumentException>();
        Action negative = () => r.Next(-1);
        negative.Should().Throw<ArgumentOutOfRangeException>();
        Action reversed = () => r.Next(5, 4);
        reversed.Should().Throw<ArgumentOutOfRangeException>();
        Action reversed64 = () => r.NextInt64(5, 4);
        reversed64.Should().Throw<ArgumentOutOfRangeException>();
        r.GetState().Should().Equal(new PersistableRandom(1).GetState(), "failed calls leave the state alone");
    }
}
