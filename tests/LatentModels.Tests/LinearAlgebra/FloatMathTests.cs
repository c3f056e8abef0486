using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class FloatMathTests
{
    public static TheoryData<int, int> WidthsAndSizes()
    {
        var data = new TheoryData<int, int>();
        foreach (int width in new[] { 128, 256, 512 })
        {
            foreach (int n in new[] { 1, 7, 17, 63, 65, 257 })
            {
                data.Add(width, n);
            }
        }

        return data;
    }

    /// <summary>Runs a function at a forced vector width.</summary>
    private static float[] Run<TFunction>(int width, float[] x)
        where TFunction : struct, IElementwiseFunction<float>
    {
        var y = new float[x.Length];
        switch (width)
        {
            case 128:
                FloatMath.Apply<TFunction, Vector128<float>, Simd128<float>>(x, y);
                break;
            case 256:
                FloatMath.Apply<TFunction, Vector256<float>, Simd256<float>>(x, y);
                break;
            default:
                FloatMath.Apply<TFunction, Vector512<float>, Simd512<float>>(x, y);
                break;
        }

        return y;
    }

    private static float[] Values(int n, int seed, float low, float high)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(low + (high - low) * random.NextDouble())).ToArray();
    }

    /// <summary>|actual − expected| within a relative tolerance (plus a tiny absolute one for results near zero).</summary>
    private static void Close(float[] actual, IEnumerable<double> expected, double relative, double absolute = 1e-44)
    {
        double[] e = expected.ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Math.Abs(actual[i] - e[i]).Should().BeLessThanOrEqualTo(relative * Math.Abs(e[i]) + absolute, $"element {i} of {actual.Length}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Exp_matches_the_runtime_at_every_width(int width, int n)
    {
        float[] x = Values(n, n, -87f, 88f);
        Close(Run<FloatMath.ExpFunction>(width, x), x.Select(v => Math.Exp(v)), 4e-7);
        float[] small = Values(n, n + 1, -1f, 1f);
        Close(Run<FloatMath.ExpFunction>(width, small), small.Select(v => Math.Exp(v)), 4e-7);
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Log_matches_the_runtime_at_every_width(int width, int n)
    {
        float[] x = Values(n, n, 0f, 1f).Select(v => MathF.Pow(10, 60 * v - 30)).ToArray();
        Close(Run<FloatMath.LogFunction>(width, x), x.Select(v => Math.Log(v)), 4e-7, 1e-7);
        float[] nearOne = Values(n, n + 1, 0.9f, 1.1f);
        Close(Run<FloatMath.LogFunction>(width, nearOne), nearOne.Select(v => Math.Log(v)), 1e-6, 1e-8);
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Sigmoid_is_stable_and_accurate_at_every_width(int width, int n)
    {
        float[] x = Values(n, n, -120f, 120f);
        x[0] = -100f;
        Close(Run<FloatMath.SigmoidFunction>(width, x), x.Select(v => 1.0 / (1.0 + Math.Exp(-(double)v))), 6e-7);
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Softplus_is_stable_and_accurate_at_every_width(int width, int n)
    {
        float[] x = Values(n, n, -120f, 120f);
        x[0] = -100f;
        static double Reference(double v)
        {
            // max(v, 0) + log1p(exp(−|v|)) in double, log1p by Goldberg's u = 1 + e trick (naive log(1 + e) loses e).
            double e = Math.Exp(-Math.Abs(v)), u = 1 + e;
            return Math.Max(v, 0) + (u == 1 ? e : Math.Log(u) * e / (u - 1));
        }

        Close(Run<FloatMath.SoftplusFunction>(width, x), x.Select(v => Reference(v)), 6e-7);
        float[] small = Values(n, n + 1, -3f, 3f);
        Close(Run<FloatMath.SoftplusFunction>(width, small), small.Select(v => Reference(v)), 6e-7);
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Tanh_is_accurate_near_zero_and_saturates_at_every_width(int width, int n)
    {
        float[] x = Values(n, n, -12f, 12f);
        Close(Run<FloatMath.TanhFunction>(width, x), x.Select(v => Math.Tanh(v)), 6e-7);
        float[] small = Values(n, n + 1, -0.5f, 0.5f);
        small[0] = 1e-6f;
        Close(Run<FloatMath.TanhFunction>(width, small), small.Select(v => Math.Tanh(v)), 6e-7);
    }

    [Fact]
    public void Special_values_follow_the_runtime()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 100f, -100f, 0f, -0f, 88.5f, -87.5f];
        float[] exp = new float[x.Length];
        FloatMath.Exp(x, exp);
        for (int i = 0; i < x.Length; i++)
        {
            exp[i].Should().Be(MathF.Exp(x[i]), $"exp({x[i]})");
        }

        float[] logIn = [0f, -1f, float.PositiveInfinity, float.NaN, 1e-40f, 1f, float.MaxValue];
        float[] log = new float[logIn.Length];
        FloatMath.Log(logIn, log);
        for (int i = 0; i < logIn.Length; i++)
        {
            if (float.IsFinite(MathF.Log(logIn[i])) && logIn[i] != 1f)
            {
                log[i].Should().BeApproximately(MathF.Log(logIn[i]), 1e-5f * Math.Abs(MathF.Log(logIn[i])));
            }
            else
            {
                log[i].Should().Be(MathF.Log(logIn[i]), $"log({logIn[i]})");
            }
        }

        float[] s = new float[x.Length];
        FloatMath.Sigmoid(x, s);
        float.IsNaN(s[0]).Should().BeTrue();
        s[1].Should().Be(1f);
        s[2].Should().Be(0f);
        s[3].Should().Be(1f);
        s[4].Should().BeApproximately((float)Math.Exp(-100), 1e-45f);
        s[5].Should().Be(0.5f);

        float[] sp = new float[x.Length];
        FloatMath.Softplus(x, sp);
        float.IsNaN(sp[0]).Should().BeTrue();
        sp[1].Should().Be(float.PositiveInfinity);
        sp[2].Should().Be(0f);
        sp[3].Should().Be(100f);
        sp[4].Should().BeApproximately((float)Math.Exp(-100), 1e-45f);
        sp[5].Should().BeApproximately(MathF.Log(2), 1e-7f);

        float[] t = new float[x.Length];
        FloatMath.Tanh(x, t);
        float.IsNaN(t[0]).Should().BeTrue();
        t[1].Should().Be(1f);
        t[2].Should().Be(-1f);
        t[5].Should().Be(0f);
    }

    [Fact]
    public void Every_width_gives_the_same_bits_and_a_value_never_depends_on_its_position()
    {
        float[] x = Values(257, 5, -20f, 20f);
        float[] wide = Run<FloatMath.SoftplusFunction>(512, x);
        Run<FloatMath.SoftplusFunction>(256, x).Should().Equal(wide);
        Run<FloatMath.SoftplusFunction>(128, x).Should().Equal(wide);
        Run<FloatMath.SigmoidFunction>(128, x).Should().Equal(Run<FloatMath.SigmoidFunction>(512, x));
        Run<FloatMath.TanhFunction>(256, x[3..]).Should().Equal(Run<FloatMath.TanhFunction>(256, x)[3..]);
    }
}
