using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Randomness;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Randomness;

/// <summary>The one standard-normal generator: its moments, and every Gaussian sampler drawing exactly its variates.</summary>
public class StandardNormalTests
{
    [Fact]
    public void Variates_have_the_moments_of_a_standard_normal()
    {
        var z = new double[200_001];
        StandardNormal.Fill(new Random(1), z);
        double mean = z.Average();
        double variance = z.Sum(v => (v - mean) * (v - mean)) / z.Length;
        double fourth = z.Sum(v => Math.Pow(v - mean, 4)) / z.Length;
        mean.Should().BeApproximately(0, 5 * Math.Sqrt(1.0 / z.Length));
        variance.Should().BeApproximately(1, 5 * Math.Sqrt(2.0 / z.Length));
        fourth.Should().BeApproximately(3, 5 * Math.Sqrt(96.0 / z.Length));
        ((double)z.Count(v => v <= 1.0) / z.Length).Should().BeApproximately(0.841344746068543, 5 * Math.Sqrt(0.16 * 0.84 / z.Length), "Φ(1)");
    }

    [Fact]
    public void Every_gaussian_sampler_draws_the_one_generator_s_variates()
    {
        var expected = new double[6];
        StandardNormal.Fill(new Random(2), expected);
        Bits(new UnivariateGaussian(0, 1).Sample(6, new Random(2))).Should().Equal(Bits(expected));

        Bits(new MultivariateGaussian([0.0, 0.0, 0.0], new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }).Sample(2, new Random(2)))
            .Should().Equal(Bits(expected), "with the identity covariance the rows are the variates themselves");

        // A one-component mixture draws its component (one uniform) before each point's variates.
        var random = new Random(3);
        var mixtureExpected = new double[2 * 3];
        for (int i = 0; i < 2; i++)
        {
            random.NextDouble();
            StandardNormal.Fill(random, mixtureExpected.AsSpan(i * 3, 3));
        }

        GaussianMixtureModel mixture = GaussianMixtureModel.Create(CovarianceType.Spherical, [1.0], new double[1, 3], [1.0]);
        Bits(mixture.Sample(2, new Random(3))).Should().Equal(Bits(mixtureExpected));
    }
}
