namespace LatentModels.Samples;

/// <summary>Finds the data shipped with the samples (the repository's <c>samples/data</c> folder).</summary>
internal static class SampleData
{
    /// <summary>File name of the 8,000 MNIST training images (IDX, gzip).</summary>
    public const string MnistImages = "mnist-train8k-images-idx3-ubyte.gz";

    /// <summary>File name of their labels (IDX, gzip).</summary>
    public const string MnistLabels = "mnist-train8k-labels-idx1-ubyte.gz";

    /// <summary>
    /// The repository's <c>samples/data</c> folder: the first ancestor of the working directory (or of the program)
    /// that holds <c>LatentModels.sln</c> and a <c>samples/data</c> folder with the digits; <see langword="null"/> if none.
    /// </summary>
    public static string? FindFolder()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? root = new(start); root is not null; root = root.Parent)
            {
                string candidate = Path.Combine(root.FullName, "samples", "data");
                if (File.Exists(Path.Combine(root.FullName, "LatentModels.sln")) && File.Exists(Path.Combine(candidate, MnistImages)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary><see cref="FindFolder"/>, or the relative <c>samples/data</c> when it is not found.</summary>
    public static string Folder => FindFolder() ?? Path.Combine("samples", "data");
}
