using LatentModels.Clustering;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.SparseCoding;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Issue 14, class 6: whatever the degree of parallelism, a failing call throws the exception a serial call throws — the
/// same type and message, never an <see cref="AggregateException"/>. Each case fails inside a parallel part (a
/// component's fit, an M-step's factorisation, a block of the E-step that sees the cancellation) at 1, 2 and 8 threads.
/// </summary>
public class ParallelExceptionTypeTests
{
    /// <summary>Three points, each repeated 20 times, in 3-D (singular covariances for every unregularised component).</summary>
    private static double[,] Duplicated()
    {
        double[][] points = [[0, 0, 0], [5, 1, 2], [1, 7, 3]];
        var x = new double[60, 3];
        for (int i = 0; i < 60; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[i, j] = points[i % 3][j];
            }
        }

        return x;
    }

    private static double[,] Line()
    {
        var data = new double[60, 2];
        for (int i = 0; i < 60; i++)
        {
            data[i, 0] = i % 2 == 0 ? i : -i;
            data[i, 1] = 2 * data[i, 0];
        }

        return data;
    }

    /// <summary>A token that is cancelled by the first progress report (so the next iteration's blocks see it).</summary>
    private static (IProgress<FitProgress> Progress, CancellationToken Token) CancelOnFirstReport()
    {
        var source = new CancellationTokenSource();
        return (new SynchronousProgress(_ => source.Cancel()), source.Token);
    }

    /// <summary>Every case: a name, the exception type a serial call throws, and the call at a degree of parallelism.</summary>
    public static TheoryData<string, Type, Action<int>> Cases()
    {
        double[,] line = Line(), duplicated = Duplicated(), blobs = RangeTestData.Blobs(300, 3, 13);
        var constantHalves = new double[60, 1];
        for (int i = 0; i < 60; i++)
        {
            constantHalves[i, 0] = i < 30 ? 0 : 10;
        }

        var data = new TheoryData<string, Type, Action<int>>
        {
            {
                "generic mixture of multivariate Gaussians, singular components", typeof(FittingException),
                dop => new Mixture<MultivariateGaussian>(new MaximumLikelihoodFamily<MultivariateGaussian>(),
                    new MixtureOptions { Components = 2, PseudoCount = 0, Seed = 1, MaxDegreeOfParallelism = dop }).Fit(line)
            },
            {
                "generic mixture of univariate Gaussians, constant components", typeof(FittingException),
                dop => new Mixture<UnivariateGaussian>(new MaximumLikelihoodFamily<UnivariateGaussian>(),
                    new MixtureOptions { Components = 2, PseudoCount = 0, Seed = 1, MaxDegreeOfParallelism = dop }).Fit(constantHalves)
            },
            {
                "k-means cancelled by its progress", typeof(OperationCanceledException),
                dop =>
                {
                    (IProgress<FitProgress> progress, CancellationToken token) = CancelOnFirstReport();
                    // Blobs, not the three duplicated points: there k-means++ starts at the exact cluster means and the
                    // fit stops after its first iteration (the update is each cluster's mean, exact for equal rows).
                    new KMeans(new KMeansOptions { Clusters = 3, Seed = 1, Tolerance = 0, MaxDegreeOfParallelism = dop }).Fit(blobs, progress, token);
                }
            },
            {
                "variational mixture cancelled by its progress", typeof(OperationCanceledException),
                dop =>
                {
                    (IProgress<FitProgress> progress, CancellationToken token) = CancelOnFirstReport();
                    new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 2, Seed = 1, Tolerance = 0, MaxDegreeOfParallelism = dop }).Fit(blobs, progress, token);
                }
            },
            {
                "dictionary learning cancelled by its progress", typeof(OperationCanceledException),
                dop =>
                {
                    (IProgress<FitProgress> progress, CancellationToken token) = CancelOnFirstReport();
                    new DictionaryLearning(new DictionaryLearningOptions { Atoms = 2, Seed = 1, Tolerance = 0, MaxDegreeOfParallelism = dop }).Fit(duplicated, progress, token);
                }
            },
        };
        foreach (CovarianceType type in new[] { CovarianceType.Full, CovarianceType.Tied })
        {
            data.Add($"EM, {type}, unregularised on duplicated points", typeof(FittingException),
                dop => new GaussianMixture(new GaussianMixtureOptions { Components = 2, Covariance = type, Regularization = 0, Seed = 1, MaxDegreeOfParallelism = dop }).Fit(duplicated));
            data.Add($"incremental EM, {type}, unregularised on duplicated points", typeof(FittingException),
                dop => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions
                {
                    Mixture = new() { Components = 2, Covariance = type, Regularization = 0, Seed = 1, MaxDegreeOfParallelism = dop },
                }).Fit(duplicated));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_failure_inside_a_parallel_part_throws_the_serial_exception_at_every_degree(string name, Type expected, Action<int> call)
    {
        string? serialMessage = null;
        foreach (int dop in new[] { 1, 2, 8 })
        {
            Exception? caught = null;
            try
            {
                call(dop);
            }
            catch (Exception e)
            {
                caught = e;
            }

            caught.Should().NotBeNull($"{name} at degree {dop}");
            caught!.GetType().Should().Be(expected, $"{name} at degree {dop}: {caught}");
            serialMessage ??= caught.Message;
            caught.Message.Should().Be(serialMessage, $"{name} at degree {dop}");
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress{T} posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
