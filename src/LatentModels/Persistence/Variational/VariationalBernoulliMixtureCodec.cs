using System.Text.Json;
using LatentModels.Variational;

namespace LatentModels.Persistence.Variational;

/// <summary>
/// <c>LatentModels.VariationalBernoulliMixture</c> (version 1): <c>{"weightConcentrationPrior": α₀, "priorCount": γ₀,
/// "elbo": number, "weightConcentrations": [K], "betaA": [[d] × K], "betaB": [[d] × K]}</c> — the prior, the fit's ELBO and
/// the hyper-parameters of q(π) and of every q(θₖⱼ) = Beta(aₖⱼ, bₖⱼ). Every value comes back bit for bit.
/// </summary>
internal sealed class VariationalBernoulliMixtureCodec : ModelCodec<VariationalBernoulliMixtureModel>
{
    public override string FormatName => "LatentModels.VariationalBernoulliMixture";

    protected override void Write(Utf8JsonWriter writer, VariationalBernoulliMixtureModel model)
    {
        VariationalDiscreteFields.WriteCommon(writer, model.Posterior, model.Elbo);
        JsonFields.WriteMatrix(writer, "betaA", model.BetaA);
        JsonFields.WriteMatrix(writer, "betaB", model.BetaB);
    }

    protected override VariationalBernoulliMixtureModel ReadModel(JsonElement root)
    {
        (double weightPrior, double outcomePrior, double elbo, double[] alpha) = VariationalDiscreteFields.ReadCommon(root);
        int k = alpha.Length;
        JsonElement first = JsonFields.Property(root, "betaA");
        int d = first.ValueKind == JsonValueKind.Array && first.GetArrayLength() > 0 && first[0].ValueKind == JsonValueKind.Array ? first[0].GetArrayLength() : 0;
        JsonFields.Positive(d, "betaA[0]");
        double[] a = VariationalDiscreteFields.ReadConcentrations(root, "betaA", k, d);
        double[] b = VariationalDiscreteFields.ReadConcentrations(root, "betaB", k, d);
        var gamma = new double[k * 2 * d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                gamma[c * 2 * d + 2 * j] = b[c * d + j];
                gamma[c * 2 * d + 2 * j + 1] = a[c * d + j];
            }
        }

        int[] categoryCounts = Enumerable.Repeat(2, d).ToArray();
        return new VariationalBernoulliMixtureModel(DiscreteVariationalPosterior.FromHyperParameters(categoryCounts, weightPrior, outcomePrior, alpha, gamma), elbo);
    }
}
