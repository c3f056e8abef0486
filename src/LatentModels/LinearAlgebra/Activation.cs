namespace LatentModels.LinearAlgebra;

/// <summary>An element-wise activation applied by a fused GEMM epilogue (<see cref="Gemm.MultiplyAddBias"/>).</summary>
public enum Activation
{
    /// <summary>f(x) = x.</summary>
    Identity,

    /// <summary>f(x) = max(x, 0) (NaN stays NaN).</summary>
    Relu,

    /// <summary>f(x) = tanh(x).</summary>
    Tanh,

    /// <summary>f(x) = 1 / (1 + exp(−x)), evaluated stably for every x.</summary>
    Sigmoid,
}
