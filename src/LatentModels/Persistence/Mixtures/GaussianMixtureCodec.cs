using System.Globalization;
using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.GaussianMixture</c>: <c>{"covarianceType": "Full"|"Diagonal"|"Spherical"|"Tied", "weights": [K],
/// "means": [[d] × K], "covariances": …}</c> where the covariances are shaped as in scikit-learn: full K × d × d, tied
/// d × d, diagonal K × d, spherical K. Weights are stored and restored exactly (not renormalised), so a loaded model is
/// bit-identical to the saved one.
/// </summary>
internal sealed class GaussianMixtureCodec : ModelCodec<GaussianMixtureModel>
{
    /// <summary>Tolerance on |Σₖ πₖ − 1| for the weights in a file.</summary>
    public const double WeightSumTolerance = 1e-9;

    public override string FormatName => "LatentModels.GaussianMixture";

    protected override void Write(Utf8JsonWriter writer, GaussianMixtureModel model) =>
        WriteParameters(writer, model.Parameters);

    protected override GaussianMixtureModel ReadModel(JsonElement root) => Build(ReadParameters(root));

    /// <summary>Writes the covariance type, weights, means and covariances of a parameter set.</summary>
    internal static void WriteParameters(Utf8JsonWriter writer, GaussianComponents p)
    {
        int k = p.K, d = p.D;
        writer.WriteString("covarianceType", p.Type.ToString());
        JsonFields.WriteVector(writer, "weights", p.Weights);
        JsonFields.WriteMatrix(writer, "means", ToMatrix(p.Means, k, d));
        p.Form.WriteCovariances(writer, p.Covariance, k, d);
    }

    /// <summary>
    /// Reads and checks the fields written by <see cref="WriteParameters"/>: shapes, positive weights summing to one,
    /// symmetric covariances. Positive definiteness is checked by <see cref="Build"/>.
    /// </summary>
    internal static GaussianComponents ReadParameters(JsonElement root)
    {
        CovarianceType type = JsonFields.Enum<CovarianceType>(root, "covarianceType");
        double[] weights = JsonFields.Vector(root, "weights");
        int k = JsonFields.Positive(weights.Length, "weights");
        double[,] means = JsonFields.Matrix(root, "means", k);
        int d = JsonFields.Dimension(JsonFields.Positive(means.GetLength(1), "means[0]"), "means[0]");

        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            if (!(weights[c] > 0))
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'weights[{c}]' is {weights[c]}; mixing weights must be positive."));
            }

            sum += weights[c];
        }

        if (Math.Abs(sum - 1) > WeightSumTolerance)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'weights' sums to {sum:R}; mixing weights must sum to 1 (tolerance {WeightSumTolerance})."));
        }

        // The parameters are K·d² values for full covariances: that size must be present in the file before it is allocated.
        JsonFields.Reserve(CovarianceValues(type, k, d), "covariances");
        var p = new GaussianComponents(type, k, d);
        weights.CopyTo(p.Weights, 0);
        means.AsSpan().CopyTo(p.Means);
        p.Form.ReadCovariances(root, p.Covariance, k, d);
        CheckVariances(p.Form, p.Covariance, k, d);
        return p;
    }

    /// <summary>
    /// Rejects variances (the diagonal of each covariance) whose reciprocal overflows, e.g. a subnormal 1e−320: the
    /// precision would be infinite and every log-density except at the mean −∞ or NaN.
    /// </summary>
    internal static void CheckVariances(CovarianceForm form, ReadOnlySpan<double> covariance, int k, int d)
    {
        int at = form.FirstTinyVariance(covariance, k, d);
        if (at >= 0)
        {
            string where = form.IsMatrix ? (form.Shared ? "covariances" : $"covariances[{at / (d * d)}]") : "covariances";
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{where}' has the variance {covariance[at]:R}, whose reciprocal overflows."));
        }
    }

    /// <summary>
    /// The number of covariance values K components of dimension d hold, without overflow: one component's (at most d²,
    /// which fits an int for d within <see cref="ModelLoadLimits.MaxDimension"/>) times K unless the covariance is shared.
    /// </summary>
    internal static long CovarianceValues(CovarianceType type, int k, int d)
    {
        CovarianceForm form = CovarianceForm.For(type);
        return JsonFields.Product(form.Shared ? 1 : k, form.ParameterLength(1, JsonFields.Dimension(d, "means[0]")));
    }

    /// <summary>The model of a checked parameter set; a covariance that is not positive definite is a format error naming it.</summary>
    internal static GaussianMixtureModel Build(GaussianComponents p)
    {
        try
        {
            return new GaussianMixtureModel(p);
        }
        catch (FittingException e)
        {
            string field = p.Form.Shared ? "covariances" : $"covariances[{e.Component}]";
            string what = p.Form.IsMatrix ? "is not positive definite" : "has a variance that is not positive";
            throw new ModelFormatException($"The field '{field}' {what}.", e);
        }
    }

    private static double[,] ToMatrix(ReadOnlySpan<double> values, int rows, int columns)
    {
        var m = new double[rows, columns];
        values[..(rows * columns)].CopyTo(m.AsWritableSpan());
        return m;
    }
}
