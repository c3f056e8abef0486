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

    /// <summary>Parameters per parallel block (the update is element-wise: blocks never change a bit).</summary>
    private const int BlockSize = 1 << 15;

    private float[] _parameters = [];
    private float[] _gradient = [];
    private AdamUpdate.Coefficients _coefficients;

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradient"/>, over fixed blocks on up to <paramref name="maxDegreeOfParallelism"/> threads.</summary>
    public void Step(float[] parameters, float[] gradient, int maxDegreeOfParallelism)
    {
        Steps++;
        _coefficients = new AdamUpdate.Coefficients(_learningRate, _beta1, _beta2, _epsilon, Steps, _weightDecay);
        _parameters = parameters;
        _gradient = gradient;
        ParallelBlocks.For(parameters.Length, BlockSize, maxDegreeOfParallelism, this, static (adam, _, start, end) => adam.Block(start, end));
        _parameters = [];
        _gradient = [];
    }

    private void Block(int start, int end)
    {
        int n = end - start;
        AdamUpdate.Step(_parameters.AsSpan(start, n), _gradient.AsSpan(start, n), _firstMoment.AsSpan(start, n), _secondMoment.AsSpan(start, n),
            _coefficients);
    }
}
