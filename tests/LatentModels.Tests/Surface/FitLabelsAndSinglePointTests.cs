using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Clustering;
using LatentModels.Tests.Mixtures;

namespace LatentModels.Tests.Surface;

/// <summary>
/// The fit's own labels (scikit-learn's <c>labels_</c>) equal the returned model's batch prediction, and the single-point
/// <c>Predict</c>/<c>PredictProbabilities</c> equal a row of the batch result, for every clustering model.
/// </summary>
public class FitLabelsAndSinglePointTests
{
    private static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : random.NextDouble() * 3)];
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd, 1, false)]
    [InlineData(KMeansAlgorithm.Accelerated, 1, false)]
    [InlineData(KMeansAlgorithm.Accelerated, 4, false)]
    [InlineData(KMeansAlgorithm.Lloyd, 3, true)]
    [InlineData(KMeansAlgorithm.Accelerated, 3, true)]
    public void Kmeans_labels_are_the_models_predictions(KMeansAlgorithm algorithm, int starts, bool weighted)
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(3000, 4, 6, 2.5, seed: 5);
        var kmeans = new KMeans(new KMeansOptions { Clusters = 6, Starts = starts, Seed = 3, Algorithm = algorithm });
        ClusteringFitResult<KMeansModel> fit = weighted ? kmeans.Fit(x, Weights(3000, 1)) : kmeans.Fit(x);
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        fit.Labels.Should().Equal(ClusteringTestData.Nearest(x, fit.Model.Centers), "the nearest center, checked naively");
        // The labels of a capped, unconverged fit are those of its final centers too (the final assignment step).
        ClusteringFitResult<KMeansModel> capped = new KMeans(new KMeansOptions { Clusters = 6, MaxIterations = 2, Tolerance = 0, Algorithm = algorithm }).Fit(x);
        capped.Report.Converged.Should().BeFalse();
        capped.Labels.Should().Equal(capped.Model.Predict(x));
    }

    [Theory]
    [InlineData(CovarianceType.Full, false)]
    [InlineData(CovarianceType.Diagonal, false)]
    [InlineData(CovarianceType.Spherical, false)]
    [InlineData(CovarianceType.Tied, false)]
    [InlineData(CovarianceType.Full, true)]
    [InlineData(CovarianceType.Tied, true)]
    public void Gaussian_mixture_labels_are_the_models_predictions(CovarianceType type, bool weighted)
    {
        double[,] x = MixtureTestData.ThreeBlobs().Sample(1500, new Random(2));
        var gmm = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Covariance = type, Starts = 2, Seed = 4 });
        SoftClusteringFitResult<GaussianMixtureModel> fit = weighted ? gmm.Fit(x, Weights(1500, 2)) : gmm.Fit(x);
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        fit.Labels.Distinct().Should().HaveCount(3);
        ResponsibilitiesAreTheModels(fit, x);

        SoftClusteringFitResult<GaussianMixtureModel> incremental = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions
        {
            Mixture = new GaussianMixtureOptions { Components = 3, Covariance = type, Seed = 4 },
            Passes = 2,
        }).Fit(x);
        incremental.Labels.Should().Equal(incremental.Model.Predict(x));
        ResponsibilitiesAreTheModels(incremental, x);
    }

    /// <summary>The fit's responsibilities are the returned model's posterior probabilities of the training rows, bit for bit.</summary>
    private static void ResponsibilitiesAreTheModels<TModel>(SoftClusteringFitResult<TModel> fit, double[,] x) where TModel : ISoftClusteringModel
    {
        double[,] expected = fit.Model.PredictProbabilities(x);
        fit.Responsibilities.GetLength(0).Should().Be(x.GetLength(0));
        fit.Responsibilities.Cast<double>().Select(BitConverter.DoubleToInt64Bits).Should().Equal(expected.Cast<double>().Select(BitConverter.DoubleToInt64Bits));
        for (int i = 0; i < x.GetLength(0); i += 97)
        {
            Enumerable.Range(0, fit.Model.Clusters).Sum(c => fit.Responsibilities[i, c]).Should().BeApproximately(1, 1e-12);
        }
    }

    [Fact]
    public void Generic_mixture_labels_are_the_models_predictions()
    {
        double[,] x = DiscreteMixtureTestData.ThreePrototypes().Sample(800, new Random(6));
        var bernoulli = new BernoulliMixture(new MixtureOptions { Components = 3, Seed = 1, Starts = 2 });
        SoftClusteringFitResult<MixtureModel<IndependentBernoulli>> fit = bernoulli.Fit(x);
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        ResponsibilitiesAreTheModels(fit, x);
        ClusteringFitResult<MixtureModel<IndependentBernoulli>> weighted = bernoulli.Fit(x, Weights(800, 3));
        weighted.Labels.Should().Equal(weighted.Model.Predict(x));
        ClusteringFitResult<MixtureModel<IndependentBernoulli>> warm = bernoulli.FitFrom(fit.Model, x);
        warm.Labels.Should().Equal(warm.Model.Predict(x));

        // Through the estimator interface the result is still the clustering result.
        IEstimator<MixtureModel<IndependentBernoulli>> estimator = bernoulli;
        estimator.Fit(x).Should().BeOfType<SoftClusteringFitResult<MixtureModel<IndependentBernoulli>>>()
            .Which.Labels.Should().Equal(fit.Labels);
    }

    private static void SinglePointsMatchTheBatch(IClusteringModel model, double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int[] batch = model.Predict(x);
        double[,]? probabilities = (model as ISoftClusteringModel)?.PredictProbabilities(x);
        for (int i = 0; i < n; i++)
        {
            double[] row = [.. Enumerable.Range(0, d).Select(j => x[i, j])];
            model.Predict(row).Should().Be(batch[i], $"row {i}");
            if (probabilities is not null)
            {
                double[] p = ((ISoftClusteringModel)model).PredictProbabilities(row);
                p.Should().HaveCount(model.Clusters);
                for (int c = 0; c < model.Clusters; c++)
                {
                    p[c].Should().BeApproximately(probabilities[i, c], 1e-15, $"row {i}, component {c}");
                }
            }
        }
    }

    [Fact]
    public void Kmeans_single_point_prediction_equals_the_batch()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(500, 3, 5, 3.0, seed: 8);
        KMeansModel model = new KMeans(5).Fit(x).Model;
        SinglePointsMatchTheBatch(model, x);
        IClusteringModel viaInterface = model;
        viaInterface.Predict([x[0, 0], x[0, 1], x[0, 2]]).Should().Be(model.Predict(x)[0]);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Gaussian_mixture_single_point_predictions_equal_the_batch(CovarianceType type)
    {
        double[,] x = MixtureTestData.ThreeBlobs().Sample(600, new Random(9));
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Covariance = type, Seed = 2 }).Fit(x).Model;
        SinglePointsMatchTheBatch(model, x);
        double[] p = model.PredictProbabilities([5.0, 5.0]);
        p.Sum().Should().BeApproximately(1, 1e-12);
        FluentActions.Invoking(() => model.Predict([1.0, double.NaN])).Should().Throw<ArgumentException>().WithParameterName("point");
        FluentActions.Invoking(() => model.PredictProbabilities([1.0])).Should().Throw<ArgumentException>().WithParameterName("point");
    }

    [Fact]
    public void Generic_mixture_single_point_predictions_equal_the_batch()
    {
        MixtureModel<IndependentBernoulli> truth = DiscreteMixtureTestData.ThreePrototypes();
        double[,] x = truth.Sample(300, new Random(10));
        SinglePointsMatchTheBatch(truth, x);
        double[] bad = new double[truth.Dimension];
        bad[0] = 0.5;
        FluentActions.Invoking(() => truth.Predict(bad)).Should().Throw<ArgumentException>().WithParameterName("point");
    }
}
