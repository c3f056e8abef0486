using System.Globalization;
using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Variational;

namespace LatentModels.Persistence.Variational;

/// <summary>
/// <c>LatentModels.VariationalGaussianMixture</c> (version 1): <c>{"covarianceType", "weightPrior":
/// "DirichletDistribution"|"DirichletProcess", "weightConcentrations": [K], "weightConcentrationsB": [K],
/// "meanPrecisions": [K], "means": [[d] × K], "degreesOfFreedom": [K], "covariances": … (the (νW)⁻¹ of every
/// component, shaped as the Gaussian mixture's), "elbo", "lowerBound" (null when no iteration ran)}</c>. The posterior is
/// stored exactly, so a loaded model gives the same bits.
/// </summary>
internal sealed class VariationalGaussianMixtureCodec : ModelCodec<VariationalGaussianMixtureModel>
{
    public override string FormatName => "LatentModels.VariationalGaussianMixture";

    protected override void Write(Utf8JsonWriter writer, VariationalGaussianMixtureModel model)
    {
        int k = model.Components, d = model.Dimension;
        writer.WriteString("covarianceType", model.CovarianceType.ToString());
        writer.WriteString("weightPrior", model.WeightPrior.ToString());
        JsonFields.WriteVector(writer, "weightConcentrations", model.WeightConcentrations);
        JsonFields.WriteVector(writer, "weightConcentrationsB", model.WeightConcentrationsB);
        JsonFields.WriteVector(writer, "meanPrecisions", model.MeanPrecisions);
        JsonFields.WriteMatrix(writer, "means", model.Means);
        JsonFields.WriteVector(writer, "degreesOfFreedom", model.DegreesOfFreedom);
        CovarianceForm.For(model.CovarianceType).WriteCovariances(writer, model.CovarianceParameters, k, d);
        JsonFields.WriteDoubleOrNull(writer, "elbo", model.Elbo);
        JsonFields.WriteDoubleOrNull(writer, "lowerBound", model.LowerBound);
    }

    protected override VariationalGaussianMixtureModel ReadModel(JsonElement root)
    {
        CovarianceType type = JsonFields.Enum<CovarianceType>(root, "covarianceType");
        WeightPrior prior = JsonFields.Enum<WeightPrior>(root, "weightPrior");
        double[] a = JsonFields.Vector(root, "weightConcentrations");
        int k = JsonFields.Positive(a.Length, "weightConcentrations");
        double[] b = JsonFields.Vector(root, "weightConcentrationsB", k);
        double[] beta = JsonFields.Vector(root, "meanPrecisions", k);
        double[,] means = JsonFields.Matrix(root, "means", k);
        int d = JsonFields.Dimension(JsonFields.Positive(means.GetLength(1), "means[0]"), "means[0]");
        double[] nu = JsonFields.Vector(root, "degreesOfFreedom", k);
        for (int c = 0; c < k; c++)
        {
            Positive(a[c], "weightConcentrations", c);
            Positive(beta[c], "meanPrecisions", c);
            if (prior == WeightPrior.DirichletProcess)
            {
                Positive(b[c], "weightConcentrationsB", c);
            }
            else if (b[c] != 0)
            {
                throw new ModelFormatException($"The field 'weightConcentrationsB[{c}]' must be 0 for a Dirichlet distribution.");
            }

            if (!(nu[c] > d - 1) || !(nu[c] <= JsonFields.MaxPseudoCount))
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'degreesOfFreedom[{c}]' is {nu[c]}; it must be greater than d − 1 = {d - 1} and at most 2^110."));
            }
        }

        CovarianceForm form = CovarianceForm.For(type);
        JsonFields.Reserve(Mixtures.GaussianMixtureCodec.CovarianceValues(type, k, d), "covariances");
        var covariances = new double[form.ParameterLength(k, d)];
        form.ReadCovariances(root, covariances, k, d);
        Mixtures.GaussianMixtureCodec.CheckVariances(form, covariances, k, d);
        double elbo = JsonFields.DoubleOrNaN(root, "elbo"), lowerBound = JsonFields.DoubleOrNaN(root, "lowerBound");
        try
        {
            return new VariationalGaussianMixtureModel(type, prior, a, b, beta, means.AsSpan().ToArray(), nu, covariances, elbo, lowerBound);
        }
        catch (FittingException e)
        {
            string field = form.Shared ? "covariances" : $"covariances[{e.Component}]";
            throw new ModelFormatException($"The field '{field}' is not positive definite.", e);
        }
    }

    private static void Positive(double value, string field, int index)
    {
        JsonFields.PseudoCount(value, $"{field}[{index}]");
    }
}
