using System.Globalization;
using System.Text;

namespace LatentModels.Data;

/// <summary>
/// The text-table rules shared by <see cref="CsvRowChunkSource"/> and the <c>latent</c> CLI's reader: the separator, the
/// header rule, the split into cells and the wording of a bad cell.
/// </summary>
/// <remarks>
/// <para><b>Header rule.</b> The first non-blank, non-comment line is a header when <em>every</em> one of its cells is a
/// name: it holds a letter, is not a number (not even NaN, ∞ or an out-of-range number) and does not start like one (a
/// digit, a sign or a decimal point), and is not a mistyped number (a digit or point with O/o for 0 or l/I for 1). Any
/// other first line is a data row, so a typo in the first row of a header-less file is an error, never a header that
/// silently drops the row.</para>
/// <para><b>Separator.</b> Taken from the first data row: ',' if it holds one, else ';' if it holds one, else runs of
/// whitespace (spaces and tabs). Every later row must use it: a row with another delimiter has a cell that is not a
/// number, and the message names the delimiter.</para>
/// </remarks>
public static class CsvRules
{
    /// <summary>Longest part of an offending cell quoted in a message.</summary>
    private const int MaxQuoted = 24;

    /// <summary>The separator a line suggests: ',' if it holds one, else ';' if it holds one, else ' ' (runs of whitespace).</summary>
    /// <param name="text">The line.</param>
    public static char DetectSeparator(ReadOnlySpan<char> text) => text.Contains(',') ? ',' : (text.Contains(';') ? ';' : ' ');

    /// <summary>Whether a first content line is a header: every cell is a name (see the remarks).</summary>
    /// <param name="text">The line (trailing whitespace removed).</param>
    /// <param name="fields">Its cells from <see cref="Split"/>.</param>
    public static bool IsHeader(ReadOnlySpan<char> text, List<(int Start, int End)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach ((int start, int end) in fields)
        {
            ReadOnlySpan<char> cell = text[start..end];
            if (cell.IsEmpty || "0123456789+-−.".Contains(cell[0]) || IsBinary(cell) || !HasLetter(cell)
                || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsMistypedNumber(cell))
            {
                return false;
            }
        }

        return fields.Count > 0;
    }

    /// <summary>
    /// Splits a line (trailing whitespace removed) into cells: their [start, end) character ranges with the cells' own
    /// surrounding whitespace trimmed. With ' ' as separator, runs of spaces and tabs separate the cells.
    /// </summary>
    /// <param name="text">The line.</param>
    /// <param name="separator">',', ';' or ' '.</param>
    /// <param name="fields">Cleared, then filled with the cells' ranges.</param>
    public static void Split(ReadOnlySpan<char> text, char separator, List<(int Start, int End)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        if (separator == ' ')
        {
            int position = 0;
            while (true)
            {
                while (position < text.Length && char.IsWhiteSpace(text[position]))
                {
                    position++;
                }

                if (position >= text.Length)
                {
                    return;
                }

                int start = position;
                while (position < text.Length && !char.IsWhiteSpace(text[position]))
                {
                    position++;
                }

                fields.Add((start, position));
            }
        }

        int from = 0;
        while (true)
        {
            int next = text[from..].IndexOf(separator);
            int end = next < 0 ? text.Length : from + next;
            int s = from, e = end;
            while (s < e && char.IsWhiteSpace(text[s]))
            {
                s++;
            }

            while (e > s && char.IsWhiteSpace(text[e - 1]))
            {
                e--;
            }

            fields.Add((s, e));
            if (next < 0)
            {
                return;
            }

            from = end + 1;
        }
    }

    /// <summary>What is wrong with a cell that is not a finite number (empty, binary, out of range, a wrong delimiter, or not a number).</summary>
    /// <param name="field">The cell.</param>
    /// <param name="separator">The table's separator.</param>
    /// <param name="parsed">What <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/> gave.</param>
    public static string Problem(ReadOnlySpan<char> field, char separator, double parsed)
    {
        if (field.IsEmpty)
        {
            return "an empty field is not a finite number.";
        }

        if (IsBinary(field))
        {
            return "the cell holds binary bytes (control characters or invalid UTF-8): this is not a text table of numbers.";
        }

        string quoted = $"'{Quote(field)}'";
        if (double.IsInfinity(parsed) && !field.Contains("inf", StringComparison.OrdinalIgnoreCase) && !field.Contains('∞'))
        {
            return $"{quoted} is beyond the range of double (±1.8e308); rescale the data.";
        }

        foreach (char other in (ReadOnlySpan<char>)[',', ';', '\t', ' '])
        {
            if (other != separator && !(separator == ' ' && other == '\t') && field.Contains(other))
            {
                string expected = separator switch { ',' => "','", ';' => "';'", _ => "whitespace" };
                string found = other switch { '\t' => "a tab", ' ' => "a space", _ => $"'{other}'" };
                return $"{quoted} is not a finite number (the rows are separated by {expected} but this cell holds {found}: a wrong delimiter?).";
            }
        }

        return $"{quoted} is not a finite number.";
    }

    private static bool HasLetter(ReadOnlySpan<char> cell)
    {
        foreach (char c in cell)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A cell with a digit or point that is a number once O/o are read as 0 and l/I as 1.</summary>
    private static bool IsMistypedNumber(ReadOnlySpan<char> cell)
    {
        if (cell.IndexOfAny("0123456789.") < 0 || cell.Length > 64)
        {
            return false;
        }

        Span<char> digits = stackalloc char[cell.Length];
        for (int i = 0; i < cell.Length; i++)
        {
            digits[i] = cell[i] switch { 'O' or 'o' => '0', 'l' or 'I' => '1', char c => c };
        }

        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    private static bool IsBinary(ReadOnlySpan<char> cell)
    {
        foreach (char c in cell)
        {
            if ((c < ' ' && c != '\t') || c == '\u007F' || c == '\uFFFD')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The cell as printable text on one line: control characters escaped, at most <see cref="MaxQuoted"/> characters.</summary>
    private static string Quote(ReadOnlySpan<char> field)
    {
        var text = new StringBuilder();
        foreach (char c in field[..Math.Min(field.Length, MaxQuoted)])
        {
            if (c < ' ' || c == '\u007F' || c == '\uFFFD' || c == '\'' || c == '\\')
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return field.Length > MaxQuoted ? text.Append('…').ToString() : text.ToString();
    }
}
