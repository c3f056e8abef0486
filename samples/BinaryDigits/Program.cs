// A Bernoulli mixture on binarised MNIST digits (Bishop PRML §9.3.3): 8,000 handwritten digits, each 28×28 pixels
// thresholded at 0.5 into a binary vector of 784 values, fitted by EM with K = 10 components. No labels are used for
// the fit; afterwards each cluster is named after its most frequent digit and the purity (the fraction of digits
// whose label is their cluster's majority label) is printed. The component means — the "prototypes" — are written
// as a grid of images (binary-digits-prototypes.svg and .pgm in the current directory).
//
// Usage: dotnet run --project samples/BinaryDigits [-- DATA_DIR [K] [SEED]]
// DATA_DIR holds mnist-train8k-images-idx3-ubyte.gz and mnist-train8k-labels-idx1-ubyte.gz; by default the repository's
// samples/data folder (found from the working directory or the program's folder upwards).
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using LatentModels;
using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const string ImagesFile = "mnist-train8k-images-idx3-ubyte.gz", LabelsFile = "mnist-train8k-labels-idx1-ubyte.gz";
string? dataDirectory = args.Length > 0 ? args[0] : SampleData.FindFolder();
if (dataDirectory is null || !File.Exists(Path.Combine(dataDirectory, ImagesFile)))
{
    Console.Error.WriteLine($"Cannot find {ImagesFile}; pass the folder that holds it as the first argument.");
    return 2;
}

int k = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
int seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;

(byte[] pixels, int n, int rows, int columns) = ReadImages(Path.Combine(dataDirectory, ImagesFile));
byte[] labels = ReadLabels(Path.Combine(dataDirectory, LabelsFile), n);
int d = rows * columns;
var x = new double[n, d];
for (int i = 0; i < n; i++)
{
    for (int j = 0; j < d; j++)
    {
        x[i, j] = pixels[i * d + j] / 255.0 > 0.5 ? 1 : 0;
    }
}

Console.WriteLine($"{n} MNIST digits from {dataDirectory}, {rows}×{columns} pixels binarised at 0.5");
var options = new MixtureOptions { Components = k, Seed = seed, MaxIterations = 200, Tolerance = 1e-3 };
var clock = Stopwatch.StartNew();
FitResult<MixtureModel<IndependentBernoulli>> fit = new BernoulliMixture(options).Fit(x);
double seconds = clock.Elapsed.TotalSeconds;
MixtureModel<IndependentBernoulli> model = fit.Model;
Console.WriteLine($"Bernoulli mixture, K = {k}: {fit.Report.Iterations} EM iterations ({(fit.Report.Converged ? "converged" : "iteration cap")}), " +
                  $"{seconds:F2} s, mean log-likelihood {model.Score(x):F3} nats per digit, BIC {model.Bic(x):F0}");

// Purity: each cluster votes for its most frequent label.
int[] assigned = model.Predict(x);
var counts = new int[k, 10];
for (int i = 0; i < n; i++)
{
    counts[assigned[i], labels[i]]++;
}

int correct = 0;
Console.WriteLine("\ncluster  weight  size  majority digit (share)");
var majority = new int[k];
for (int c = 0; c < k; c++)
{
    int size = Enumerable.Range(0, 10).Sum(l => counts[c, l]);
    majority[c] = Enumerable.Range(0, 10).MaxBy(l => counts[c, l]);
    correct += counts[c, majority[c]];
    Console.WriteLine($"{c,7}  {model.Weights[c],6:F3}  {size,4}  {majority[c]} ({(size == 0 ? 0 : counts[c, majority[c]] / (double)size):P0})");
}

Console.WriteLine($"\npurity {correct / (double)n:P1} (the fraction of digits whose label is their cluster's majority label)");

// The prototypes: each component's pixel probabilities as a grey image (black = 1), five per row.
int gridColumns = Math.Min(5, k), gridRows = (k + gridColumns - 1) / gridColumns;
WritePgm("binary-digits-prototypes.pgm");
WriteSvg("binary-digits-prototypes.svg");
Console.WriteLine($"Prototypes written to {Path.GetFullPath("binary-digits-prototypes.svg")} (and .pgm)");
return 0;

double Ink(int component, int row, int column) => model.Distributions[component].Probabilities[row * columns + column];

void WritePgm(string path)
{
    int width = gridColumns * (columns + 2), height = gridRows * (rows + 2);
    var image = new byte[width * height];
    Array.Fill(image, (byte)255);
    for (int c = 0; c < k; c++)
    {
        int left = c % gridColumns * (columns + 2) + 1, top = c / gridColumns * (rows + 2) + 1;
        for (int r = 0; r < rows; r++)
        {
            for (int q = 0; q < columns; q++)
            {
                image[(top + r) * width + left + q] = (byte)Math.Round(255 * (1 - Ink(c, r, q)));
            }
        }
    }

    using var file = File.Create(path);
    file.Write(Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"));
    file.Write(image);
}

void WriteSvg(string path)
{
    const int Scale = 4, Gap = 12, Caption = 14;
    int cell = columns * Scale;
    var svg = new StringBuilder();
    int width = gridColumns * (cell + Gap) + Gap, height = gridRows * (cell + Gap + Caption) + Gap;
    svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
    svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
    for (int c = 0; c < k; c++)
    {
        int left = Gap + c % gridColumns * (cell + Gap), top = Gap + c / gridColumns * (cell + Gap + Caption);
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{top + 10}\">#{c}: π={model.Weights[c]:F2}, mostly {majority[c]}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate({left},{top + Caption})\" shape-rendering=\"crispEdges\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{cell}\" height=\"{cell}\" fill=\"white\" stroke=\"#ccc\"/>\n");
        for (int r = 0; r < rows; r++)
        {
            for (int q = 0; q < columns; q++)
            {
                int grey = (int)Math.Round(255 * (1 - Ink(c, r, q)));
                if (grey < 250)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{q * Scale}\" y=\"{r * Scale}\" width=\"{Scale}\" height=\"{Scale}\" fill=\"rgb({grey},{grey},{grey})\"/>\n");
                }
            }
        }

        svg.Append("</g>\n");
    }

    svg.Append("</svg>\n");
    File.WriteAllText(path, svg.ToString());
}


static byte[] ReadAll(string path)
{
    using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    gzip.CopyTo(memory);
    return memory.ToArray();
}

static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
{
    byte[] bytes = ReadAll(path);
    if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x00000803)
    {
        throw new InvalidDataException($"{path} is not an IDX image file (magic 0x00000803).");
    }

    int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
    int rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
    int columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
    if (bytes.Length != 16 + (long)count * rows * columns)
    {
        throw new InvalidDataException($"{path} holds {bytes.Length - 16} pixel bytes, not {count}×{rows}×{columns}.");
    }

    return (bytes[16..], count, rows, columns);
}

static byte[] ReadLabels(string path, int expected)
{
    byte[] bytes = ReadAll(path);
    if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x00000801 || BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)) != expected || bytes.Length != 8 + expected)
    {
        throw new InvalidDataException($"{path} is not an IDX label file with {expected} labels.");
    }

    return bytes[8..];
}
