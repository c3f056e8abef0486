using System.Globalization;
using LatentModels.Mixtures;
using LatentModels.Persistence;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Constructors and codecs share one set of checks (issue 14): a Gaussian mixture that <see cref="GaussianMixtureModel.Create"/>
/// accepts saves and loads to the same parameters, and a variance the loader refuses (subnormal: its reciprocal overflows)
/// is refused by <c>Create</c> too — before, <c>Create</c> accepted it and the saved model could not be loaded.
/// </summary>
public class SharedValidationTests
{
    private const double Marker = 0.123456789;

    private static double[] Covariances(CovarianceType type, double variance) => type switch
    {
        CovarianceType.Full => [variance, 0, 0, 1, 2, 0.5, 0.5, 1],
        CovarianceType.Tied => [variance, 0, 0, 1],
        CovarianceType.Diagonal => [variance, 1, 2, 1],
        _ => [variance, 2],
    };

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Create_and_the_loader_accept_and_refuse_the_same_covariances(CovarianceType type)
    {
        double[,] means = { { 0, 0 }, { 3, 1 } };
        GaussianMixtureModel model = GaussianMixtureModel.Create(type, [1, 3], means, Covariances(type, Marker));
        string json = ModelJson.Serialize(model);
        GaussianMixtureModel loaded = ModelJson.Deserialize<GaussianMixtureModel>(json);
        loaded.CovarianceParameters.Should().Equal(model.CovarianceParameters);
        loaded.Weights.Should().Equal(0.25, 0.75);
        loaded.Means.Should().BeEquivalentTo(means);

        foreach (double tiny in new[] { 1e-310, 5e-324 })
        {
            Action create = () => GaussianMixtureModel.Create(type, [1, 3], means, Covariances(type, tiny));
            create.Should().Throw<ArgumentException>().WithParameterName("covariances").WithMessage("*reciprocal overflows*");
            string tampered = json.Replace(Marker.ToString("R", CultureInfo.InvariantCulture), tiny.ToString("R", CultureInfo.InvariantCulture), StringComparison.Ordinal);
            tampered.Should().NotBe(json);
            Action load = () => ModelJson.Deserialize(tampered);
            load.Should().Throw<ModelFormatException>().WithMessage("*reciprocal overflows*");
        }
    }
}
