// A variational autoencoder on MNIST digits: trains 784-200-20 (ReLU, Bernoulli decoder, Adam) on the 8,000 digits and
// writes, into the output folder,
//   vae-samples.svg          decoder means at 40 draws z ~ N(0, I)
//   vae-reconstructions.svg  20 digits (top rows) and their reconstructions Decode(Encode(x).Mean) (bottom rows)
//   vae-manifold.svg         a second model with a 2-D latent space: the decoder on a 12 x 12 grid of latent points
// and prints the training -ELBO per epoch, the importance-weighted log-likelihood (K = 50) of the first 500 digits, and an
// anomaly-detection demonstration: a VAE trained without one digit class scores that class's digits as more anomalous
// (-ELBO), with the ROC AUC against the other classes' digits it never saw either.
// Usage: dotnet run -c Release --project samples/Vae -- [--out DIR] [--mnist IMAGES.gz] [--labels LABELS.gz] [--epochs E]
// The data default to the repository's samples/data/mnist-train8k-{images-idx3,labels-idx1}-ubyte.gz (found from the working
// directory or the program's folder upwards).
using System.Globalization;
using LatentModels.Data;
using LatentModels.NeuralNetworks;
using LatentModels.Samples;
using Vae;

string outDir = ".";
string dataFolder = SampleData.Folder;
string images = Path.Combine(dataFolder, "mnist-train8k-images-idx3-ubyte.gz");
string labelsPath = Path.Combine(dataFolder, "mnist-train8k-labels-idx1-ubyte.gz");
int epochs = 10;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length)
    {
        outDir = args[++i];
    }
    else if (args[i] == "--mnist" && i + 1 < args.Length)
    {
        images = args[++i];
    }
    else if (args[i] == "--labels" && i + 1 < args.Length)
    {
        labelsPath = args[++i];
    }
    else if (args[i] == "--epochs" && i + 1 < args.Length && int.TryParse(args[i + 1], out epochs) && epochs > 0)
    {
        i++;
    }
}

if (!File.Exists(images))
{
    Console.WriteLine($"MNIST images not found at {images}; pass --mnist PATH.");
    return;
}

Directory.CreateDirectory(outDir);
double[,] x = IdxReader.ReadImages(images);
int n = x.GetLength(0), d = x.GetLength(1);
Console.WriteLine($"{n} digits of {d} pixels from {images}");

var options = new VariationalAutoencoderOptions { HiddenSizes = [200], LatentDimension = 20, Epochs = epochs, BatchSize = 100, LearningRate = 1e-3, Seed = 0 };
var progress = new Progress(p => Console.WriteLine($"  epoch {p.Iteration,2}: training -ELBO {p.Objective.ToString("F2", CultureInfo.InvariantCulture)} nats"));
VariationalAutoencoderFitResult fit = new VariationalAutoencoder(options).Fit(x, progress);
VariationalAutoencoderModel model = fit.Model;
Console.WriteLine($"784-200-20 VAE: {fit.Report.Iterations} epochs, median {Median(fit.EpochSeconds):F3} s per epoch");

double[,] head = Rows(x, Enumerable.Range(0, 500).ToArray());
double iwae = model.ImportanceWeightedLogLikelihood(head, 50, new Random(1)).Average();
double elbo = model.Elbo(head, new Random(2)).Average();
Console.WriteLine($"first 500 digits: ELBO {elbo:F2}, importance-weighted log-likelihood (K = 50) {iwae:F2} nats per digit");

File.WriteAllText(Path.Combine(outDir, "vae-samples.svg"),
    SvgImageGrid.Render(model.SampleMeans(40, new Random(3)), 28, 28, 10, "VAE samples: decoder means at z ~ N(0, I)", diverging: false));
double[,] originals = Rows(x, Enumerable.Range(0, 20).ToArray());
double[,] reconstructions = model.Reconstruct(originals);
var both = new double[40, d];
for (int i = 0; i < 20; i++)
{
    for (int j = 0; j < d; j++)
    {
        both[i, j] = originals[i, j];
        both[20 + i, j] = reconstructions[i, j];
    }
}

File.WriteAllText(Path.Combine(outDir, "vae-reconstructions.svg"),
    SvgImageGrid.Render(both, 28, 28, 10, "Digits (top two rows) and their VAE reconstructions (bottom two rows)", diverging: false));

// A 2-D latent space, decoded on a grid of latent points (the manifold of Kingma & Welling's figure 4).
VariationalAutoencoderModel flat = new VariationalAutoencoder(options with { LatentDimension = 2 }).Fit(x).Model;
const int Grid = 12;
var latent = new double[Grid * Grid, 2];
for (int r = 0; r < Grid; r++)
{
    for (int c = 0; c < Grid; c++)
    {
        latent[(r * Grid) + c, 0] = -2.0 + (4.0 * c / (Grid - 1));
        latent[(r * Grid) + c, 1] = 2.0 - (4.0 * r / (Grid - 1));
    }
}

File.WriteAllText(Path.Combine(outDir, "vae-manifold.svg"),
    SvgImageGrid.Render(flat.Decode(latent), 28, 28, Grid, "The decoder of a 2-D VAE on the grid [-2, 2]^2", diverging: false));
Console.WriteLine($"wrote vae-samples.svg, vae-reconstructions.svg, vae-manifold.svg to {Path.GetFullPath(outDir)}");

// Anomaly detection: train without one digit class; held-out digits of that class vs held-out digits of the others.
if (File.Exists(labelsPath))
{
    int[] labels = IdxReader.ReadLabels(labelsPath);
    const int Missing = 0;
    int[] train = Enumerable.Range(0, n).Where(i => labels[i] != Missing && i % 4 != 0).ToArray();
    int[] heldNormal = Enumerable.Range(0, n).Where(i => labels[i] != Missing && i % 4 == 0).ToArray();
    int[] anomalies = Enumerable.Range(0, n).Where(i => labels[i] == Missing).ToArray();
    VariationalAutoencoderModel partial = new VariationalAutoencoder(options).Fit(Rows(x, train)).Model;
    double[] normalScores = partial.AnomalyScores(Rows(x, heldNormal), new Random(4));
    double[] anomalyScores = partial.AnomalyScores(Rows(x, anomalies), new Random(5));
    Console.WriteLine($"anomaly detection, trained without the digit {Missing}: mean -ELBO {normalScores.Average():F1} (other digits, held out) " +
                      $"vs {anomalyScores.Average():F1} (the digit {Missing}); ROC AUC {Auc(anomalyScores, normalScores):F3}");
}

static double[,] Rows(double[,] x, int[] index)
{
    int d = x.GetLength(1);
    var rows = new double[index.Length, d];
    for (int r = 0; r < index.Length; r++)
    {
        for (int j = 0; j < d; j++)
        {
            rows[r, j] = x[index[r], j];
        }
    }

    return rows;
}

static double Median(IReadOnlyList<double> values)
{
    double[] sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
}

// The probability that an anomaly scores above a normal row (ties count half), by sorting.
static double Auc(double[] positives, double[] negatives)
{
    var all = positives.Select(v => (Value: v, Positive: true)).Concat(negatives.Select(v => (Value: v, Positive: false))).OrderBy(t => t.Value).ToArray();
    double rankSum = 0;
    for (int i = 0; i < all.Length;)
    {
        int j = i;
        while (j < all.Length && all[j].Value == all[i].Value)
        {
            j++;
        }

        double rank = (i + j + 1) / 2.0; // mean one-based rank of the tie group
        rankSum += all[i..j].Count(t => t.Positive) * rank;
        i = j;
    }

    double p = positives.Length, q = negatives.Length;
    return (rankSum - (p * (p + 1) / 2)) / (p * q);
}
