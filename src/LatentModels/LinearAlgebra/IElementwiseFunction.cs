namespace LatentModels.LinearAlgebra;

/// <summary>
/// An element-wise function for <see cref="ElementwiseDriver"/>: its scalar form, its vector form (one body for every
/// width) and a harmless value to pad the last, partial vector with.
/// </summary>
/// <typeparam name="T">The element type (double or float).</typeparam>
internal interface IElementwiseFunction<T>
    where T : unmanaged
{
    /// <summary>A value the vector form maps without trouble (pads the last vector).</summary>
    static abstract T Padding { get; }

    /// <summary>The function of one value.</summary>
    /// <param name="x">The argument.</param>
    static abstract T Scalar(T x);

    /// <summary>The function of one vector.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="x">The arguments.</param>
    static abstract TVec Vector<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>;
}
