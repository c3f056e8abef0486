// Clustering a stream that never fits in memory: points arrive in mini-batches from a generator and two online
// estimators consume each batch once, side by side — online K-Means (Robbins–Monro steps 1/n per center) and streaming
// EM for a Gaussian mixture (Cappé–Moulines stochastic approximation of the sufficient statistics, step t^-0.6).
// Every 20,000 points a snapshot of each is scored on a held-out set against the true mixture that generated the stream:
// K-Means by inertia, the mixture by mean log-likelihood. With α = 0.6 the statistics average over roughly the last
// t^0.6 points, so the mixture's gap to the truth levels off at a small noise floor (about 0.02 nats here) instead of
// vanishing; StepExponent = 1 weighs every point equally.
using System.Globalization;
using LatentModels.Clustering;
using LatentModels.Mixtures;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Dimension = 4, Clusters = 6, BatchSize = 500, StreamLength = 200_000;

// The source of the stream: a known mixture of six well-separated Gaussians in 4-D.
var rng = new Random(7);
var means = new double[Clusters, Dimension];
for (int k = 0; k < Clusters; k++)
{
    for (int j = 0; j < Dimension; j++)
    {
        means[k, j] = 10 * (rng.NextDouble() - 0.5) * 2;
    }
}

GaussianMixtureModel truth = GaussianMixtureModel.Create(
    CovarianceType.Spherical, Enumerable.Repeat(1.0 / Clusters, Clusters).ToArray(), means, Enumerable.Repeat(1.0, Clusters).ToArray());
double[,] heldOut = truth.Sample(10_000, new Random(8));
double trueInertia = new KMeansModel(means).InertiaOf(heldOut);
Console.WriteLine($"Stream: {StreamLength:N0} points in batches of {BatchSize} from {Clusters} Gaussians in {Dimension}-D");
double trueLogLikelihood = truth.Score(heldOut);
Console.WriteLine($"Held-out inertia of the true centers: {trueInertia:F1}; held-out mean log-likelihood of the true mixture: {trueLogLikelihood:F4}\n");
Console.WriteLine("   points seen   K-Means inertia   vs truth   streaming EM log-likelihood   gap to truth");

var kmeans = new OnlineKMeans(new OnlineKMeansOptions { Clusters = Clusters, Init = KMeansInit.KMeansPlusPlus, Seed = 1 });
// Streaming EM starts from the batch initialiser (K-Means) on its first 20·K points; nothing else is kept in memory.
var em = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions
{
    Mixture = new GaussianMixtureOptions { Components = Clusters, Covariance = CovarianceType.Full, Init = MixtureInit.KMeans, Seed = 1 },
});
var source = new Random(9);
for (int seen = BatchSize; seen <= StreamLength; seen += BatchSize)
{
    double[,] batch = truth.Sample(BatchSize, source);   // in real use: the next batch from a file, a socket, a queue…
    kmeans.Update(batch);
    em.Update(batch);
    if (seen % 20_000 == 0)
    {
        double inertia = kmeans.Snapshot().InertiaOf(heldOut);
        double logLikelihood = em.Snapshot().Score(heldOut);
        Console.WriteLine($"{seen,14:N0}   {inertia,15:F1}   {inertia / trueInertia,8:F4}   {logLikelihood,27:F4}   {trueLogLikelihood - logLikelihood,12:F4}");
    }
}

GaussianMixtureModel final = em.Snapshot();
Console.WriteLine($"\nStreaming EM after {em.Count:N0} points: weights {string.Join(", ", final.Weights.Select(w => w.ToString("F3")))}" +
    $" (truth {1.0 / Clusters:F3} each)");
