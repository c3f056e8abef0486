using CsCheck;
using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.NeuralNetworks;
using LatentModels.SparseCoding;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Size arithmetic (issue 14, class 6): sizes whose products exceed one array are an <see cref="ArgumentException"/>
/// naming the parameter and the sizes, raised before anything is allocated — never an <see cref="OverflowException"/>, a
/// negative size in a message or a d × d scatter a diagonal fit does not need; and data whose squares leave the range of
/// double are diagnosed by their range, never as equal values or dependent columns (docs/reliability.md).
/// </summary>
public class SizeArithmeticTests
{
    private const int Big = 1_000_000_000;

    private static double[,] Uniform(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = random.NextDouble() + (i % 2);
            }
        }

        return x;
    }

    /// <summary>An oversized option, the parameter the error must name, and the call.</summary>
    public static TheoryData<string, string, Action> OversizedCases()
    {
        double[,] small = Uniform(20, 3, 1);
        double[,] wide = Uniform(3, 50_000, 2);
        var data = new TheoryData<string, string, Action>
        {
            { "online k-means, 3·Clusters overflows", "options", () => new OnlineKMeans(new OnlineKMeansOptions { Clusters = Big }).Update(small) },
            { "streaming EM, 20·Components overflows", "options", () => new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = new() { Components = 400_000_000 } }).Update(small) },
            { "streaming Bernoulli, 20·Components overflows", "options", () => new StreamingBernoulliMixture(new StreamingDiscreteMixtureOptions { Mixture = new() { Components = 400_000_000 } }) },
            { "binary sparse coding, H² overflows", "Components", () => new BinarySparseCoding(new BinarySparseCodingOptions { Components = Big }).Fit(small) },
            { "VAE, a hidden layer of 1e9", "HiddenSizes", () => new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [Big], Likelihood = DecoderLikelihood.Gaussian }).Fit(small) },
            { "VAE, two hidden layers of 5e4", "HiddenSizes", () => new VariationalAutoencoder(new VariationalAutoencoderOptions { HiddenSizes = [50_000, 50_000], Likelihood = DecoderLikelihood.Gaussian }).Fit(small) },
            { "VAE, a latent dimension of 1e9", "LatentDimension", () => new VariationalAutoencoder(new VariationalAutoencoderOptions { LatentDimension = Big, Likelihood = DecoderLikelihood.Gaussian }).Fit(small) },
            { "Create, full in dimension 5e4", "means", () => GaussianMixtureModel.Create(CovarianceType.Full, [1.0], new double[1, 50_000], new double[3]) },
            { "Create, tied in dimension 5e4", "means", () => GaussianMixtureModel.Create(CovarianceType.Tied, [1.0], new double[1, 50_000], new double[3]) },
        };
        foreach (CovarianceType type in new[] { CovarianceType.Full, CovarianceType.Tied })
        {
            data.Add($"EM, {type} in dimension 5e4", "Covariance", () => new GaussianMixture(new GaussianMixtureOptions { Covariance = type }).Fit(wide));
            data.Add($"variational, {type} in dimension 5e4", "Covariance", () => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Covariance = type }).Fit(wide));
            data.Add($"incremental EM, {type} in dimension 5e4", "Covariance", () => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = new() { Covariance = type } }).Fit(wide));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OversizedCases))]
    public void Oversized_products_are_an_argument_error_naming_the_parameter_and_the_sizes(string name, string parameter, Action call)
    {
        ArgumentException e = call.Should().Throw<ArgumentException>(name).Which;
        e.ParamName.Should().Be(parameter, name);
        e.Message.Should().NotMatchRegex(@"(^|[^×\d,])-\d{3,}", "no size in the message may have wrapped negative");
        e.Message.Should().MatchRegex("more than one array can hold|larger than 2147483647", name);
    }

    /// <summary>
    /// A diagonal or spherical fit in dimension 50,000 (d² = 2.5e9, more than one array) needs only K·d values: one
    /// component's mean is the column mean and its variances the 1/n column variances plus the regularisation.
    /// </summary>
    [Theory]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Diagonal_and_spherical_fits_never_form_d_squared(CovarianceType type)
    {
        const int n = 4, d = 50_000;
        double[,] x = Uniform(n, d, 5);
        var means = new double[d];
        var variances = new double[d];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++)
            {
                means[j] += x[i, j] / n;
            }

            for (int i = 0; i < n; i++)
            {
                variances[j] += (x[i, j] - means[j]) * (x[i, j] - means[j]) / n;
            }
        }

        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Covariance = type, MaxIterations = 3 }).Fit(x).Model;
        double[,] fitted = model.Means;
        for (int j = 0; j < d; j += 997)
        {
            fitted[0, j].Should().BeApproximately(means[j], 1e-12);
        }

        double[] covariance = model.CovarianceParameters;
        if (type == CovarianceType.Diagonal)
        {
            for (int j = 0; j < d; j += 997)
            {
                covariance[j].Should().BeApproximately(variances[j] + 1e-6, 1e-12);
            }
        }
        else
        {
            covariance[0].Should().BeApproximately(variances.Average() + 1e-6, 1e-12);
        }

        double[,] sample = model.Sample(2, new Random(1));
        sample.GetLength(1).Should().Be(d);
        VariationalGaussianMixtureModel vb = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Covariance = type, MaxIterations = 3 }).Fit(x).Model;
        vb.Means[0, 17].Should().BeApproximately(means[17], 1e-9);
        vb.Sample(2, new Random(1)).GetLength(1).Should().Be(d);
    }

    /// <summary>
    /// Values ×10^k (generated k): the univariate fit is the ordinary fit with mean and standard deviation ×10^k, or — when
    /// σ² leaves the range of double — an <see cref="ArgumentException"/> on <c>values</c> naming the range; before, squares
    /// that overflowed or underflowed were reported as "all 60 values equal".
    /// </summary>
    [Fact]
    public void Univariate_fit_of_scaled_values_is_the_scaled_fit_or_a_range_error()
    {
        var random = new Random(7);
        double[] values = Enumerable.Range(0, 60).Select(_ => random.NextDouble() - 0.3).ToArray();
        UnivariateGaussian reference = UnivariateGaussian.Fit(values);
        Gen.Int[-300, 300].SampleSeeded(k =>
        {
            double scale = Math.Pow(10, k);
            double[] x = values.Select(v => v * scale).ToArray();
            double sigma = reference.StandardDeviation * scale;
            Func<UnivariateGaussian> fit = () => UnivariateGaussian.Fit(x);
            if (double.IsFinite(1 / (sigma * sigma)) && double.IsFinite(sigma))
            {
                UnivariateGaussian g = fit();
                g.Mean.Should().BeApproximately(reference.Mean * scale, 1e-12 * Math.Abs(reference.Mean * scale));
                g.StandardDeviation.Should().BeApproximately(sigma, 1e-12 * sigma);
            }
            else
            {
                fit.Should().Throw<ArgumentException>().Where(e => e.ParamName == "values" && e.Message.Contains("range of double"));
            }
        }, 200);
    }

    /// <summary>
    /// The multivariate fit of data ×10^k: mean ×10^k and covariance ×10^2k, or an <see cref="ArgumentException"/> on
    /// <c>data</c> naming the range when a variance leaves double — never the "linear combination" diagnosis.
    /// </summary>
    [Fact]
    public void Multivariate_fit_of_scaled_data_is_the_scaled_fit_or_a_range_error()
    {
        double[,] data = Uniform(60, 3, 9);
        MultivariateGaussian reference = MultivariateGaussian.Fit(data, default, 0.0);
        double[,] c0 = reference.Covariance;
        Gen.Int[-300, 300].SampleSeeded(k =>
        {
            double scale = Math.Pow(10, k);
            double[,] x = RangeTestData.Map(data, scale, 0);
            Func<MultivariateGaussian> fit = () => MultivariateGaussian.Fit(x, default, 0.0);
            double smallest = Math.Min(c0[0, 0], Math.Min(c0[1, 1], c0[2, 2])) * scale * scale;
            double largest = Math.Max(c0[0, 0], Math.Max(c0[1, 1], c0[2, 2])) * scale * scale;
            if (double.IsFinite(largest) && double.IsNormal(smallest))
            {
                MultivariateGaussian g = fit();
                double[,] c = g.Covariance;
                for (int a = 0; a < 3; a++)
                {
                    g.Mean[a].Should().BeApproximately(reference.Mean[a] * scale, 1e-12 * Math.Abs(reference.Mean[a] * scale));
                    for (int b = 0; b < 3; b++)
                    {
                        (c[a, b] / scale / scale).Should().BeApproximately(c0[a, b], 1e-9 * c0[a, a]);
                    }
                }
            }
            else
            {
                fit.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data" && e.Message.Contains("range of double"));
            }
        }, 200);
    }
}
