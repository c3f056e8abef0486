namespace LatentModels.SparseCoding;

/// <summary>Validation at the door of the sparse-coding types.</summary>
internal static class SparseCodingChecks
{
    /// <summary>A K × d dictionary: finite values, at least one atom and one column, no zero atom.</summary>
    public static void CheckDictionary(double[,] dictionary, string paramName)
    {
        DataValidation.CheckMatrix(dictionary, paramName);
        int k = dictionary.GetLength(0), d = dictionary.GetLength(1);
        ReadOnlySpan<double> atoms = dictionary.AsSpan();
        for (int a = 0; a < k; a++)
        {
            bool zero = true;
            foreach (double v in atoms.Slice(a * d, d))
            {
                if (v != 0)
                {
                    zero = false;
                    break;
                }
            }

            if (zero)
            {
                throw new ArgumentException($"Atom {a} (row {a}) of the dictionary is zero; every atom needs a non-zero norm.", paramName);
            }
        }
    }

    /// <summary>Rows of the dictionary's dimension, finite (n may be 0).</summary>
    public static void CheckData(double[,] data, int dimension, string paramName)
    {
        DataValidation.CheckMatrix(data, paramName, minRows: 0);
        DataValidation.CheckDimension(data, dimension, paramName);
    }

    /// <summary>Codes of <paramref name="rows"/> rows (when given) × <paramref name="atoms"/> atoms, finite.</summary>
    public static void CheckCodes(double[,] codes, int? rows, int atoms, string paramName)
    {
        ArgumentNullException.ThrowIfNull(codes, paramName);
        if (codes.GetLength(1) != atoms || (rows is int n && codes.GetLength(0) != n))
        {
            string expected = rows is int r ? $"{r} × {atoms}" : $"n × {atoms}";
            throw new ArgumentException($"The codes are {codes.GetLength(0)} × {codes.GetLength(1)}; expected {expected} (one column per atom).", paramName);
        }

        DataValidation.CheckFinite(codes.AsSpan(), atoms, paramName);
    }
}
