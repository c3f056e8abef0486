using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

public class GaussianMixtureModelTests
{
    private static readonly double[,] _means = { { 0.5, -1, 2 }, { 3, 1, -2 } };

    public static TheoryData<CovarianceType, double[]> Models => new()
    {
        { CovarianceType.Full, [2.0, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 0.5, /**/ 1.0, 0.0, 0.4, 0.0, 3.0, 0.0, 0.4, 0.0, 0.7] },
        { CovarianceType.Diagonal, [2.0, 1.0, 0.5, 0.3, 3.0, 0.7] },
        { CovarianceType.Spherical, [0.8, 2.5] },
        { CovarianceType.Tied, [2.0, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 0.5] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Log_density_matches_the_closed_form_for_every_covariance_type(CovarianceType type, double[] covariances)
    {
        var model = GaussianMixtureModel.Create(type, [0.3, 0.7], _means, covariances);
        var x = new double[,] { { 0, 0, 0 }, { 0.5, -1, 2 }, { 10, -5, 3 }, { 3.2, 0.9, -1.5 } };
        var values = new double[4];
        model.LogDensity(x, values);
        double[,] probabilities = model.PredictProbabilities(x);
        for (int i = 0; i < 4; i++)
        {
            double[] joint = NaiveLogJoint(model, Row(x, i));
            double max = joint.Max();
            double expected = max + Math.Log(joint.Sum(v => Math.Exp(v - max)));
            values[i].Should().BeApproximately(expected, 1e-10);
            model.LogDensity(Row(x, i)).Should().BeApproximately(expected, 1e-10);
            probabilities[i, 1].Should().BeApproximately(Math.Exp(joint[1] - expected), 1e-10);
            (probabilities[i, 0] + probabilities[i, 1]).Should().BeApproximately(1.0, 1e-14);
        }

        model.Score(x).Should().BeApproximately(values.Average(), 1e-12);
        model.Predict(x).Should().Equal(Enumerable.Range(0, 4).Select(i => probabilities[i, 1] > probabilities[i, 0] ? 1 : 0));
    }

    [Theory]
    [InlineData(CovarianceType.Spherical, 13)]
    [InlineData(CovarianceType.Diagonal, 21)]
    [InlineData(CovarianceType.Tied, 26)]
    [InlineData(CovarianceType.Full, 41)]
    public void Parameter_counts_follow_scikit_learn(CovarianceType type, int expected)
    {
        int d = 5;
        var means = new double[2, d];
        double[] covariances = type switch
        {
            CovarianceType.Full => Enumerable.Range(0, 2 * d * d).Select(i => i % d == (i / d) % d ? 1.0 : 0.0).ToArray(),
            CovarianceType.Tied => Enumerable.Range(0, d * d).Select(i => i % d == i / d ? 1.0 : 0.0).ToArray(),
            CovarianceType.Diagonal => Enumerable.Repeat(1.0, 2 * d).ToArray(),
            _ => [1.0, 1.0],
        };
        GaussianMixtureModel.Create(type, [0.5, 0.5], means, covariances).ParameterCount.Should().Be(expected);
    }

    [Fact]
    public void Bic_and_aic_follow_scikit_learn_on_old_faithful()
    {
        // /usr/bin/python3: GaussianMixture(2, means_init=x[:2], weights_init=[.5,.5], precisions_init=inv(cov(x.T, bias=True)) repeated,
        // max_iter=100, tol=0, reg_covar=1e-6).fit(x): bic 2322.1917431154343, aic 2282.5279203861783 (full).
        double[,] x = OldFaithful();
        var model = GaussianMixtureModel.Create(CovarianceType.Full, [0.6441271015101397, 0.3558728984898603],
            new double[,] { { 4.289662060915975, 79.96811626241197 }, { 2.0363885576977188, 54.4785173708543 } },
            [0.16996932659605402, 0.9406078812366895, 0.9406078812366895, 36.046195717023046, 0.06916875594055596, 0.43516847388644003, 0.4351684738864401, 33.69728850445235]);
        model.Bic(x).Should().BeApproximately(2322.1917431154343, 1e-6);
        model.Aic(x).Should().BeApproximately(2282.5279203861783, 1e-6);
    }

    [Fact]
    public void Sample_reproduces_weights_means_and_covariances()
    {
        GaussianMixtureModel model = ThreeBlobs();
        (double[,] x, int[] components) = model.SampleWithComponents(60_000, new Random(7));
        for (int c = 0; c < 3; c++)
        {
            int[] rows = Enumerable.Range(0, components.Length).Where(i => components[i] == c).ToArray();
            ((double)rows.Length / components.Length).Should().BeApproximately(model.Weights[c], 0.01);
            double[] mean = [rows.Average(i => x[i, 0]), rows.Average(i => x[i, 1])];
            mean[0].Should().BeApproximately(model.Means[c, 0], 0.05);
            mean[1].Should().BeApproximately(model.Means[c, 1], 0.05);
            double[,] cov = model.GetCovariance(c);
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    double empirical = rows.Average(i => (x[i, a] - mean[a]) * (x[i, b] - mean[b]));
                    empirical.Should().BeApproximately(cov[a, b], 0.06 * Math.Sqrt(cov[a, a] * cov[b, b]));
                }
            }
        }

        model.Sample(5, new Random(1)).Should().BeEquivalentTo(model.Sample(5, new Random(1)));
    }

    [Fact]
    public void Create_rejects_bad_parameters_naming_them()
    {
        var notPositiveDefinite = () => GaussianMixtureModel.Create(CovarianceType.Full, [0.5, 0.5], _means,
            [1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 1, 2, 0, 2, 1, 0, 0, 0, 1]);
        notPositiveDefinite.Should().Throw<ArgumentException>().WithMessage("*component 1*").And.ParamName.Should().Be("covariances");
        var wrongLength = () => GaussianMixtureModel.Create(CovarianceType.Diagonal, [0.5, 0.5], _means, [1, 1, 1]);
        wrongLength.Should().Throw<ArgumentException>().WithMessage("*needs 6*");
        var badWeight = () => GaussianMixtureModel.Create(CovarianceType.Spherical, [0.5, 0], _means, [1, 1]);
        badWeight.Should().Throw<ArgumentException>().WithMessage("*component 1*").And.ParamName.Should().Be("weights");
        var model = GaussianMixtureModel.Create(CovarianceType.Spherical, [1, 3], _means, [1, 1]);
        model.Weights.Should().Equal(0.25, 0.75);
        var wrongDimension = () => model.Score(new double[2, 2]);
        wrongDimension.Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
    }
}
