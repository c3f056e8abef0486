using LatentModels.LinearAlgebra;

namespace LatentModels.NeuralNetworks;

/// <summary>Adam's state (first and second moments, step count) for one flat parameter vector; each step is one fused kernel pass.</summary>
internal sealed class AdamOptimizer
{
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;
    private readonly float _learningRate;
    private readonly float _beta1;
    private readonly float _beta2;
    private readonly float _epsilon;
    private readonly float _weightDecay;

    public AdamOptimizer(int parameterCount, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    {
        _firstMoment = new float[parameterCount];
        _secondMoment = new float[parameterCount];
        _learningRate = (float)learningRate;
        _beta1 = (float)beta1;
        _beta2 = (float)beta2;
        _epsilon = (float)epsilon;
        _weightDecay = (float)weightDecay;
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradient"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        Steps++;
        var coefficients = new AdamUpdate.Coefficients(_learningRate, _beta1, _beta2, _epsilon, Steps, _weightDecay);
        AdamUpdate.Step(parameters, gradient, _firstMoment, _secondMoment, coefficients);
    }
}
