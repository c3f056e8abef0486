using LatentModels.Cli;

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
        act.Should().Throw<DataFormatException>().Where(e => e.Line == 3 && e.File == "t.csv")
            .WithMessage("t.csv:3:1: the row has 1 values but earlier rows have 2.");
    }

    [Fact]
    public void Non_number_names_line_and_column()
    {
        var act = () => Parse("1,2\n3,x4\n");
        act.Should().Throw<DataFormatException>().Where(e => e.Line == 2 && e.Column == 3)
            .WithMessage("*'x4' is not a finite number*");
        var nan = () => Parse("1 2\n3 NaN\n");
        nan.Should().Throw<DataFormatException>().Where(e => e.Line == 2 && e.Column == 3);
        var empty = () => Parse("1,2\n3,\n");
        empty.Should().Throw<DataFormatException>().WithMessage("*empty field*");
    }

    [Fact]
    public void Empty_file_is_an_error()
    {
        var act = () => Parse("x,y\n\n");
        act.Should().Throw<DataFormatException>().WithMessage("*no data rows*");
    }
}
