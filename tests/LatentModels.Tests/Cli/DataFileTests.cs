using LatentModels.Cli;
using LatentModels.Data;

namespace LatentModels.Tests.Cli;

public class DataFileTests
{
    private static double[,] Parse(string text) => DataFile.Read(new StringReader(text), "t.csv");

    [Fact]
    public void Reads_csv_with_header_and_whitespace_files()
    {
        double[,] csv = Parse("a,b\n1,2.5\n-3e2, 4\n");
        csv.Should().BeEquivalentTo(new double[,] { { 1, 2.5 }, { -300, 4 } });
        double[,] ws = Parse("1 2\n\n  3\t4  \n# comment\n");
        ws.Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 } });
    }

    [Fact]
    public void Ragged_row_names_the_line()
    {
        var act = () => Parse("1,2\n3,4\n5\n");
        act.Should().Throw<RowFormatException>().Where(e => e.Line == 3 && e.File == "t.csv")
            .WithMessage("t.csv:3:2: the row has 1 values but earlier rows have 2.");
    }

    [Fact]
    public void Non_number_names_line_and_column()
    {
        var act = () => Parse("1,2\n3,x4\n");
        act.Should().Throw<RowFormatException>().Where(e => e.Line == 2 && e.Column == 3)
            .WithMessage("*'x4' is not a finite number*");
        var nan = () => Parse("1 2\n3 NaN\n");
        nan.Should().Throw<RowFormatException>().Where(e => e.Line == 2 && e.Column == 3);
        var empty = () => Parse("1,2\n3,\n");
        empty.Should().Throw<RowFormatException>().WithMessage("*empty field*");
    }

    [Fact]
    public void Empty_file_is_an_error()
    {
        var act = () => Parse("x,y\n\n");
        act.Should().Throw<RowFormatException>().WithMessage("*no data rows*");
    }

    /// <summary>Typos of a number: letters for digits, doubled points, stray characters, a Unicode minus, a comma decimal.</summary>
    private static readonly Func<string, string>[] _typos =
    [
        v => v.Replace('0', 'O'),
        v => v.Replace('1', 'l'),
        v => v.Replace('1', 'I'),
        v => "O" + v,
        v => v + "x",
        v => v.Replace(".", ".."),
        v => "\u2212" + v.TrimStart('-'),
        v => v.Replace('.', ','),
        v => v + "%",
        v => "$" + v,
        v => v.Replace(".", string.Empty) + "e",
    ];

    [Fact]
    public void A_typo_in_the_first_row_of_a_headerless_file_is_an_error_never_a_header()
    {
        // Every typo of every cell of the first row, in files of 1, 2 and 3 columns, comma- or whitespace-separated:
        // the read either fails at line 1 or 2 (a comma decimal in a one-column file makes the first row two values)
        // or keeps all 200 rows (a typo that is still a number, e.g. "10" → "1O" is not, but "10" stays "10" when it
        // has no 0): never 199.
        var random = new Random(17);
        int cases = 0;
        foreach (int d in new[] { 1, 2, 3 })
        {
            foreach (string separator in new[] { ",", " " })
            {
                string[][] rows = [.. Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, d).Select(_ => (random.Next(1, 2000) / 10.0 - 50).ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture)).ToArray())];
                rows[0] = [.. Enumerable.Range(0, d).Select(j => j % 2 == 0 ? "10.1" : "-0.01")];
                for (int column = 0; column < d; column++)
                {
                    foreach (Func<string, string> typo in _typos)
                    {
                        string original = rows[0][column], typed = typo(original);
                        if (typed == original)
                        {
                            continue;
                        }

                        string[] first = [.. rows[0]];
                        first[column] = typed;
                        string text = string.Join('\n', new[] { string.Join(separator, first) }.Concat(rows.Skip(1).Select(r => string.Join(separator, r))));
                        cases++;
                        try
                        {
                            double[,] x = Parse(text);
                            x.GetLength(0).Should().Be(200, $"'{typed}' in column {column} of {d} ('{separator}') must not become a header");
                        }
                        catch (RowFormatException e)
                        {
                            e.Line.Should().BeInRange(1, 2, e.Message);
                            e.Column.Should().BeGreaterThan(0, e.Message);
                        }
                    }
                }
            }
        }

        cases.Should().BeGreaterThan(100);
    }

    [Fact]
    public void A_header_is_a_row_of_names_only()
    {
        Parse("x,y\n1,2\n").GetLength(0).Should().Be(1);
        Parse("height\n1\n2\n").GetLength(0).Should().Be(2);
        Parse("\"a\" \"b\"\n1 2\n").GetLength(0).Should().Be(1);
        var mixed = () => Parse("x,2\n1,2\n");
        mixed.Should().Throw<RowFormatException>().Where(e => e.Line == 1 && e.Column == 1).WithMessage("*'x' is not a finite number*");
        var mistyped = () => Parse("O.5\n1\n");
        mistyped.Should().Throw<RowFormatException>().Where(e => e.Line == 1 && e.Column == 1);
    }
}
