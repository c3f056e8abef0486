using System.Text.Json.Nodes;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

/// <summary>Mixtures of any component type saved with their family (<c>LatentModels.Mixture&lt;…&gt;</c>, and the family field of the discrete formats).</summary>
public class MixtureCodecTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();
    private static readonly double[,] _binary = DiscreteMixtureTestData.ThreePrototypes().Sample(300, new Random(1));
    private static readonly double[,] _codes = DiscreteMixtureTestData.TwoCategoricalProfiles().Sample(200, new Random(2));

    private static double[,] Column(double[,] x, int column)
    {
        int n = x.GetLength(0);
        var result = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            result[i, 0] = x[i, column];
        }

        return result;
    }

    internal static MixtureModel<MultivariateGaussian> GaussianAdapterModel() =>
        new Mixture<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(), new MixtureOptions { Components = 2, PseudoCount = 0, Seed = 3 }).Fit(_data).Model;

    internal static MixtureModel<UnivariateGaussian> UnivariateAdapterModel() =>
        new Mixture<UnivariateGaussian>(new MaximumLikelihoodFamily<UnivariateGaussian>(), new MixtureOptions { Components = 2, PseudoCount = 0, Seed = 4 }).Fit(Column(_data, 0)).Model;

    internal static MixtureModel<Bernoulli> BernoulliAdapterModel() =>
        new MixtureModel<Bernoulli>(new MaximumLikelihoodFamily<Bernoulli>(), [0.25, 0.75], [new Bernoulli(0.1), new Bernoulli(0.8)]);

    internal static MixtureModel<Categorical> CategoricalAdapterModel() =>
        new MixtureModel<Categorical>(new MaximumLikelihoodFamily<Categorical>(), [0.5, 0.5], [new Categorical([0.2, 0.3, 0.5]), new Categorical([0.6, 0.3, 0.1])]);

    private static void ShouldBehaveIdentically<T>(MixtureModel<T> loaded, MixtureModel<T> model, double[,] data) where T : class
    {
        loaded.Family.GetType().Should().Be(model.Family.GetType());
        Bits(loaded.Weights).Should().Equal(Bits(model.Weights));
        int n = data.GetLength(0);
        var expected = new double[n];
        var actual = new double[n];
        model.LogDensity(data, expected);
        loaded.LogDensity(data, actual);
        Bits(actual).Should().Equal(Bits(expected));
        loaded.Predict(data).Should().Equal(model.Predict(data));
        Bits(loaded.Sample(20, new Random(3))).Should().Equal(Bits(model.Sample(20, new Random(3))));
        loaded.ParameterCount.Should().Be(model.ParameterCount);
        Bits(loaded.Bic(data)).Should().Be(Bits(model.Bic(data)));
    }

    [Fact]
    public void A_mixture_of_multivariate_gaussians_from_the_weighted_mle_adapter_saves_and_loads_bit_for_bit()
    {
        MixtureModel<MultivariateGaussian> model = GaussianAdapterModel();
        MixtureModel<MultivariateGaussian> loaded = RoundTrip(model, "LatentModels.Mixture<MultivariateGaussian>");
        loaded.Family.Should().BeOfType<MaximumLikelihoodFamily<MultivariateGaussian>>();
        for (int c = 0; c < 2; c++)
        {
            Bits(loaded.Distributions[c].Mean).Should().Equal(Bits(model.Distributions[c].Mean));
            Bits(loaded.Distributions[c].Covariance).Should().Equal(Bits(model.Distributions[c].Covariance));
        }

        ShouldBehaveIdentically(loaded, model, _data);
        model.ParameterCount.Should().Be(1 + 2 * (2 + 3), "K − 1 weights and, per component, a mean and a symmetric covariance");
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        ((string?)root["family"]).Should().Be("MaximumLikelihood");
        ((string?)root["component"]).Should().Be("LatentModels.MultivariateGaussian");
        root["components"]!.AsArray().Should().HaveCount(2);
        root["components"]![0]!["covariance"]!.AsArray().Should().HaveCount(2);

        // The loaded family fits like the original: EM continues from the loaded model exactly as from the saved one.
        var em = new Mixture<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(), new MixtureOptions { Components = 2, PseudoCount = 0, MaxIterations = 3, Tolerance = 0 });
        Bits(em.FitFrom(loaded, _data).Model.Weights).Should().Equal(Bits(em.FitFrom(model, _data).Model.Weights));
    }

    [Fact]
    public void Mixtures_of_the_other_distributions_save_and_load_bit_for_bit()
    {
        MixtureModel<UnivariateGaussian> univariate = UnivariateAdapterModel();
        ShouldBehaveIdentically(RoundTrip(univariate, "LatentModels.Mixture<UnivariateGaussian>"), univariate, Column(_data, 0));
        MixtureModel<Bernoulli> bernoulli = BernoulliAdapterModel();
        ShouldBehaveIdentically(RoundTrip(bernoulli, "LatentModels.Mixture<Bernoulli>"), bernoulli, Column(_binary, 0));
        MixtureModel<Categorical> categorical = CategoricalAdapterModel();
        ShouldBehaveIdentically(RoundTrip(categorical, "LatentModels.Mixture<Categorical>"), categorical, new double[,] { { 0 }, { 2 }, { 1 }, { 2 } });
    }

    [Fact]
    public void Bernoulli_and_categorical_mixtures_keep_their_family()
    {
        MixtureModel<IndependentBernoulli> dedicated = new BernoulliMixture(new MixtureOptions { Components = 3, Seed = 5 }).Fit(_binary).Model;
        var adapter = new MixtureModel<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(), dedicated.Weights, dedicated.Distributions);
        ShouldBehaveIdentically(RoundTrip(dedicated, "LatentModels.BernoulliMixture"), dedicated, _binary);
        MixtureModel<IndependentBernoulli> loadedAdapter = RoundTrip(adapter, "LatentModels.BernoulliMixture");
        loadedAdapter.Family.Should().BeOfType<MaximumLikelihoodFamily<IndependentBernoulli>>();
        ShouldBehaveIdentically(loadedAdapter, adapter, _binary);
        ((string?)JsonNode.Parse(ModelJson.Serialize(dedicated))!["family"]).Should().Be("IndependentBernoulli");

        MixtureModel<IndependentCategorical> categorical = new CategoricalMixture([3, 2, 4, 3], new MixtureOptions { Components = 2, Seed = 6 }).Fit(_codes).Model;
        var categoricalAdapter = new MixtureModel<IndependentCategorical>(new MaximumLikelihoodFamily<IndependentCategorical>(), categorical.Weights, categorical.Distributions);
        ShouldBehaveIdentically(RoundTrip(categorical, "LatentModels.CategoricalMixture"), categorical, _codes);
        MixtureModel<IndependentCategorical> loadedCategoricalAdapter = RoundTrip(categoricalAdapter, "LatentModels.CategoricalMixture");
        loadedCategoricalAdapter.Family.Should().BeOfType<MaximumLikelihoodFamily<IndependentCategorical>>();
        ShouldBehaveIdentically(loadedCategoricalAdapter, categoricalAdapter, _codes);
    }

    [Fact]
    public void Version_1_discrete_mixture_files_without_a_family_load_with_the_dedicated_family()
    {
        MixtureModel<IndependentBernoulli> bernoulli = new BernoulliMixture(new MixtureOptions { Components = 2, Seed = 7 }).Fit(_binary).Model;
        ModelJson.FormatVersion(bernoulli).Should().Be(2);
        string oldBernoulli = Tamper(bernoulli, r =>
        {
            r.Remove("family");
            r["version"] = 1;
        });
        MixtureModel<IndependentBernoulli> loaded = ModelJson.Deserialize<MixtureModel<IndependentBernoulli>>(oldBernoulli);
        loaded.Family.Should().BeOfType<IndependentBernoulliFamily>();
        ShouldBehaveIdentically(loaded, bernoulli, _binary);

        MixtureModel<IndependentCategorical> categorical = DiscreteMixtureTestData.TwoCategoricalProfiles();
        string oldCategorical = Tamper(categorical, r =>
        {
            r.Remove("family");
            r.Remove("version");
        });
        MixtureModel<IndependentCategorical> loadedCategorical = ModelJson.Deserialize<MixtureModel<IndependentCategorical>>(oldCategorical);
        loadedCategorical.Family.Should().BeOfType<IndependentCategoricalFamily>();
        ShouldBehaveIdentically(loadedCategorical, categorical, _codes);

        LoadFails(Tamper(bernoulli, r => r["version"] = 3), "version 3", "versions 1 to 2");
    }

    [Fact]
    public void A_family_the_library_cannot_rebuild_is_not_saved()
    {
        MixtureModel<MultivariateGaussian> model = GaussianAdapterModel();
        var custom = new MixtureModel<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(g => 2 * g.Dimension), model.Weights, model.Distributions);
        Action save = () => ModelJson.Serialize(custom);
        save.Should().Throw<ArgumentException>().WithMessage("*family*").And.ParamName.Should().Be("model");
        var customBernoulli = new MixtureModel<IndependentBernoulli>(new MaximumLikelihoodFamily<IndependentBernoulli>(b => 1), [1.0], [new IndependentBernoulli([0.5, 0.5])]);
        Action saveBernoulli = () => ModelJson.Serialize(customBernoulli);
        saveBernoulli.Should().Throw<ArgumentException>().And.ParamName.Should().Be("model");
    }

    [Fact]
    public void Malformed_mixture_files_are_rejected_naming_the_field()
    {
        MixtureModel<MultivariateGaussian> model = GaussianAdapterModel();
        LoadFails(Tamper(model, r => r["family"] = "IndependentBernoulli"), "'family'", "'IndependentBernoulli'", "'MaximumLikelihood'");
        LoadFails(Tamper(model, r => r["component"] = "LatentModels.UnivariateGaussian"), "'component'");
        LoadFails(Tamper(model, r => r["componentVersion"] = 2), "'componentVersion'", "2");
        LoadFails(Tamper(model, r => r["components"]!.AsArray().RemoveAt(1)), "'components'", "2 objects");
        LoadFails(Tamper(model, r => r["components"]![1] = 5), "'components[1]'");
        LoadFails(Tamper(model, r => r["components"]![0]!.AsObject().Remove("mean")), "'mean'", "'components[0]'");
        LoadFails(Tamper(model, r => r["components"]![1]!["covariance"]![0]![1] = 1e9), "components[1]");
        LoadFails(Tamper(model, r => r["weights"]![0] = 0.9), "'weights'");
        MixtureModel<IndependentBernoulli> bernoulli = new BernoulliMixture(new MixtureOptions { Components = 2, Seed = 7 }).Fit(_binary).Model;
        LoadFails(Tamper(bernoulli, r => r["family"] = "IndependentCategorical"), "'family'", "'IndependentBernoulli' or 'MaximumLikelihood'");
    }
}
