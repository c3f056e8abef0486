using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>
/// Reads a <c>--sample-weights</c> file (one non-negative weight per line) in chunks, as the out-of-core fits read it
/// alongside <c>--data</c>: every weight is checked as it arrives, and a bad one — negative, a second column, one weight too
/// many — is an <see cref="ArgumentException"/> naming its row of the weights file (<see cref="CliErrors"/> turns that into
/// <c>file:line:column</c>, exit 2); a file with too few weights names the counts. Non-numeric and non-finite cells are the
/// reader's <see cref="RowFormatException"/>s (<c>file:line:column</c> too).
/// </summary>
internal static class SampleWeightsFile
{
    /// <summary>The parameter name under which the errors are reported (mapped to the <c>--sample-weights</c> file).</summary>
    private const string Parameter = "sampleWeights";

    /// <summary>
    /// The whole file as one weight per row of a data set of <paramref name="rows"/> rows (for the fits that hold the rows
    /// in memory), read in chunks of <see cref="RowChunks.DefaultChunkRows"/>: memory is the weights and one chunk.
    /// </summary>
    public static double[] ReadAll(CliConsole console, string path, int rows)
    {
        IRowChunkSource source = CommonOptions.OpenSampleWeights(console, path);
        var weights = new double[rows];
        int first = 0;
        bool positive = false;
        foreach (double[,] chunk in source.ReadChunks(RowChunks.DefaultChunkRows, console.CancellationToken))
        {
            int m = chunk.GetLength(0);
            if (first + m > rows)
            {
                throw TooMany(rows);
            }

            positive |= Check(chunk, first, weights.AsSpan(first, m));
            first += m;
        }

        if (first < rows)
        {
            throw TooFew(first, rows);
        }

        return positive ? weights : throw new ArgumentException("--sample-weights: every weight is zero; at least one must be positive.");
    }

    /// <summary>
    /// The chunks of <paramref name="rows"/> (of <paramref name="chunkRows"/> rows, the last shorter) with their weights
    /// read in lockstep from <paramref name="weights"/> (the weights array is reused: valid until the next chunk). Memory:
    /// one chunk of each.
    /// </summary>
    public static IEnumerable<(double[,] Rows, double[] Weights, int First)> Lockstep(IRowChunkSource rows, IRowChunkSource weights, int chunkRows, CancellationToken cancellationToken)
    {
        using IEnumerator<double[,]> w = weights.ReadChunks(chunkRows, cancellationToken).GetEnumerator();
        double[] buffer = [];
        int first = 0;
        foreach (double[,] chunk in rows.ReadChunks(chunkRows, cancellationToken))
        {
            int m = chunk.GetLength(0);
            int got = w.MoveNext() ? w.Current.GetLength(0) : 0;
            if (got < m)
            {
                throw TooFew(first + got, first + m, atLeast: true);
            }

            if (w.Current.GetLength(0) > m)
            {
                throw TooMany(first + m);
            }

            if (buffer.Length != m)
            {
                buffer = new double[m];
            }

            Check(w.Current, first, buffer);
            yield return (chunk, buffer, first);
            first = checked(first + m);
        }

        if (w.MoveNext())
        {
            throw TooMany(first);
        }
    }

    /// <summary>
    /// The weights source checked chunk by chunk as <see cref="Lockstep"/> checks it (a second column, a negative weight: the
    /// row of the weights file), for the library's out-of-core fits, which read it in lockstep themselves (and report a
    /// wrong count).
    /// </summary>
    public static IRowChunkSource Checked(IRowChunkSource weights) => new CheckedSource(weights);

    private sealed class CheckedSource(IRowChunkSource inner) : IRowChunkSource
    {
        public string Name => inner.Name;

        public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
        {
            int first = 0;
            double[] scratch = [];
            foreach (double[,] chunk in inner.ReadChunks(chunkRows, cancellationToken))
            {
                int m = chunk.GetLength(0);
                if (scratch.Length != m)
                {
                    scratch = new double[m];
                }

                Check(chunk, first, scratch);
                first = checked(first + m);
                yield return chunk;
            }
        }
    }

    /// <summary>Checks one chunk of weights (the rows from <paramref name="first"/>) into <paramref name="destination"/>; returns whether one is positive.</summary>
    private static bool Check(double[,] chunk, int first, Span<double> destination)
    {
        if (chunk.GetLength(1) != 1)
        {
            throw new ArgumentException($"The weight of row {first}, column 1 is a second column of --sample-weights; give one weight per line.", Parameter);
        }

        bool positive = false;
        for (int i = 0; i < destination.Length; i++)
        {
            double v = chunk[i, 0];
            if (!(v >= 0) || !double.IsFinite(v))
            {
                throw new ArgumentException($"The weight of row {first + i} is {v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; --sample-weights must be finite and non-negative.", Parameter);
            }

            destination[i] = v;
            positive |= v > 0;
        }

        return positive;
    }

    private static ArgumentException TooMany(int rows) =>
        new($"The weight of row {rows} is one more than the {rows} rows of --data; give one weight per row.", Parameter);

    private static ArgumentException TooFew(int weights, int rows, bool atLeast = false) =>
        new($"Only {weights} weights for {(atLeast ? "at least " : "")}{rows} rows of --data (fewer weights than rows); give one weight per row in --sample-weights.", Parameter);
}
