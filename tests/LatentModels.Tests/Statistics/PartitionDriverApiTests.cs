using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Tests.Statistics;

/// <summary>
/// The pieces a driver of partitions (LatentModels.Orleans) needs besides the statistics and updates themselves: the final
/// K-Means model with its inertia, the Gaussian EM objective (with the prior's term under MAP) and the variational E-step
/// and update, each checked against the estimator that computes the same from the rows.
/// </summary>
public class PartitionDriverApiTests
{
    private static double[,] Data(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            double cx = (i % 3) * 4.0, cy = (i % 3 == 2) ? 3.0 : 0.0;
            x[i, 0] = cx + Gaussian(random);
            x[i, 1] = cy + 0.5 * Gaussian(random);
        }

        return x;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void The_assignment_model_is_the_statistics_centers_with_their_inertia()
    {
        double[,] x = Data(900, 1);
        var model = new KMeansModel(new double[,] { { 0, 0 }, { 3, 0 }, { 8, 3 } });
        KMeansStatistics s = model.ComputeStatistics(x);
        KMeansModel assigned = s.AssignmentModel();
        assigned.Centers.Should().BeEquivalentTo(model.Centers);
        assigned.Inertia.Should().Be(s.Inertia);
        double naive = 0;
        int[] labels = model.Predict(x);
        for (int i = 0; i < 900; i++)
        {
            naive += Math.Pow(x[i, 0] - model.Centers[labels[i], 0], 2) + Math.Pow(x[i, 1] - model.Centers[labels[i], 1], 2);
        }

        assigned.Inertia.Should().BeApproximately(naive, 1e-10 * naive);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_objective_of_the_statistics_is_the_one_batch_EM_traces(bool map)
    {
        double[,] x = Data(1200, 2);
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Full, [0.3, 0.3, 0.4], new double[,] { { 0, 0 }, { 4, 1 }, { 8, 2 } },
            [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Prior = map ? GaussianMixturePrior.Default : null, MaxIterations = 3, Tolerance = 0 };
        var batch = new GaussianMixture(o with { InitialModel = start }).Fit(x);
        GaussianMixtureModel model = start;
        var trace = new List<double>();
        for (int t = 0; t < 3; t++)
        {
            model = model.ComputeStatistics(x).ToModel(o);
            trace.Add(model.ComputeStatistics(x).Objective(model, o));
        }

        for (int t = 0; t < 3; t++)
        {
            trace[t].Should().BeApproximately(batch.Report.ObjectiveTrace[t], 1e-10 * Math.Abs(batch.Report.ObjectiveTrace[t]));
        }

        if (map)
        {
            double meanLogLikelihood = model.ComputeStatistics(x).LogLikelihood / 1200;
            (trace[^1] - meanLogLikelihood).Should().NotBe(0, "the prior's term is part of the MAP objective");
        }
        else
        {
            trace[^1].Should().BeApproximately(model.Score(x), 1e-12 * Math.Abs(model.Score(x)), "without a prior it is the mean log-likelihood");
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void The_variational_E_step_and_update_follow_the_estimator_from_a_warm_start(CovarianceType type)
    {
        double[,] x = Data(1500, 3);
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = type, MaxIterations = 4, Tolerance = 0, Seed = 5 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(o with { MaxIterations = 1 }).Fit(x).Model;
        var batch = new VariationalGaussianMixture(o with { InitialModel = start }).Fit(x);
        VariationalGaussianMixtureModel model = start;
        for (int t = 0; t < 4; t++)
        {
            model = model.ComputeStatistics(x).ToVariationalModel(model, o);
            model.Elbo.Should().BeApproximately(batch.Report.ObjectiveTrace[t], 1e-10 * Math.Abs(batch.Report.ObjectiveTrace[t]), $"the ELBO of iteration {t + 1}");
        }

        double[] flat = [.. model.Weights, .. model.Means.Cast<double>(), .. model.CovarianceParameters, .. model.DegreesOfFreedom, .. model.MeanPrecisions];
        double[] expected = [.. batch.Model.Weights, .. batch.Model.Means.Cast<double>(), .. batch.Model.CovarianceParameters, .. batch.Model.DegreesOfFreedom, .. batch.Model.MeanPrecisions];
        for (int i = 0; i < flat.Length; i++)
        {
            flat[i].Should().BeApproximately(expected[i], 1e-10 * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }

        FluentActions.Invoking(() => model.ComputeStatistics(x).ToVariationalModel(model, o with { Components = 2 }))
            .Should().Throw<ArgumentException>().WithParameterName("options");
        FluentActions.Invoking(() => model.ComputeStatistics(new double[3, 5])).Should().Throw<ArgumentException>().WithParameterName("data");
    }
}
