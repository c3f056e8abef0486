using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class ElementwiseMathTests
{
    /// <summary>Distance in units in the last place between two finite doubles of the same sign.</summary>
    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    [Theory]
    [InlineData(-708.0, 709.0)]
    [InlineData(-1.0, 1.0)]
    [InlineData(-1e-6, 1e-6)]
    [InlineData(-745.0, -700.0)]
    public void Exp_is_within_two_ulps_of_Math_Exp(double low, double high)
    {
        var random = new Random(11);
        var x = new double[10_001];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = low + (high - low) * random.NextDouble();
        }

        var y = new double[x.Length];
        ElementwiseMath.Exp(x, y);
        long worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Exp(x[i]);
            worst = Math.Max(worst, expected == 0 ? (y[i] == 0 ? 0 : long.MaxValue) : Ulps(y[i], expected));
        }

        worst.Should().BeLessThanOrEqualTo(2);
    }

    [Theory]
    [InlineData(1e-300, 1e300)]
    [InlineData(0.5, 2.0)]
    [InlineData(0.999, 1.001)]
    [InlineData(1.0, 16.0)]
    public void Log_is_within_two_ulps_of_Math_Log(double low, double high)
    {
        var random = new Random(12);
        var x = new double[10_001];
        for (int i = 0; i < x.Length; i++)
        {
            // Log-uniform over wide ranges, uniform over narrow ones.
            x[i] = high / low > 100 ? Math.Exp(Math.Log(low) + (Math.Log(high) - Math.Log(low)) * random.NextDouble()) : low + (high - low) * random.NextDouble();
        }

        var y = new double[x.Length];
        ElementwiseMath.Log(x, y);
        long worst = 0;
        double worstAbsolute = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Log(x[i]);
            // Near x = 1 the result is tiny; compare in ulps of the result there as well.
            worst = Math.Max(worst, Math.Sign(expected) == Math.Sign(y[i]) ? Ulps(y[i], expected) : long.MaxValue);
            worstAbsolute = Math.Max(worstAbsolute, Math.Abs(y[i] - expected));
        }

        worst.Should().BeLessThanOrEqualTo(2);
        worstAbsolute.Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Special_values_equal_the_runtimes()
    {
        double[] x = [double.NegativeInfinity, double.PositiveInfinity, double.NaN, 0.0, -0.0, -1.0, 1.0, 710.0, -800.0, -740.0,
            double.Epsilon, 2.2250738585072014e-308 / 3, double.MaxValue, 1e-310];
        var exp = new double[x.Length];
        var log = new double[x.Length];
        ElementwiseMath.Exp(x, exp);
        ElementwiseMath.Log(x, log);
        for (int i = 0; i < x.Length; i++)
        {
            // Special values and out-of-range vectors go through the runtime's functions: identical bits.
            BitConverter.DoubleToInt64Bits(exp[i]).Should().Be(BitConverter.DoubleToInt64Bits(Math.Exp(x[i])), $"exp({x[i]})");
            BitConverter.DoubleToInt64Bits(log[i]).Should().Be(BitConverter.DoubleToInt64Bits(Math.Log(x[i])), $"log({x[i]})");
        }
    }

    [Fact]
    public void A_value_gives_the_same_bits_wherever_it_sits_in_a_span()
    {
        var random = new Random(5);
        var x = new double[37];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = 20 * random.NextDouble() - 10;
        }

        var full = new double[x.Length];
        ElementwiseMath.Exp(x, full);
        for (int offset = 1; offset < 7; offset++)
        {
            var part = new double[x.Length - offset];
            ElementwiseMath.Exp(x.AsSpan(offset), part);
            part.Should().Equal(full.Skip(offset));
        }

        // Special values among ordinary ones change nothing for their neighbours.
        double[] mixed = [.. x];
        mixed[3] = double.NaN;
        mixed[9] = 800;
        mixed[17] = double.NegativeInfinity;
        var withSpecials = new double[x.Length];
        ElementwiseMath.Exp(mixed, withSpecials);
        var logs = new double[x.Length];
        var logsWithSpecials = new double[x.Length];
        double[] positive = x.Select(Math.Abs).ToArray();
        ElementwiseMath.Log(positive, logs);
        positive[3] = 0;
        positive[10] = -1;
        positive[20] = 1e-310;
        ElementwiseMath.Log(positive, logsWithSpecials);
        for (int i = 0; i < x.Length; i++)
        {
            if (i is not (3 or 9 or 17))
            {
                withSpecials[i].Should().Be(full[i]);
            }

            if (i is not (3 or 10 or 20))
            {
                logsWithSpecials[i].Should().Be(logs[i]);
            }
        }

        var inPlace = (double[])x.Clone();
        ElementwiseMath.Exp(inPlace, inPlace);
        inPlace.Should().Equal(full);
    }

    [Fact]
    public void A_short_destination_is_an_argument_error()
    {
        Action act = () => ElementwiseMath.Exp(new double[5], new double[4]);
        act.Should().Throw<ArgumentException>().WithParameterName("destination");
    }
}
