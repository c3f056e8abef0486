using LatentModels.NeuralNetworks;
using LatentModels.Persistence;

namespace LatentModels.Tests.NeuralNetworks;

public class VariationalAutoencoderModelTests
{
    private static readonly Lazy<VariationalAutoencoderModel> _trained = new(() =>
        new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [32],
            LatentDimension = 3,
            Epochs = 40,
            BatchSize = 25,
            LearningRate = 1e-2,
            Seed = 9,
            MaxDegreeOfParallelism = 1,
        }).Fit(VariationalAutoencoderTests.Prototypes(300, 7)).Model);

    /// <summary>All 2³ binary rows of 3 pixels.</summary>
    private static double[,] AllPatterns()
    {
        var x = new double[8, 3];
        for (int r = 0; r < 8; r++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[r, j] = (r >> j) & 1;
            }
        }

        return x;
    }

    [Fact]
    public void With_a_one_dimensional_latent_the_elbo_is_below_and_the_iwae_close_to_log_p_by_quadrature()
    {
        // Training rows: three correlated bits (the first copied to the second 90% of the time).
        var random = new Random(4);
        var train = new double[400, 3];
        for (int i = 0; i < 400; i++)
        {
            double a = random.NextDouble() < 0.6 ? 1 : 0;
            train[i, 0] = a;
            train[i, 1] = random.NextDouble() < 0.9 ? a : 1 - a;
            train[i, 2] = random.NextDouble() < 0.3 ? 1 : 0;
        }

        VariationalAutoencoderModel model = new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [8],
            LatentDimension = 1,
            Activation = HiddenActivation.Tanh,
            Epochs = 30,
            BatchSize = 20,
            LearningRate = 1e-2,
            Seed = 1,
            MaxDegreeOfParallelism = 1,
        }).Fit(train).Model;

        // log p(x) = log ∫ p(x | z) 𝒩(z; 0, 1) dz by the trapezoid rule on [−12, 12] (the decoder's probabilities at each
        // grid point are the only thing taken from the model).
        const int points = 24001;
        const double low = -12, step = 24.0 / (points - 1);
        var grid = new double[points, 1];
        for (int g = 0; g < points; g++)
        {
            grid[g, 0] = low + (g * step);
        }

        double[,] probabilities = model.Decode(grid);
        double[,] x = AllPatterns();
        var logP = new double[8];
        for (int r = 0; r < 8; r++)
        {
            double integral = 0;
            for (int g = 0; g < points; g++)
            {
                double z = grid[g, 0], likelihood = 1;
                for (int j = 0; j < 3; j++)
                {
                    likelihood *= x[r, j] == 1 ? probabilities[g, j] : 1 - probabilities[g, j];
                }

                double weight = g == 0 || g == points - 1 ? 0.5 : 1;
                integral += weight * likelihood * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
            }

            logP[r] = Math.Log(integral * step);
        }

        logP.Sum(Math.Exp).Should().BeApproximately(1.0, 1e-6, "the eight patterns' probabilities sum to one");

        double[] elbo = model.Elbo(x, new Random(2), samples: 4000);
        double[] iwae = model.ImportanceWeightedLogLikelihood(x, 4000, new Random(3));
        for (int r = 0; r < 8; r++)
        {
            elbo[r].Should().BeLessThan(logP[r] + 0.03, $"the ELBO bounds log p(x) from below (pattern {r})");
            iwae[r].Should().BeApproximately(logP[r], 0.03, $"4000 importance samples estimate log p(x) (pattern {r})");
            iwae[r].Should().BeGreaterThan(elbo[r] - 0.03, $"pattern {r}");
        }
    }

    [Fact]
    public void The_importance_weighted_bound_is_above_the_elbo_and_rises_with_more_samples()
    {
        VariationalAutoencoderModel model = _trained.Value;
        double[,] x = VariationalAutoencoderTests.Prototypes(200, 8);
        double elbo = model.Elbo(x, new Random(1), samples: 20).Average();
        double iwae1 = model.ImportanceWeightedLogLikelihood(x, 1, new Random(2)).Average();
        double iwae50 = model.ImportanceWeightedLogLikelihood(x, 50, new Random(3)).Average();
        iwae1.Should().BeApproximately(elbo, 0.3, "with one sample the importance-weighted bound is the ELBO in expectation");
        iwae50.Should().BeGreaterThan(elbo);
        model.AnomalyScores(x, new Random(1), samples: 20).Should().Equal(model.Elbo(x, new Random(1), samples: 20).Select(v => -v));
    }

    [Fact]
    public void Encode_decode_reconstruct_and_sample_have_the_documented_shapes_and_ranges()
    {
        VariationalAutoencoderModel model = _trained.Value;
        double[,] x = VariationalAutoencoderTests.Prototypes(300, 9);
        LatentEncoding code = model.Encode(x);
        code.Mean.GetLength(0).Should().Be(300);
        code.Mean.GetLength(1).Should().Be(3);
        code.StandardDeviation.Cast<double>().Should().OnlyContain(s => s > 0);
        double[,] reconstruction = model.Reconstruct(x);
        reconstruction.Cast<double>().Should().OnlyContain(p => p > 0 && p < 1);

        // The prototypes are well separated: most reconstructed pixels fall on the right side of 1/2.
        int right = 0;
        for (int i = 0; i < 300; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                right += (reconstruction[i, j] > 0.5) == (x[i, j] == 1) ? 1 : 0;
            }
        }

        right.Should().BeGreaterThan((int)(0.9 * 300 * 16));
        double[,] samples = model.Sample(500, new Random(5));
        samples.Cast<double>().Should().OnlyContain(v => v == 0 || v == 1);
        model.Sample(500, new Random(5)).Should().BeEquivalentTo(samples, "a seed fixes the draws");
        model.SampleMeans(0, new Random(1)).GetLength(0).Should().Be(0);
    }

    [Fact]
    public void As_a_latent_transform_it_gives_the_encoder_means()
    {
        VariationalAutoencoderModel model = _trained.Value;
        double[,] x = VariationalAutoencoderTests.Prototypes(20, 3);
        ILatentTransform transform = model;
        transform.Dimension.Should().Be(model.Dimension);
        transform.LatentDimension.Should().Be(3);
        double[,] codes = transform.Transform(x);
        codes.GetLength(0).Should().Be(20);
        codes.GetLength(1).Should().Be(3);
        codes.Cast<double>().Should().Equal(model.Encode(x).Mean.Cast<double>(), "the codes are E_q[z | x], bit for bit");
        codes.Cast<double>().Distinct().Count().Should().BeGreaterThan(3, "different rows get different codes");
    }

    [Fact]
    public void A_saved_model_loads_with_the_same_bits_and_the_same_answers()
    {
        VariationalAutoencoderModel model = _trained.Value;
        string json = ModelJson.Serialize(model);
        VariationalAutoencoderModel loaded = ModelJson.Deserialize<VariationalAutoencoderModel>(json);
        loaded.Parameters.ToArray().Should().Equal(model.Parameters.ToArray());
        loaded.HiddenSizes.Should().Equal(model.HiddenSizes);
        loaded.Likelihood.Should().Be(model.Likelihood);
        double[,] x = VariationalAutoencoderTests.Prototypes(50, 10);
        loaded.Elbo(x, new Random(1)).Should().Equal(model.Elbo(x, new Random(1)));
        ModelJson.Serialize(loaded).Should().Be(json);

        var gaussian = new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [6, 5],
            LatentDimension = 2,
            Likelihood = DecoderLikelihood.Gaussian,
            Epochs = 2,
            BatchSize = 10,
            MaxDegreeOfParallelism = 1,
        }).Fit(VariationalAutoencoderTests.Prototypes(40, 11)).Model;
        var back = ModelJson.Deserialize<VariationalAutoencoderModel>(ModelJson.Serialize(gaussian));
        back.Parameters.ToArray().Should().Equal(gaussian.Parameters.ToArray());
        back.Sample(3, new Random(2)).Should().BeEquivalentTo(gaussian.Sample(3, new Random(2)));
    }

    [Theory]
    [InlineData("\"parameterCount\": 1,", "parameterCount")]
    [InlineData("\"inputDimension\": 2000000000,", "parameters")]
    [InlineData("\"latentDimension\": 0,", "latentDimension")]
    [InlineData("\"activation\": \"Sigmoid\",", "activation")]
    [InlineData("\"parameterEncoding\": \"float64\",", "parameterEncoding")]
    public void Tampered_files_fail_with_a_model_format_error(string replacement, string field)
    {
        string json = ModelJson.Serialize(_trained.Value);
        string name = replacement[1..replacement.IndexOf('"', 1)];
        string[] lines = json.Split('\n');
        int index = Array.FindIndex(lines, l => l.TrimStart().StartsWith($"\"{name}\"", StringComparison.Ordinal));
        index.Should().BeGreaterThan(0);
        lines[index] = "  " + replacement;
        var act = () => ModelJson.Deserialize<VariationalAutoencoderModel>(string.Join('\n', lines));
        act.Should().Throw<ModelFormatException>().WithMessage($"*{field}*");
    }

    [Fact]
    public void Truncated_or_non_finite_weights_fail_with_a_model_format_error()
    {
        string json = ModelJson.Serialize(_trained.Value);
        int start = json.IndexOf("\"parameters\": \"", StringComparison.Ordinal) + 15;
        string truncated = json.Remove(start, 8);
        var act = () => ModelJson.Deserialize<VariationalAutoencoderModel>(truncated);
        act.Should().Throw<ModelFormatException>().WithMessage("*parameters*");

        // The first weight's bytes replaced by a NaN (0x7FC00000 little-endian = "AADAfw==" for one value).
        string nan = json.Remove(start, 8).Insert(start, Convert.ToBase64String([0, 0, 0xC0, 0x7F, 0, 0]));
        var actNan = () => ModelJson.Deserialize<VariationalAutoencoderModel>(nan);
        actNan.Should().Throw<ModelFormatException>().WithMessage("*finite*");
    }

    [Fact]
    public void Rows_of_a_pattern_never_seen_in_training_score_as_more_anomalous()
    {
        // Train on rows of prototypes 0–2 only; rows of prototype 3 are the anomalies.
        double[,] all = VariationalAutoencoderTests.Prototypes(800, 14, out int[] labels);
        int[] normal = Enumerable.Range(0, 800).Where(i => labels[i] != 3).ToArray();
        int[] odd = Enumerable.Range(0, 800).Where(i => labels[i] == 3).ToArray();
        double[,] Rows(int[] index)
        {
            var x = new double[index.Length, 16];
            for (int r = 0; r < index.Length; r++)
            {
                for (int j = 0; j < 16; j++)
                {
                    x[r, j] = all[index[r], j];
                }
            }

            return x;
        }

        double[,] train = Rows(normal[..400]), heldNormal = Rows(normal[400..]), anomalies = Rows(odd);
        VariationalAutoencoderModel model = new VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenSizes = [32],
            LatentDimension = 2,
            Epochs = 40,
            BatchSize = 20,
            LearningRate = 1e-2,
            Seed = 2,
            MaxDegreeOfParallelism = 1,
        }).Fit(train).Model;
        double[] normalScores = model.AnomalyScores(heldNormal, new Random(1), samples: 10);
        double[] anomalyScores = model.AnomalyScores(anomalies, new Random(2), samples: 10);

        // ROC AUC: the probability that an anomaly outscores a normal row.
        double auc = anomalyScores.Average(a => normalScores.Average(n => a > n ? 1.0 : a == n ? 0.5 : 0.0));
        auc.Should().BeGreaterThan(0.95);
        anomalyScores.Average().Should().BeGreaterThan(normalScores.Average() + 3, "the unseen prototype costs nats the model never learned to save");
    }
}
