using LatentModels.LinearAlgebra;

namespace LatentModels.NeuralNetworks;

/// <summary>
/// A dense layer y = f(x·W + b) over a batch of rows, its weights (Inputs × Outputs, row-major) and bias (Outputs) held at
/// fixed offsets of one flat parameter vector, so the optimiser updates every layer in one pass.
/// </summary>
/// <param name="Inputs">Width of x.</param>
/// <param name="Outputs">Width of y.</param>
/// <param name="Offset">Where W starts in the parameter vector; b follows it.</param>
/// <param name="Activation">f.</param>
internal readonly record struct DenseLayer(int Inputs, int Outputs, int Offset, Activation Activation)
{
    /// <summary>Number of parameters (weights and biases).</summary>
    public int ParameterCount => (Inputs * Outputs) + Outputs;

    /// <summary>Offset of the bias in the parameter vector.</summary>
    public int BiasOffset => Offset + (Inputs * Outputs);

    /// <summary>The weights W (Inputs × Outputs).</summary>
    public ReadOnlySpan<float> Weights(ReadOnlySpan<float> parameters) => parameters.Slice(Offset, Inputs * Outputs);

    /// <summary>The bias b.</summary>
    public ReadOnlySpan<float> Bias(ReadOnlySpan<float> parameters) => parameters.Slice(BiasOffset, Outputs);

    /// <summary>output (rows × Outputs) ← f(input·W + b), bias and activation fused into the GEMM.</summary>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int rows, Span<float> output, int maxDegreeOfParallelism) =>
        Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, rows, Outputs, Inputs, 1f, input, Inputs, Weights(parameters), Outputs,
            Bias(parameters), Activation, output, Outputs, maxDegreeOfParallelism);

    /// <summary>
    /// Back-propagation through the layer. <paramref name="outputGradient"/> (∂L/∂y, rows × Outputs) is turned in place
    /// into ∂L/∂(x·W + b); then ∂L/∂W = xᵀ·δ and ∂L/∂b = Σ rows of δ are written into <paramref name="gradient"/> (at
    /// this layer's offsets), and ∂L/∂x = δ·Wᵀ into <paramref name="inputGradient"/> unless it is empty.
    /// </summary>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output, int rows,
        Span<float> outputGradient, Span<float> gradient, Span<float> inputGradient, int maxDegreeOfParallelism)
    {
        Span<float> delta = outputGradient[..(rows * Outputs)];
        DenseBackward.ActivationGradient(delta, output, Activation);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, Inputs, Outputs, rows, 1f, input, Inputs, delta, Outputs, 0f,
            gradient.Slice(Offset, Inputs * Outputs), Outputs, maxDegreeOfParallelism);
        DenseBackward.ColumnSums(delta, rows, Outputs, gradient.Slice(BiasOffset, Outputs));
        if (!inputGradient.IsEmpty)
        {
            Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, Inputs, Outputs, 1f, delta, Outputs, Weights(parameters), Outputs, 0f,
                inputGradient, Inputs, maxDegreeOfParallelism);
        }
    }
}
