using System.Globalization;
using System.Text;

namespace LatentModels.Cli;

/// <summary>Readable number and matrix formatting for summaries.</summary>
internal static class Format
{
    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Vector(IReadOnlyList<double> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))) + "]";

    public static void WriteGaussian(TextWriter output, IReadOnlyList<double> mean, double[,] covariance, string indent)
    {
        output.WriteLine($"{indent}mean        {Vector(mean)}");
        for (int r = 0; r < covariance.GetLength(0); r++)
        {
            var row = new double[covariance.GetLength(1)];
            for (int c = 0; c < row.Length; c++)
            {
                row[c] = covariance[r, c];
            }

            output.WriteLine($"{indent}{(r == 0 ? "covariance  " : "            ")}{Vector(row)}");
        }
    }

    /// <summary>Writes the rows of <paramref name="values"/> as CSV lines, as <see cref="AppendCsvRows"/> does, without building a string.</summary>
    public static void WriteCsvRows(TextWriter output, double[,] values)
    {
        Span<char> buffer = stackalloc char[32];
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < values.GetLength(1); j++)
            {
                if (j > 0)
                {
                    output.Write(',');
                }

                values[i, j].TryFormat(buffer, out int written, "R", CultureInfo.InvariantCulture);
                output.Write(buffer[..written]);
            }

            output.Write('\n');
        }
    }

    /// <summary>Appends the rows of <paramref name="values"/> as CSV lines (round-trip numbers, '\n' after each row).</summary>
    public static StringBuilder AppendCsvRows(StringBuilder output, double[,] values)
    {
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < values.GetLength(1); j++)
            {
                if (j > 0)
                {
                    output.Append(',');
                }

                output.Append(values[i, j].ToString("R", CultureInfo.InvariantCulture));
            }

            output.Append('\n');
        }

        return output;
    }
}
