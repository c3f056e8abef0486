namespace LatentModels.LinearAlgebra;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum MatrixOp
{
    /// <summary>Use the operand as stored.</summary>
    None,

    /// <summary>Use the transpose of the operand.</summary>
    Transpose,
}
