using LatentModels.LinearAlgebra;
using LatentModels.NeuralNetworks;

namespace LatentModels.Tests.NeuralNetworks;

/// <summary>
/// Every analytic gradient of the float network against central finite differences of <see cref="VaeReference"/>, a
/// naive double-precision implementation of the same function at the same (float-valued) point.
/// </summary>
public class GradientCheckTests
{
    private const double H = 1e-6;

    private static float[] Uniform(int n, Random random, double low, double high) =>
        Enumerable.Range(0, n).Select(_ => (float)(low + ((high - low) * random.NextDouble()))).ToArray();

    private static double[] ToDouble(ReadOnlySpan<float> values) => values.ToArray().Select(v => (double)v).ToArray();

    private static double CentralDifference(Func<double[], double> f, double[] point, int k)
    {
        double saved = point[k];
        point[k] = saved + H;
        double plus = f(point);
        point[k] = saved - H;
        double minus = f(point);
        point[k] = saved;
        return (plus - minus) / (2 * H);
    }

    private static void ShouldMatch(float analytic, double numeric, string what) =>
        ((double)analytic).Should().BeApproximately(numeric, 1e-4 + (1e-3 * Math.Abs(numeric)), what);

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    public void A_dense_layers_weight_bias_and_input_gradients_match_finite_differences(Activation activation)
    {
        const int inputs = 7, outputs = 5, rows = 4, offset = 3;
        var layer = new DenseLayer(inputs, outputs, offset, activation);
        var random = new Random(11);
        float[] p = Uniform(offset + layer.ParameterCount, random, -1, 1);
        float[] x = Uniform(rows * inputs, random, -1, 1);
        double[] g = ToDouble(Uniform(rows * outputs, random, -1, 1));

        var y = new float[rows * outputs];
        layer.Forward(p, x, rows, y, 1);
        double[] reference = VaeReference.Dense(layer, ToDouble(p), ToDouble(x), rows);
        for (int i = 0; i < y.Length; i++)
        {
            ((double)y[i]).Should().BeApproximately(reference[i], 1e-5, "the forward pass is the naive layer");
        }

        float[] delta = g.Select(v => (float)v).ToArray();
        var gradient = new float[p.Length];
        var inputGradient = new float[x.Length];
        layer.Backward(p, x, y, rows, delta, gradient, inputGradient, 1);

        double Objective(double[] pd, double[] xd) => VaeReference.Dense(layer, pd, xd, rows).Zip(g, (a, b) => a * b).Sum();
        double[] pd = ToDouble(p), xd = ToDouble(x);
        for (int k = offset; k < p.Length; k++)
        {
            ShouldMatch(gradient[k], CentralDifference(q => Objective(q, xd), pd, k), $"parameter {k}");
        }

        for (int k = 0; k < x.Length; k++)
        {
            ShouldMatch(inputGradient[k], CentralDifference(q => Objective(pd, q), xd, k), $"input {k}");
        }
    }

    public static TheoryData<HiddenActivation, DecoderLikelihood, bool> Networks() => new()
    {
        { HiddenActivation.Tanh, DecoderLikelihood.Bernoulli, false },
        { HiddenActivation.Relu, DecoderLikelihood.Bernoulli, false },
        { HiddenActivation.Tanh, DecoderLikelihood.Gaussian, true },
        { HiddenActivation.Relu, DecoderLikelihood.Gaussian, false },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_whole_losss_gradient_matches_finite_differences_of_a_double_reference(HiddenActivation activation,
        DecoderLikelihood likelihood, bool learnVariance)
    {
        const int rows = 3;
        var a = new VaeArchitecture(5, [4, 3], 2, activation, likelihood, learnVariance, 0.5, 1e-3);
        var random = new Random(5);
        float[] p = Uniform(a.ParameterCount, random, -0.8, 0.8);
        float[] x = Uniform(rows * a.InputDimension, random, 0, 1);

        var ws = new VaeWorkspace(a, rows, 1);
        x.CopyTo(ws.Input, 0);
        double loss = ws.Forward(p, rows, new Random(7), withGradient: true);
        ws.Backward(p, rows);

        double[] eps = ToDouble(ws.Epsilon.AsSpan(0, rows * a.LatentDimension));
        double[] xd = ToDouble(x), pd = ToDouble(p);
        double Objective(double[] q) => VaeReference.Loss(a, q, xd, eps, rows);
        double reference = Objective(pd);
        loss.Should().BeApproximately(reference, 1e-5 * Math.Abs(reference), "the float forward pass is the double reference");
        for (int k = 0; k < p.Length; k++)
        {
            ShouldMatch(ws.Gradient[k], CentralDifference(Objective, pd, k), $"parameter {k} of {p.Length}");
        }
    }

    [Fact]
    public void The_bernoulli_loss_stays_finite_and_exact_for_extreme_logits()
    {
        float[] logits = [-1e4f, -100f, -20f, -1e-3f, 0f, 1e-3f, 20f, 100f, 1e4f, 3f, -3f, 0.5f, 7f, -7f, 50f, -50f, 1f];
        float[] x = logits.Select((_, i) => (float)((i % 3) / 2.0)).ToArray();
        var gradient = new float[logits.Length];
        double loss = LogisticLoss.Row(logits, x, gradient, 0.5f);
        double expected = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            double l = logits[j];
            double softplus = Math.Max(l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l)));
            expected += softplus - (x[j] * l);
            double sigmoid = 1 / (1 + Math.Exp(-l));
            ((double)gradient[j]).Should().BeApproximately((sigmoid - x[j]) * 0.5, 1e-7, $"gradient {j}");
        }

        loss.Should().BeApproximately(expected, 1e-6 * Math.Abs(expected));
    }
}
