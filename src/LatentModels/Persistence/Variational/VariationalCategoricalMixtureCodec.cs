using System.Text.Json;
using LatentModels.Variational;

namespace LatentModels.Persistence.Variational;

/// <summary>
/// <c>LatentModels.VariationalCategoricalMixture</c> (version 1): <c>{"categoryCounts": [d], "weightConcentrationPrior": α₀,
/// "priorCount": γ₀, "elbo": number, "weightConcentrations": [K], "concentrations": [[ΣⱼCⱼ] × K]}</c> — the prior, the
/// fit's ELBO and the hyper-parameters of q(π) and of every q(θₖⱼ) = Dir(γₖⱼ) (per component, variables in order,
/// outcomes in order). Every value comes back bit for bit.
/// </summary>
internal sealed class VariationalCategoricalMixtureCodec : ModelCodec<VariationalCategoricalMixtureModel>
{
    public override string FormatName => "LatentModels.VariationalCategoricalMixture";

    protected override void Write(Utf8JsonWriter writer, VariationalCategoricalMixtureModel model)
    {
        DiscreteVariationalPosterior posterior = model.Posterior;
        JsonFields.WriteIntVector(writer, "categoryCounts", posterior.CategoryCounts.ToArray());
        VariationalDiscreteFields.WriteCommon(writer, posterior, model.Elbo);
        int width = posterior.Offsets[^1];
        writer.WriteStartArray("concentrations");
        for (int c = 0; c < posterior.Components; c++)
        {
            writer.WriteStartArray();
            foreach (double v in posterior.Gamma.AsSpan(c * width, width))
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    protected override VariationalCategoricalMixtureModel ReadModel(JsonElement root)
    {
        int[] categoryCounts = VariationalDiscreteFields.ReadCategoryCounts(root);
        (double weightPrior, double outcomePrior, double elbo, double[] alpha) = VariationalDiscreteFields.ReadCommon(root);
        double[] gamma = VariationalDiscreteFields.ReadConcentrations(root, "concentrations", alpha.Length, VariationalDiscreteFields.Width(categoryCounts));
        return new VariationalCategoricalMixtureModel(DiscreteVariationalPosterior.FromHyperParameters(categoryCounts, weightPrior, outcomePrior, alpha, gamma), elbo);
    }
}
