// Clustering a stream that never fits in memory: points arrive in mini-batches from a generator, online K-Means
// (Robbins–Monro steps 1/n per centre) consumes them once, and a snapshot of the model is
// taken every 20,000 points and scored on a held-out set against the true mixture that generated the stream.
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
Console.WriteLine($"Held-out inertia of the true centres: {trueInertia:F1}\n");
Console.WriteLine("   points seen   online K-Means inertia (held out)   vs truth");

var kmeans = new OnlineKMeans(new OnlineKMeansOptions { Clusters = Clusters, Init = KMeansInit.KMeansPlusPlus, Seed = 1 });
var source = new Random(9);
for (int seen = BatchSize; seen <= StreamLength; seen += BatchSize)
{
    double[,] batch = truth.Sample(BatchSize, source);   // in real use: the next batch from a file, a socket, a queue…
    kmeans.Update(batch);
    if (seen % 20_000 == 0)
    {
        double inertia = kmeans.Snapshot().InertiaOf(heldOut);
        Console.WriteLine($"{seen,14:N0}   {inertia,33:F1}   {inertia / trueInertia,7:F4}");
    }
}
