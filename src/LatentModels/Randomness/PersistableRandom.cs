using System.Buffers.Binary;
using System.Numerics;

namespace LatentModels.Randomness;

/// <summary>
/// A seedable <see cref="Random"/> whose state can be saved and restored (the state of <see cref="Random"/> itself
/// cannot), so an online estimator saved mid-stream continues exactly as it would have.
/// <para>
/// The generator is xoshiro256** 1.0 (Blackman and Vigna, 2018; 256 bits of state, period 2²⁵⁶ − 1, passes BigCrush
/// and PractRand), seeded by expanding the 32-bit seed into four words with SplitMix64 (Steele, Lea and Flood, 2014),
/// as the authors recommend. Integers in a range are drawn without modulo bias (Lemire's multiply-and-reject method),
/// doubles are the top 53 bits scaled by 2⁻⁵³ (so every value is a multiple of 2⁻⁵³ in [0, 1)).
/// </para>
/// <para>
/// For a given seed the sequence is fixed forever: it is part of the saved-state format
/// (<c>"random": {"algorithm": "xoshiro256**", "state": [four 16-digit hexadecimal words]}</c>).
/// It is not a cryptographic generator.
/// </para>
/// </summary>
public sealed class PersistableRandom : Random
{
    /// <summary>Number of 64-bit words in <see cref="GetState"/>.</summary>
    public const int StateLength = 4;

    /// <summary>The algorithm's name as written into saved states.</summary>
    public const string Algorithm = "xoshiro256**";

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates the generator from a seed: the state is the first four outputs of SplitMix64 started at the seed.</summary>
    /// <param name="seed">Any value; distinct seeds give unrelated sequences.</param>
    public PersistableRandom(int seed)
    {
        ulong x = (ulong)(long)seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Creates the generator with an explicit state, e.g. one from <see cref="GetState"/>.</summary>
    /// <param name="state">Four words, not all zero.</param>
    /// <exception cref="ArgumentException">The state does not have four words, or they are all zero.</exception>
    public PersistableRandom(ReadOnlySpan<ulong> state) => SetState(state);

    /// <summary>A copy of the four state words; <see cref="SetState"/> with them continues the sequence exactly.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Continues from a state saved with <see cref="GetState"/>.</summary>
    /// <param name="state">Four words, not all zero (the one state xoshiro256** cannot leave).</param>
    /// <exception cref="ArgumentException">The state does not have four words, or they are all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != StateLength)
        {
            throw new ArgumentException($"The random state has {state.Length} words; it must have {StateLength}.", nameof(state));
        }

        if ((state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException("The random state is all zero, which xoshiro256** never reaches and cannot leave.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>The next raw 64-bit output of xoshiro256**.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A non-negative integer less than <see cref="int.MaxValue"/>.</summary>
    public override int Next()
    {
        while (true)
        {
            int result = (int)(NextUInt64() >> 33);
            if (result != int.MaxValue)
            {
                return result;
            }
        }
    }

    /// <summary>An integer in [0, <paramref name="maxValue"/>), uniform without bias (0 when <paramref name="maxValue"/> is 0).</summary>
    /// <param name="maxValue">The exclusive upper bound, non-negative.</param>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (int)Below((uint)maxValue);
    }

    /// <summary>An integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>), uniform without bias.</summary>
    /// <param name="minValue">The inclusive lower bound.</param>
    /// <param name="maxValue">The exclusive upper bound, at least <paramref name="minValue"/>.</param>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        uint range = (uint)(maxValue - minValue);
        return range <= 1 ? minValue : (int)(Below(range) + (uint)minValue);
    }

    /// <summary>A non-negative integer less than <see cref="long.MaxValue"/>.</summary>
    public override long NextInt64()
    {
        while (true)
        {
            long result = (long)(NextUInt64() >> 1);
            if (result != long.MaxValue)
            {
                return result;
            }
        }
    }

    /// <summary>An integer in [0, <paramref name="maxValue"/>), uniform without bias.</summary>
    /// <param name="maxValue">The exclusive upper bound, non-negative.</param>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (long)Below64((ulong)maxValue);
    }

    /// <summary>An integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>), uniform without bias.</summary>
    /// <param name="minValue">The inclusive lower bound.</param>
    /// <param name="maxValue">The exclusive upper bound, at least <paramref name="minValue"/>.</param>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        ulong range = (ulong)(maxValue - minValue);
        return range <= 1 ? minValue : (long)(Below64(range) + (ulong)minValue);
    }

    /// <summary>A double in [0, 1): the top 53 bits of one output times 2⁻⁵³.</summary>
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A float in [0, 1): the top 24 bits of one output times 2⁻²⁴.</summary>
    public override float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Fills the buffer with random bytes (eight per output, little-endian).</summary>
    /// <param name="buffer">The destination.</param>
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <summary>Fills the span with random bytes (eight per output, little-endian).</summary>
    /// <param name="buffer">The destination.</param>
    public override void NextBytes(Span<byte> buffer)
    {
        while (buffer.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, NextUInt64());
            buffer = buffer[8..];
        }

        if (!buffer.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(last, NextUInt64());
            last[..buffer.Length].CopyTo(buffer);
        }
    }

    /// <summary>The same as <see cref="NextDouble"/>.</summary>
    protected override double Sample() => NextDouble();

    /// <summary>One step of SplitMix64: advances <paramref name="x"/> by the golden gamma and returns the mixed value.</summary>
    internal static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, range) for 2 ≤ range &lt; 2³²: Lemire's multiply-shift on the top 32 bits, rejecting the biased low part.</summary>
    private uint Below(uint range)
    {
        ulong product = (NextUInt64() >> 32) * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (0u - range) % range;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * range;
                low = (uint)product;
            }
        }

        return (uint)(product >> 32);
    }

    /// <summary>Uniform in [0, range) for range ≥ 2: Lemire's method with a 128-bit product.</summary>
    private ulong Below64(ulong range)
    {
        ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
        if (low < range)
        {
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), range, out low);
            }
        }

        return high;
    }
}
