using System.Globalization;
using LatentModels.Mixtures;
using MathNet.Numerics.LinearAlgebra;

namespace LatentModels.Tests.Mixtures;

/// <summary>Data and naive references shared by the mixture tests.</summary>
internal static class MixtureTestData
{
    public static double[,] OldFaithful()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "old_faithful.txt"));
        var rows = lines.Where(l => l.Trim().Length > 0)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return rows.ToMatrix();
    }

    /// <summary>A well-separated 2-D mixture of three Gaussians sampled from a known model.</summary>
    public static GaussianMixtureModel ThreeBlobs() => GaussianMixtureModel.Create(CovarianceType.Full,
        [0.5, 0.3, 0.2],
        new double[,] { { 0, 0 }, { 10, 0 }, { 0, 10 } },
        [1.0, 0.3, 0.3, 0.5, /**/ 0.5, 0, 0, 2.0, /**/ 1.5, -0.6, -0.6, 0.8]);

    /// <summary>log 𝒩(x | μ, Σ) = −½(d log 2π + log|Σ| + (x−μ)ᵀΣ⁻¹(x−μ)), computed with MathNet's inverse and determinant.</summary>
    public static double NaiveLogNormal(double[] x, double[] mean, double[,] covariance)
    {
        var s = Matrix<double>.Build.DenseOfArray(covariance);
        var diff = Vector<double>.Build.DenseOfArray(x) - Vector<double>.Build.DenseOfArray(mean);
        return -0.5 * (x.Length * Math.Log(2 * Math.PI) + Math.Log(s.Determinant()) + diff * (s.Inverse() * diff));
    }

    /// <summary>Naive mixture log-joint log πₖ + log 𝒩(x | μₖ, Σₖ) for every component.</summary>
    public static double[] NaiveLogJoint(GaussianMixtureModel model, double[] x)
    {
        double[,] means = model.Means;
        return Enumerable.Range(0, model.Components).Select(c =>
            Math.Log(model.Weights[c]) + NaiveLogNormal(x, Enumerable.Range(0, model.Dimension).Select(j => means[c, j]).ToArray(), model.GetCovariance(c))).ToArray();
    }

    public static double[] Row(double[,] x, int i) => Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j]).ToArray();
}
