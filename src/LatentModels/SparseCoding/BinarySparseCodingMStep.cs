using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// The closed-form M-step of binary sparse coding from the expected statistics: W solves W·A = B (A = Σ E[hhᵀ],
/// B = Σ v ĥᵀ) through the Cholesky _factor of A — never an explicit inverse — with a ridge added to A's diagonal only
/// where A is numerically singular; βₖ⁻¹ = (Σ vₖ² − Wₖ·Bₖ) / N (the mean expected squared residual, floored);
/// bᵢ = ln Σĥᵢ − ln Σ(1 − ĥᵢ) (σ(bᵢ) is the mean of ĥᵢ).
/// </summary>
internal sealed class BinarySparseCodingMStep
{
    private readonly double[] _factor;

    public BinarySparseCodingMStep(int components) => _factor = new double[components * components];

    /// <summary>The ridges tried, relative to the mean diagonal of A, when A itself does not _factor.</summary>
    private static readonly double[] _ridges = [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2];

    /// <summary>Writes the maximising parameters for <paramref name="statistics"/> into <paramref name="parameters"/>.</summary>
    /// <param name="statistics">The expected statistics of the rows.</param>
    /// <param name="varianceFloor">The smallest noise variance, per dimension.</param>
    /// <param name="parameters">Receives W, b and β⁻¹.</param>
    /// <exception cref="FittingException">A does not _factor even with the largest ridge.</exception>
    public void Apply(BinarySparseCodingStatistics statistics, ReadOnlySpan<double> varianceFloor, BinarySparseCodingParameters parameters)
    {
        int h = statistics.Components, d = statistics.Dimension;
        double[] a = statistics.SecondMoments;
        double meanDiagonal = 0;
        for (int i = 0; i < h; i++)
        {
            meanDiagonal += a[i * h + i];
        }

        meanDiagonal = Math.Max(meanDiagonal / h, double.Epsilon);
        bool factored = false;
        foreach (double ridge in _ridges)
        {
            a.CopyTo(_factor, 0);
            for (int i = 0; i < h; i++)
            {
                _factor[i * h + i] += ridge * meanDiagonal;
            }

            if (Cholesky.TryFactor(_factor, h, out _))
            {
                factored = true;
                break;
            }
        }

        if (!factored)
        {
            throw new FittingException("The expected second moments E[hhᵀ] of the latents are singular even with a ridge; the data may be degenerate (constant rows) or the components too many.");
        }

        // Rows of W (one per dimension) solve A·wₖ = Bₖ: Cholesky solves with the rows of B as right-hand sides.
        double[] w = parameters.Weights;
        statistics.Cross.CopyTo(w, 0);
        Cholesky.SolveLowerRows(_factor, h, w, d, 1);
        Cholesky.SolveLowerTransposeRows(_factor, h, w, d, 1);

        double n = statistics.Count;
        for (int k = 0; k < d; k++)
        {
            double explained = RowReductions.Dot(w.AsSpan(k * h, h), statistics.Cross.AsSpan(k * h, h));
            double variance = (statistics.SumSquares[k] - explained) / n;
            parameters.NoiseVariance[k] = variance > varianceFloor[k] ? variance : varianceFloor[k];
        }

        for (int i = 0; i < h; i++)
        {
            double logit = Math.Log(statistics.SumMeans[i]) - Math.Log(statistics.SumComplements[i]);
            parameters.Bias[i] = double.IsNaN(logit) ? 0 : BernoulliMeanField.Clamp(logit);
        }
    }
}
