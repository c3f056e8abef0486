using System.Text.Json.Nodes;
using LatentModels.Distributions;
using LatentModels.Persistence;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Persistence;

public class DistributionCodecTests
{
    private static double[,] Gaussian(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            double shared = random.NextDouble();
            for (int j = 0; j < d; j++)
            {
                // Correlated columns with awkward offsets and scales, so every covariance entry has a long mantissa.
                x[i, j] = 1000.0 / (j + 3) + (j + 1) * shared + random.NextDouble() / 7.0;
            }
        }

        return x;
    }

    [Theory]
    [InlineData(172.70250853667997, 4.830167473396299)]
    [InlineData(-0.0, 5e-324)]
    [InlineData(1.7976931348623157e308, 1e-300)]
    [InlineData(-1e-310, 1e150)]
    public void Univariate_gaussian_round_trips_bit_for_bit(double mean, double sd)
    {
        var model = new UnivariateGaussian(mean, sd);
        UnivariateGaussian loaded = RoundTrip(model, "LatentModels.UnivariateGaussian");
        Bits(loaded.Mean).Should().Be(Bits(mean));
        Bits(loaded.StandardDeviation).Should().Be(Bits(sd));
        Bits(loaded.LogDensity(mean)).Should().Be(Bits(model.LogDensity(mean)));
    }

    [Theory]
    [InlineData(0.0, 1.7976931348623157e308, "'standardDeviation'")]
    [InlineData(0.0, 1e155, "'standardDeviation'")]
    public void A_univariate_gaussian_whose_variance_or_samples_overflow_is_rejected_on_loading(double mean, double sd, string field)
    {
        // The constructor accepts these, but σ² (the variance) or μ + σz (a sample) is not a double: such a file would
        // load into a model that cannot sample or report its variance.
        LoadFails(Tamper(new UnivariateGaussian(mean, sd), _ => { }), field);
    }

    [Fact]
    public void Fitted_univariate_gaussian_gives_identical_log_densities_after_loading()
    {
        double[,] x = Gaussian(300, 1, 1);
        UnivariateGaussian model = UnivariateGaussian.Fit(x);
        UnivariateGaussian loaded = RoundTrip(model, "LatentModels.UnivariateGaussian");
        var expected = new double[300];
        var actual = new double[300];
        model.LogDensity(x, expected);
        loaded.LogDensity(x, actual);
        Bits(actual).Should().Equal(Bits(expected));
        Bits(loaded.Score(x)).Should().Be(Bits(model.Score(x)));
    }

    [Fact]
    public void Multivariate_gaussian_round_trips_parameters_factor_and_log_densities_bit_for_bit()
    {
        double[,] x = Gaussian(700, 5, 2);
        MultivariateGaussian model = MultivariateGaussian.Fit(x);
        MultivariateGaussian loaded = RoundTrip(model, "LatentModels.MultivariateGaussian");

        Bits(loaded.Mean).Should().Equal(Bits(model.Mean));
        Bits(loaded.Covariance).Should().Equal(Bits(model.Covariance));
        Bits(loaded.CholeskyFactor).Should().Equal(Bits(model.CholeskyFactor));
        Bits(loaded.LogDeterminant).Should().Be(Bits(model.LogDeterminant));
        var expected = new double[700];
        var actual = new double[700];
        model.LogDensity(x, expected);
        loaded.LogDensity(x, actual);
        Bits(actual).Should().Equal(Bits(expected));
        Bits(loaded.Sample(50, new Random(3))).Should().Equal(Bits(model.Sample(50, new Random(3))));
    }

    [Fact]
    public void Multivariate_gaussian_document_is_the_mean_and_the_covariance_matrix()
    {
        var model = new MultivariateGaussian([1.5, -2], new[,] { { 2.0, 0.25 }, { 0.25, 1.0 } });
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        root["mean"]!.AsArray().Select(v => (double)v!).Should().Equal(1.5, -2);
        root["covariance"]![0]!.AsArray().Select(v => (double)v!).Should().Equal(2.0, 0.25);
        root["covariance"]![1]!.AsArray().Select(v => (double)v!).Should().Equal(0.25, 1.0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.30000000000000004)]
    public void Bernoulli_round_trips_including_the_certain_cases(double p)
    {
        var model = new Bernoulli(p);
        Bernoulli loaded = RoundTrip(model, "LatentModels.Bernoulli");
        Bits(loaded.P).Should().Be(Bits(p));
        Bits(loaded.LogProbability(0)).Should().Be(Bits(model.LogProbability(0)));
        Bits(loaded.LogProbability(1)).Should().Be(Bits(model.LogProbability(1)));
    }

    [Fact]
    public void Independent_bernoulli_round_trips_bit_for_bit()
    {
        var random = new Random(4);
        var x = new double[97, 6];
        for (int i = 0; i < 97; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                x[i, j] = j == 5 ? 1 : random.NextDouble() < (j + 1) / 7.0 ? 1 : 0;
            }
        }

        IndependentBernoulli model = IndependentBernoulli.Fit(x);
        IndependentBernoulli loaded = RoundTrip(model, "LatentModels.IndependentBernoulli");
        Bits(loaded.Probabilities).Should().Equal(Bits(model.Probabilities));
        var expected = new double[97];
        var actual = new double[97];
        model.LogDensity(x, expected);
        loaded.LogDensity(x, actual);
        Bits(actual).Should().Equal(Bits(expected));
    }

    [Fact]
    public void Categorical_round_trips_bit_for_bit_and_samples_identically()
    {
        // Sums to 1 only within the tolerance: the probabilities must come back unnormalised, exactly as given.
        var model = new Categorical([0.1, 0.2, 0.0, 0.7 + 1e-12]);
        Categorical loaded = RoundTrip(model, "LatentModels.Categorical");
        Bits(loaded.Probabilities).Should().Equal(Bits(model.Probabilities));
        for (int k = 0; k < 4; k++)
        {
            Bits(loaded.LogProbability(k)).Should().Be(Bits(model.LogProbability(k)));
        }

        loaded.Sample(1000, new Random(5)).Should().Equal(model.Sample(1000, new Random(5)));
    }

    [Fact]
    public void Unknown_extra_fields_are_ignored()
    {
        var model = new MultivariateGaussian([1.5, -2], new[,] { { 2.0, 0.25 }, { 0.25, 1.0 } });
        string json = Tamper(model, root =>
        {
            root["comment"] = "fitted on Tuesday";
            root["history"] = new JsonArray(1, 2, new JsonObject { ["nested"] = true });
            root.Remove("covariance");
            root["covariance"] = JsonNode.Parse("[[2.0, 0.25], [0.25, 1.0]]"); // reordered after the extras
        });
        var loaded = ModelJson.Deserialize<MultivariateGaussian>(json);
        Bits(loaded.Covariance).Should().Equal(Bits(model.Covariance));
    }

    [Fact]
    public void Wrong_format_name_is_rejected_naming_it()
    {
        string json = Tamper(new Bernoulli(0.5), root => root["format"] = "LatentModels.Poisson");
        LoadFails(json, "Unknown model format 'LatentModels.Poisson'");
        LoadFails(Tamper(new Bernoulli(0.5), root => root["format"] = 7), "'format'", "string");
        LoadFails(Tamper(new Bernoulli(0.5), root => root.Remove("format")), "lacks the field 'format'");
    }

    [Fact]
    public void Wrong_version_is_rejected_naming_both_versions()
    {
        string json = Tamper(new Bernoulli(0.5), root => root["version"] = 2);
        LoadFails(json, "version 2", $"version {ModelJson.Version}");
        LoadFails(Tamper(new Bernoulli(0.5), root => root["version"] = "1"), "'version'", "integer");
    }

    [Fact]
    public void Truncated_or_malformed_text_is_rejected()
    {
        string json = ModelJson.Serialize(new MultivariateGaussian([1.5, -2], new[,] { { 2.0, 0.25 }, { 0.25, 1.0 } }));
        for (int length = 0; length < json.TrimEnd().Length; length += 7)
        {
            ModelFormatException e = LoadFails(json[..length]);
            (e.InnerException is System.Text.Json.JsonException || e.Message.Contains("lacks the field")).Should().BeTrue(
                $"a document cut at {length} characters is either invalid JSON or incomplete; got '{e.Message}'");
        }

        LoadFails("[1, 2]", "one JSON object");
        LoadFails(json + "{}", "not valid JSON");
    }

    [Fact]
    public void Covariance_that_is_not_positive_definite_is_rejected_naming_the_field()
    {
        var model = new MultivariateGaussian([0, 0], new[,] { { 1.0, 0.5 }, { 0.5, 1.0 } });
        string json = Tamper(model, root => root["covariance"] = JsonNode.Parse("[[1.0, 2.0], [2.0, 1.0]]"));
        LoadFails(json, "LatentModels.MultivariateGaussian", "not positive definite", "covariance");
        string asymmetric = Tamper(model, root => root["covariance"] = JsonNode.Parse("[[1.0, 0.5], [0.4, 1.0]]"));
        LoadFails(asymmetric, "not symmetric", "covariance");
    }

    [Fact]
    public void Mismatched_dimensions_are_rejected_naming_the_field()
    {
        var model = new MultivariateGaussian([0, 0], new[,] { { 1.0, 0.5 }, { 0.5, 1.0 } });
        LoadFails(Tamper(model, root => root["covariance"] = JsonNode.Parse("[[1,0,0],[0,1,0],[0,0,1]]")),
            "'covariance' has 3 rows; 2 were expected");
        LoadFails(Tamper(model, root => root["covariance"] = JsonNode.Parse("[[1,0],[0,1,0]]")), "Row 1 of the field 'covariance'");
        LoadFails(Tamper(model, root => root["mean"] = new JsonArray()), "'mean' is empty");
        LoadFails(Tamper(new Categorical([0.5, 0.5]), root => root["probabilities"] = new JsonArray()), "'probabilities' is empty");
    }

    [Fact]
    public void Nan_written_as_a_string_is_rejected_naming_the_entry()
    {
        var mvn = new MultivariateGaussian([0, 0], new[,] { { 1.0, 0.5 }, { 0.5, 1.0 } });
        LoadFails(Tamper(mvn, root => root["mean"]![1] = "NaN"), "'mean[1]' must be a finite number");
        LoadFails(Tamper(mvn, root => root["covariance"]![1]![0] = "NaN"), "'covariance[1][0]' must be a finite number");
        LoadFails(Tamper(new UnivariateGaussian(0, 1), root => root["standardDeviation"] = "NaN"), "'standardDeviation' must be a finite number");
        LoadFails(Tamper(new UnivariateGaussian(0, 1), root => root["mean"] = JsonNode.Parse("1e400")), "'mean' must be a finite number");
    }

    [Fact]
    public void Invalid_parameters_are_rejected_by_the_model_constructors_naming_the_field()
    {
        LoadFails(Tamper(new UnivariateGaussian(0, 1), root => root["standardDeviation"] = -1.0), "standardDeviation", "positive");
        LoadFails(Tamper(new Bernoulli(0.5), root => root["p"] = 1.5), "'p'", "[0, 1]");
        LoadFails(Tamper(new IndependentBernoulli([0.5, 0.5]), root => root["probabilities"]![1] = -0.25), "probabilities[1]");
        LoadFails(Tamper(new Categorical([0.5, 0.5]), root => root["probabilities"]![1] = 0.6), "probabilities", "sum to 1.1");
        LoadFails(Tamper(new UnivariateGaussian(0, 1), root => root.Remove("standardDeviation")), "lacks the field 'standardDeviation'");
    }

    [Fact]
    public void Loading_as_the_wrong_type_is_a_format_error_naming_both_types()
    {
        string json = ModelJson.Serialize(new Bernoulli(0.25));
        Action load = () => ModelJson.Deserialize<MultivariateGaussian>(json);
        load.Should().Throw<ModelFormatException>().WithMessage("*LatentModels.Bernoulli*MultivariateGaussian*");
        ModelJson.Deserialize<IDensityModel>(json).Should().BeOfType<Bernoulli>("an interface the model implements is fine");
    }

    [Fact]
    public void Saving_an_unsupported_type_is_an_argument_error()
    {
        Action save = () => ModelJson.Serialize(new object());
        save.Should().Throw<ArgumentException>().WithParameterName("model").WithMessage("*Object*cannot be saved*");
        Action null_ = () => ModelJson.Serialize(null!);
        null_.Should().Throw<ArgumentNullException>();
        ModelJson.IsPersistable(typeof(Categorical)).Should().BeTrue();
        ModelJson.IsPersistable(typeof(string)).Should().BeFalse();
    }

    [Fact]
    public void Save_to_a_file_replaces_it_and_leaves_no_temporary_file()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"latent-persist-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "model.json");
            ModelJson.Save(new Categorical([0.25, 0.75]), path);
            ModelJson.Save(new Bernoulli(0.125), path);
            ModelJson.Load<Bernoulli>(path).P.Should().Be(0.125);
            Directory.GetFiles(directory).Should().Equal(path);
            File.ReadAllText(path).Should().EndWith("}\n");

            Action unsupported = () => ModelJson.Save(new object(), Path.Combine(directory, "other.json"));
            unsupported.Should().Throw<ArgumentException>();
            Directory.GetFiles(directory).Should().Equal(path);
            Action missing = () => ModelJson.Load(Path.Combine(directory, "missing.json"));
            missing.Should().Throw<FileNotFoundException>();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
