using System.Text.Json.Nodes;
using CsCheck;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.NeuralNetworks;
using LatentModels.Persistence;
using LatentModels.SparseCoding;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Same seed → same bits for any thread count, for every estimator: on generated data (CsCheck, seeded through
/// <see cref="SeededSample"/>), a fit with <c>MaxDegreeOfParallelism</c> 1, 2 and 8 gives the same saved document (the
/// shortest round-trip form of every double, so equal text is equal bits) and, where the fit reports one, the same
/// objective trace to the bit. The row counts give every parallel loop more than one block: 256-row blocks for the
/// mixtures' E-steps at K = 3, d = 6 (the engine's block for that size), the sparse coders and the discrete mixtures'
/// families; 1,024 for the K-Means model and online K-Means; 2,048 for k-means++ seeding (the K-Means cases use 4,500
/// rows); 64 for binary sparse coding; 25 rows for the VAE's loss.
/// </summary>
public class ThreadCountDeterminismTests
{
    private static readonly int[] _threads = [1, 2, 8];

    /// <summary>A generated case: the data's seed and how far apart the clusters lie.</summary>
    private static readonly Gen<(int Seed, double Separation)> _cases = Gen.Select(Gen.Int[0, 1_000_000], Gen.Double[2, 8]);

    /// <summary>n × d rows around k well-spread random centers (separation in units of the noise).</summary>
    internal static double[,] Blobs(int seed, int n, int d, int k, double separation)
    {
        var random = new Random(seed);
        var centers = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                centers[c, j] = separation * (2 * random.NextDouble() - 1);
            }
        }

        var data = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = i % k;
            for (int j = 0; j < d; j++)
            {
                data[i, j] = centers[c, j] + Normal(random);
            }
        }

        return data;
    }

    /// <summary>n × d binary rows from k random prototypes (each bit flipped with probability 0.15).</summary>
    internal static double[,] Binary(int seed, int n, int d, int k)
    {
        var random = new Random(seed);
        var prototypes = new bool[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                prototypes[c, j] = random.NextDouble() < 0.5;
            }
        }

        var data = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                data[i, j] = prototypes[i % k, j] ^ (random.NextDouble() < 0.15) ? 1 : 0;
            }
        }

        return data;
    }

    /// <summary>n rows of categorical codes 0 … counts[j] − 1, from k random profiles.</summary>
    internal static double[,] Categorical(int seed, int n, int[] counts, int k)
    {
        var random = new Random(seed);
        var profiles = new int[k, counts.Length];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < counts.Length; j++)
            {
                profiles[c, j] = random.Next(counts[j]);
            }
        }

        var data = new double[n, counts.Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < counts.Length; j++)
            {
                data[i, j] = random.NextDouble() < 0.8 ? profiles[i % k, j] : random.Next(counts[j]);
            }
        }

        return data;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// Runs <paramref name="fit"/> for 1, 2 and 8 threads on each generated case and checks that the outcomes (saved
    /// documents, traces, codes: whatever <paramref name="fit"/> returns as text) are identical.
    /// </summary>
    private static void Identical(Func<int, double, int, string> fit, int iterations = 2) =>
        _cases.SampleSeeded((seed, separation) =>
        {
            string one = fit(seed, separation, 1);
            foreach (int threads in _threads.Skip(1))
            {
                fit(seed, separation, threads).Should().Be(one, $"{threads} threads give the bits of 1 thread");
            }
        }, iterations);

    /// <summary>
    /// The saved document without the <c>maxDegreeOfParallelism</c> option that online states keep (it is the thread
    /// count itself, so it differs by design); every other field must agree to the character.
    /// </summary>
    private static string Saved(object model)
    {
        JsonNode root = JsonNode.Parse(ModelJson.Serialize(model))!;
        WithoutThreadCount(root);
        return root.ToJsonString();
    }

    private static void WithoutThreadCount(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("maxDegreeOfParallelism");
                foreach (var (_, value) in obj)
                {
                    WithoutThreadCount(value);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    WithoutThreadCount(item);
                }

                break;
        }
    }

    private static string Trace(IReadOnlyList<double> trace) =>
        string.Join(",", trace.Select(v => BitConverter.DoubleToInt64Bits(v).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Bits(double[,] values) => Trace(values.Cast<double>().ToArray());

    private static string Bits(IReadOnlyList<int> values) => string.Join(",", values);

    [Fact]
    public void K_means_batch_and_both_algorithms()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 4500, 6, 3, sep);
            string result = "";
            foreach (KMeansAlgorithm algorithm in Enum.GetValues<KMeansAlgorithm>())
            {
                var fit = new KMeans(new KMeansOptions { Clusters = 3, Algorithm = algorithm, MaxIterations = 10, Seed = seed, MaxDegreeOfParallelism = threads }).Fit(data);
                result += Saved(fit.Model) + Bits(fit.Labels) + Trace(fit.Report.ObjectiveTrace);
            }

            return result;
        });
    }

    [Fact]
    public void Mini_batch_and_online_k_means()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 4500, 6, 3, sep);
            var batch = new MiniBatchKMeans(new MiniBatchKMeansOptions { Clusters = 3, BatchSize = 1500, MaxEpochs = 2, Seed = seed, MaxDegreeOfParallelism = threads }).Fit(data);
            var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 3, Init = KMeansInit.KMeansPlusPlus, InitializationSize = 2100, Seed = seed, MaxDegreeOfParallelism = threads });
            online.UpdateAll(data, 2250);
            return Saved(batch.Model) + Bits(batch.Labels) + Saved(online);
        });
    }

    [Fact]
    public void Gaussian_mixtures_every_covariance_type_ml_and_map()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 800, 6, 3, sep);
            string result = "";
            foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            {
                foreach (GaussianMixturePrior? prior in new[] { null, GaussianMixturePrior.Default })
                {
                    var fit = new GaussianMixture(new GaussianMixtureOptions
                    {
                        Components = 3,
                        Covariance = type,
                        Prior = prior,
                        MaxIterations = 4,
                        Seed = seed,
                        MaxDegreeOfParallelism = threads,
                    }).Fit(data);
                    result += Saved(fit.Model) + Trace(fit.Report.ObjectiveTrace);
                }
            }

            return result;
        }, iterations: 1);
    }

    [Fact]
    public void Incremental_and_streaming_em()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 800, 6, 3, sep);
            var incremental = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions
            {
                Mixture = new GaussianMixtureOptions { Components = 3, Seed = seed, MaxDegreeOfParallelism = threads },
                Passes = 2,
            }).Fit(data);
            var streaming = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions
            {
                Mixture = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = seed, MaxDegreeOfParallelism = threads },
            });
            streaming.UpdateAll(data, 600);
            return Saved(incremental.Model) + Trace(incremental.Report.ObjectiveTrace) + Saved(streaming);
        });
    }

    [Fact]
    public void Variational_gaussian_mixture_every_covariance_type_and_svi()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 800, 6, 3, sep);
            string result = "";
            foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            {
                var options = new VariationalGaussianMixtureOptions
                {
                    Components = 3,
                    Covariance = type,
                    WeightPrior = type == CovarianceType.Full ? WeightPrior.DirichletProcess : WeightPrior.DirichletDistribution,
                    MaxIterations = 4,
                    Seed = seed,
                    MaxDegreeOfParallelism = threads,
                };
                var fit = new VariationalGaussianMixture(options).Fit(data);
                result += Saved(fit.Model) + Trace(fit.Report.ObjectiveTrace);
            }

            var svi = new StochasticVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
            {
                Mixture = new VariationalGaussianMixtureOptions { Components = 3, Seed = seed, MaxDegreeOfParallelism = threads },
                BatchSize = 600,
                Epochs = 2,
            }).Fit(data);
            StreamingVariationalGaussianMixture stream = new StochasticVariationalGaussianMixture(new StochasticVariationalGaussianMixtureOptions
            {
                Mixture = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = seed, MaxDegreeOfParallelism = threads },
                BatchSize = 600,
            }).CreateStream(data);
            stream.UpdateEpoch(data);
            return result + Saved(svi.Model) + Trace(svi.Report.ObjectiveTrace) + Saved(stream);
        }, iterations: 1);
    }

    [Fact]
    public void Discrete_mixtures_batch_incremental_streaming_and_variational()
    {
        int[] counts = [3, 2, 4, 3, 5];
        Identical((seed, _, threads) =>
        {
            double[,] binary = Binary(seed, 9000, 12, 3);
            double[,] categorical = Categorical(seed, 9000, counts, 3);
            var mixture = new MixtureOptions { Components = 3, MaxIterations = 4, Seed = seed, MaxDegreeOfParallelism = threads };
            string result = Saved(new BernoulliMixture(mixture).Fit(binary).Model) + Saved(new CategoricalMixture(counts, mixture).Fit(categorical).Model);
            var incremental = new IncrementalDiscreteMixtureOptions { Mixture = mixture, Passes = 2, BlockSize = 1000 };
            result += Saved(new IncrementalBernoulliMixture(incremental).Fit(binary).Model);
            result += Saved(new IncrementalCategoricalMixture(counts, incremental).Fit(categorical).Model);
            var streamingOptions = new StreamingDiscreteMixtureOptions { Mixture = mixture };
            var bernoulliStream = new StreamingBernoulliMixture(streamingOptions);
            bernoulliStream.UpdateAll(binary, 4500);
            var categoricalStream = new StreamingCategoricalMixture(counts, streamingOptions);
            categoricalStream.UpdateAll(categorical, 4500);
            result += Saved(bernoulliStream.Snapshot()) + Saved(categoricalStream.Snapshot());
            var variational = new VariationalDiscreteMixtureOptions { Components = 3, MaxIterations = 4, Seed = seed, MaxDegreeOfParallelism = threads };
            result += Saved(new VariationalBernoulliMixture(variational).Fit(binary).Model);
            result += Saved(new VariationalCategoricalMixture(counts, variational).Fit(categorical).Model);
            return result;
        }, iterations: 1);
    }

    [Fact]
    public void Sparse_coder_every_solver()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 700, 6, 3, sep);
            double[,] dictionary = Blobs(seed + 1, 5, 6, 5, 1);
            for (int a = 0; a < 5; a++)
            {
                double norm = Math.Sqrt(Enumerable.Range(0, 6).Sum(j => dictionary[a, j] * dictionary[a, j]));
                for (int j = 0; j < 6; j++)
                {
                    dictionary[a, j] /= norm;
                }
            }

            string result = "";
            foreach (SparseCodingAlgorithm algorithm in Enum.GetValues<SparseCodingAlgorithm>())
            {
                var options = new SparseCoderOptions
                {
                    Algorithm = algorithm,
                    Alpha = 0.5,
                    Nonzeros = algorithm == SparseCodingAlgorithm.OrthogonalMatchingPursuit ? 2 : null,
                    MaxIterations = 50,
                    MaxDegreeOfParallelism = threads,
                };
                result += Bits(new SparseCoder(dictionary, options).Transform(data));
            }

            return result;
        });
    }

    [Fact]
    public void Dictionary_learning_batch_and_online()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 700, 6, 3, sep);
            var options = new DictionaryLearningOptions { Atoms = 4, Alpha = 0.5, MaxIterations = 3, BatchSize = 300, Seed = seed, MaxDegreeOfParallelism = threads };
            var batch = new DictionaryLearning(options).Fit(data);
            var online = new OnlineDictionaryLearning(options);
            online.UpdateAll(data);
            return Saved(batch.Model) + Trace(batch.Report.ObjectiveTrace) + Saved(online.Snapshot());
        });
    }

    [Fact]
    public void Binary_sparse_coding_both_updates()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] data = Blobs(seed, 300, 5, 3, sep);
            string result = "";
            foreach (BinarySparseCodingUpdate update in Enum.GetValues<BinarySparseCodingUpdate>())
            {
                var fit = new BinarySparseCoding(new BinarySparseCodingOptions
                {
                    Components = 3,
                    MaxIterations = 3,
                    Starts = 1,
                    AnnealingIterations = 2,
                    Inference = new BinarySparseCodingInference { Update = update, MaxSweeps = 5 },
                    Seed = seed,
                    MaxDegreeOfParallelism = threads,
                }).Fit(data);
                result += Saved(fit.Model) + Trace(fit.Report.ObjectiveTrace);
            }

            return result;
        });
    }

    [Fact]
    public void Variational_autoencoder_both_likelihoods()
    {
        Identical((seed, sep, threads) =>
        {
            double[,] binary = Binary(seed, 120, 10, 3);
            double[,] real = Blobs(seed, 120, 4, 3, sep);
            var bernoulli = new VariationalAutoencoder(new VariationalAutoencoderOptions
            {
                HiddenSizes = [8],
                LatentDimension = 2,
                Epochs = 2,
                BatchSize = 60,
                Seed = seed,
                MaxDegreeOfParallelism = threads,
            }).Fit(binary);
            var gaussian = new VariationalAutoencoder(new VariationalAutoencoderOptions
            {
                HiddenSizes = [6, 4],
                LatentDimension = 2,
                Likelihood = DecoderLikelihood.Gaussian,
                Epochs = 2,
                BatchSize = 60,
                Seed = seed,
                MaxDegreeOfParallelism = threads,
            }).Fit(real);
            return Saved(bernoulli.Model) + Trace(bernoulli.Report.ObjectiveTrace) + Saved(gaussian.Model) + Trace(gaussian.Report.ObjectiveTrace);
        });
    }
}
