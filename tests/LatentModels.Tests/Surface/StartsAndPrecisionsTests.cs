using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Tests.Clustering;
using LatentModels.Tests.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Surface;

/// <summary><c>MaxIterations = 0</c> returns the start; partial starts (weights, means or precisions alone); precision factors.</summary>
public class StartsAndPrecisionsTests
{
    private static readonly CovarianceType[] _allTypes = [CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied];

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Kmeans_with_zero_iterations_returns_the_initial_centers(KMeansAlgorithm algorithm)
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(700, 3, 4, 2.0, seed: 4);
        var initial = new double[,] { { 0, 0, 0 }, { 1, 1, 1 }, { -2, 3, 0.5 }, { 5, -1, 2 } };
        ClusteringFitResult<KMeansModel> fit = new KMeans(new KMeansOptions
        {
            Clusters = 4,
            Init = KMeansInit.Explicit,
            InitialCenters = initial,
            MaxIterations = 0,
            Algorithm = algorithm,
        }).Fit(x);
        fit.Model.Centers.Should().BeEquivalentTo(initial);
        fit.Report.Iterations.Should().Be(0);
        fit.Report.Converged.Should().BeFalse();
        fit.Report.ObjectiveTrace.Should().BeEmpty();
        int[] nearest = ClusteringTestData.Nearest(x, initial);
        fit.Labels.Should().Equal(nearest);
        fit.Model.Inertia.Should().BeApproximately(ClusteringTestData.Inertia(x, initial, nearest), 1e-10 * fit.Model.Inertia);

        // Several k-means++ starts: the start of lowest inertia is returned as it is.
        ClusteringFitResult<KMeansModel> best = new KMeans(new KMeansOptions { Clusters = 4, Starts = 5, Seed = 2, MaxIterations = 0, Algorithm = algorithm }).Fit(x);
        var random = new Random(2);
        double lowest = double.PositiveInfinity;
        for (int s = 0; s < 5; s++)
        {
            double[,] seeds = KMeansSeeding.PlusPlusCore(x, 4, random, null, 0);
            lowest = Math.Min(lowest, ClusteringTestData.Inertia(x, seeds, ClusteringTestData.Nearest(x, seeds)));
        }

        best.Model.Inertia.Should().BeApproximately(lowest, 1e-10 * lowest);
        FluentActions.Invoking(() => new KMeans(new KMeansOptions { Clusters = 2, MaxIterations = -1 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Gaussian_mixture_with_zero_iterations_returns_the_start()
    {
        double[,] x = OldFaithful();
        foreach (CovarianceType type in _allTypes)
        {
            // sklearn: GaussianMixture(..., max_iter=0) keeps the initial parameters, n_iter_ = 0.
            var options = new GaussianMixtureOptions { Components = 2, Covariance = type, Init = MixtureInit.First, MaxIterations = 0 };
            ClusteringFitResult<GaussianMixtureModel> fit = new GaussianMixture(options).Fit(x);
            fit.Report.Iterations.Should().Be(0);
            fit.Report.Converged.Should().BeFalse();
            fit.Report.ObjectiveTrace.Should().BeEmpty();
            fit.Model.Weights.Should().Equal(0.5, 0.5);
            fit.Model.Means.Should().BeEquivalentTo(new double[,] { { x[0, 0], x[0, 1] }, { x[1, 0], x[1, 1] } });
            fit.Labels.Should().Equal(fit.Model.Predict(x));

            ClusteringFitResult<GaussianMixtureModel> again = new GaussianMixture(options with { InitialModel = fit.Model, Init = MixtureInit.KMeans }).Fit(x);
            again.Model.CovarianceParameters.Should().Equal(fit.Model.CovarianceParameters);
            again.Model.Means.Should().BeEquivalentTo(fit.Model.Means);
        }

        // With several random starts the start of the highest mean log-likelihood is kept.
        var starts = new GaussianMixtureOptions { Components = 3, Init = MixtureInit.RandomRows, Starts = 4, Seed = 7, MaxIterations = 0 };
        double kept = new GaussianMixture(starts).Fit(x).Model.Score(x);
        double highest = double.NegativeInfinity;
        for (int s = 0; s < 4; s++)
        {
            // Fits with Starts = 1 … 4 draw the same first starts from the same seed sequence; their best only grows.
            double score = new GaussianMixture(starts with { Starts = s + 1 }).Fit(x).Model.Score(x);
            score.Should().BeGreaterThanOrEqualTo(highest);
            highest = score;
        }

        kept.Should().Be(highest);
    }

    [Fact]
    public void Generic_mixture_with_zero_iterations_returns_the_start()
    {
        MixtureModel<IndependentBernoulli> truth = DiscreteMixtureTestData.ThreePrototypes();
        double[,] x = truth.Sample(400, new Random(3));
        var bernoulli = new BernoulliMixture(new MixtureOptions { Components = 3, MaxIterations = 0 });
        ClusteringFitResult<MixtureModel<IndependentBernoulli>> fit = bernoulli.FitFrom(truth, x);
        fit.Model.Weights.Should().Equal(truth.Weights);
        fit.Model.Distributions.Should().Equal(truth.Distributions);
        fit.Report.Iterations.Should().Be(0);
        fit.Report.ObjectiveTrace.Should().BeEmpty();
        fit.Labels.Should().Equal(truth.Predict(x));
        bernoulli.Fit(x).Report.Iterations.Should().Be(0);
        FluentActions.Invoking(() => new BernoulliMixture(new MixtureOptions { Components = 3, MaxIterations = -1 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxIterations");
    }

    /// <summary>The data's 1/N covariance in the layout of <paramref name="type"/> for K components (what Init.First uses).</summary>
    private static double[] DataCovariance(double[,] x, CovarianceType type, int k)
    {
        double[,] c = MultivariateGaussian.Fit(x).Covariance;
        int d = x.GetLength(1);
        double[] full = [.. c.Cast<double>()];
        return type switch
        {
            CovarianceType.Full => [.. Enumerable.Repeat(full, k).SelectMany(v => v)],
            CovarianceType.Tied => full,
            CovarianceType.Diagonal => [.. Enumerable.Repeat(Enumerable.Range(0, d).Select(j => c[j, j]), k).SelectMany(v => v)],
            _ => [.. Enumerable.Repeat(Enumerable.Range(0, d).Average(j => c[j, j]), k)],
        };
    }

    private static double[] Inverse(double[] values, CovarianceType type, int k, int d)
    {
        var result = new double[values.Length];
        int matrices = type switch { CovarianceType.Full => k, CovarianceType.Tied => 1, _ => 0 };
        if (matrices == 0)
        {
            return [.. values.Select(v => 1 / v)];
        }

        for (int m = 0; m < matrices; m++)
        {
            var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d, (i, j) => values[(m * d + i) * d + j]);
            var inv = a.Inverse();
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    result[(m * d + i) * d + j] = inv[i, j];
                }
            }
        }

        return result;
    }

    [Fact]
    public void Partial_starts_replace_only_the_given_parameters()
    {
        double[,] x = OldFaithful();
        var means = new double[,] { { 2.0, 55.0 }, { 4.5, 80.0 } };
        double[] weights = [1, 3];
        foreach (CovarianceType type in _allTypes)
        {
            double[] covariance = DataCovariance(x, type, 2);
            double[] precisions = Inverse(covariance, type, 2, 2);
            var basis = new GaussianMixtureOptions { Components = 2, Covariance = type, Init = MixtureInit.First, MaxIterations = 0 };

            // Means alone: the weights (1/K) and covariances (the data's) of Init.First stay.
            GaussianMixtureModel meansOnly = new GaussianMixture(basis with { InitialMeans = means }).Fit(x).Model;
            meansOnly.Means.Should().BeEquivalentTo(means);
            meansOnly.Weights.Should().Equal(0.5, 0.5);
            meansOnly.CovarianceParameters.Should().Equal(covariance, (a, b) => Math.Abs(a - b) <= 1e-12 * Math.Abs(b) + 1e-15);

            // Weights alone (normalised).
            GaussianMixtureModel weightsOnly = new GaussianMixture(basis with { InitialWeights = weights }).Fit(x).Model;
            weightsOnly.Weights.Should().Equal(0.25, 0.75);
            weightsOnly.Means.Should().BeEquivalentTo(new double[,] { { x[0, 0], x[0, 1] }, { x[1, 0], x[1, 1] } });

            // Precisions alone: the covariances are their inverses.
            double[] scaled = [.. precisions.Select(p => 2 * p)];
            GaussianMixtureModel precisionsOnly = new GaussianMixture(basis with { InitialPrecisions = scaled }).Fit(x).Model;
            precisionsOnly.CovarianceParameters.Should().Equal(covariance.Select(c => c / 2), (a, b) => Math.Abs(a - b) <= 1e-9 * Math.Abs(b) + 1e-12);
            precisionsOnly.Weights.Should().Equal(0.5, 0.5);

            // All three: the same fit as the explicit model with those parameters.
            var all = new GaussianMixtureOptions { Components = 2, Covariance = type, InitialWeights = weights, InitialMeans = means, InitialPrecisions = precisions, MaxIterations = 20, Tolerance = 0 };
            var model = GaussianMixtureModel.Create(type, [0.25, 0.75], means, covariance);
            double viaPieces = new GaussianMixture(all).Fit(x).Model.Score(x);
            double viaModel = new GaussianMixture(all with { InitialWeights = null, InitialMeans = null, InitialPrecisions = null, InitialModel = model }).Fit(x).Model.Score(x);
            viaPieces.Should().BeApproximately(viaModel, 1e-10);
        }
    }

    // /usr/bin/python3 (scikit-learn 1.2.1), in tests/LatentModels.Tests/Data:
    //   x=np.loadtxt('old_faithful.txt'); c=np.cov(x.T, bias=True)
    //   GaussianMixture(2, max_iter=2, tol=0, weights_init=[.25,.75], means_init=[[2,55],[4.5,80]], precisions_init=[inv(c)]*2).fit(x).score(x)
    //   → -4.365927944656145
    [Fact]
    public void Partial_start_pieces_match_scikit_learn()
    {
        double[,] x = OldFaithful();
        double[] precisions = Inverse(DataCovariance(x, CovarianceType.Full, 2), CovarianceType.Full, 2, 2);
        var options = new GaussianMixtureOptions
        {
            Components = 2,
            InitialWeights = [0.25, 0.75],
            InitialMeans = new double[,] { { 2.0, 55.0 }, { 4.5, 80.0 } },
            InitialPrecisions = precisions,
            MaxIterations = 2,
            Tolerance = 0,
        };
        new GaussianMixture(options).Fit(x).Model.Score(x).Should().BeApproximately(-4.365927944656145, 1e-9);
    }

    [Fact]
    public void Bad_partial_starts_name_the_option()
    {
        double[,] x = OldFaithful();
        var basis = new GaussianMixtureOptions { Components = 2 };
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialWeights = [1.0] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialWeights");
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialWeights = [1.0, -1.0] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialWeights");
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialMeans = new double[3, 2] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialMeans");
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialPrecisions = [1, 0, 0, 1] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialPrecisions");
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialPrecisions = [1, 2, 2, 1, 1, 0, 0, 1] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialPrecisions").WithMessage("*component 0*");
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialPrecisions = [1, 0.5, 0, 1, 1, 0, 0, 1] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialPrecisions").WithMessage("*symmetric*");
        GaussianMixtureModel model = new GaussianMixture(basis with { MaxIterations = 0, Init = MixtureInit.First }).Fit(x).Model;
        FluentActions.Invoking(() => new GaussianMixture(basis with { InitialModel = model, InitialWeights = [1.0, 1.0] }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialModel");
    }

    // Same sklearn line as GaussianMixtureTests.Matches_scikit_learn_on_old_faithful_from_the_first_rows, printing
    // g.precisions_cholesky_.ravel() and g.precisions_.ravel().
    [Theory]
    [InlineData(CovarianceType.Full, new[] { 2.425575085659703, -0.9964939005808526, 0.0, 0.18006801837139028, 3.8022880769212555, -1.1307086433138187, 0.0, 0.17972283123078445 },
        new[] { 6.8764145900679186, -0.17943668199677132, -0.17943668199677132, 0.032424491240199346, 15.735896655962115, -0.2032141586734787, -0.2032141586734787, 0.03230029606560903 })]
    [InlineData(CovarianceType.Diagonal, new[] { 2.4386464981344127, 0.16719381006726317, 3.770558713913306, 0.17211767913931414 },
        new[] { 5.946996742863234, 0.02795377012480807, 14.217113015067564, 0.029624495472303895 })]
    [InlineData(CovarianceType.Spherical, new[] { 0.2500091418895923, 0.24006483073020923 }, new[] { 0.06250457102837029, 0.05763112295352401 })]
    [InlineData(CovarianceType.Tied, new[] { 2.7443376879664347, -1.0179241756789745, 0.0, 0.17984628296094562 },
        new[] { 8.567558973024676, -0.18306987933194818, -0.18306987933194818, 0.03234468549486852 })]
    public void Precision_factors_match_scikit_learn(CovarianceType type, double[] choleskyFactors, double[] precisions)
    {
        double[,] x = OldFaithful();
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            Init = MixtureInit.First,
            MaxIterations = 100,
            Tolerance = 0,
        }).Fit(x).Model;
        model.PrecisionsCholesky.Should().Equal(choleskyFactors, (a, b) => Math.Abs(a - b) <= 1e-5 * Math.Abs(b));
        model.Precisions.Should().Equal(precisions, (a, b) => Math.Abs(a - b) <= 1e-5 * Math.Abs(b));
    }

    [Fact]
    public void Precisions_invert_the_covariances_through_upper_triangular_factors()
    {
        double[,] x = ThreeBlobs().Sample(900, new Random(12));
        foreach (CovarianceType type in _allTypes)
        {
            GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Covariance = type, Seed = 1 }).Fit(x).Model;
            double[] u = model.PrecisionsCholesky, p = model.Precisions;
            p.Should().HaveCount(model.CovarianceParameters.Length);
            for (int c = 0; c < 3; c++)
            {
                // Σ·P = I, with Σ expanded from any type and P expanded the same way from the precision layout.
                double[,] sigma = model.GetCovariance(c);
                var precision = new double[2, 2];
                var factor = new double[2, 2];
                for (int a = 0; a < 2; a++)
                {
                    for (int b = 0; b < 2; b++)
                    {
                        (precision[a, b], factor[a, b]) = type switch
                        {
                            CovarianceType.Full => (p[(c * 2 + a) * 2 + b], u[(c * 2 + a) * 2 + b]),
                            CovarianceType.Tied => (p[a * 2 + b], u[a * 2 + b]),
                            CovarianceType.Diagonal => a == b ? (p[c * 2 + a], u[c * 2 + a]) : (0.0, 0.0),
                            _ => a == b ? (p[c], u[c]) : (0.0, 0.0),
                        };
                    }
                }

                factor[1, 0].Should().Be(0, "the factor is upper triangular, as scikit-learn's");
                for (int a = 0; a < 2; a++)
                {
                    for (int b = 0; b < 2; b++)
                    {
                        double product = sigma[a, 0] * precision[0, b] + sigma[a, 1] * precision[1, b];
                        product.Should().BeApproximately(a == b ? 1 : 0, 1e-12, $"{type}: (Σ·P)[{a},{b}] of component {c}");
                        double uut = factor[a, 0] * factor[b, 0] + factor[a, 1] * factor[b, 1];
                        uut.Should().BeApproximately(precision[a, b], 1e-12 * Math.Abs(precision[a, a]), $"{type}: (U·Uᵀ)[{a},{b}]");
                    }
                }
            }
        }
    }
}
