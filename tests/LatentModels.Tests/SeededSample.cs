using CsCheck;

namespace LatentModels.Tests;

/// <summary>
/// Runs a CsCheck generator from a fixed PCG seed, so a property test draws the same cases on every run and CI cannot
/// turn red on a case no earlier run saw (CsCheck's own <c>Sample</c> seeds only its first iteration). A failing case
/// is reported with its iteration and value.
/// </summary>
internal static class SeededSample
{
    /// <summary>Checks <paramref name="assert"/> on <paramref name="iterations"/> values drawn from <paramref name="seed"/>.</summary>
    public static void SampleSeeded<T>(this Gen<T> gen, Action<T> assert, int iterations, ulong seed = 20261207)
    {
        var pcg = new PCG(1, seed);
        for (int i = 0; i < iterations; i++)
        {
            T value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"Case {i} of {iterations} (seed {seed}) failed for {value}: {e.Message}", e);
            }
        }
    }

    /// <summary>The two-argument form, for a generator of pairs.</summary>
    public static void SampleSeeded<T1, T2>(this Gen<(T1, T2)> gen, Action<T1, T2> assert, int iterations, ulong seed = 20261207) =>
        gen.SampleSeeded(pair => assert(pair.Item1, pair.Item2), iterations, seed);
}
