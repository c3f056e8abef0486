using LatentModels.Cli;

namespace LatentModels.Tests.Cli;

public class JsonLineTests
{
    [Fact]
    public void Writes_one_line_with_round_trip_doubles_arrays_and_nulls_for_non_finite_values()
    {
        string line = new JsonLine()
            .Add("model", "mvn").Add("n", 3).Add("ok", true)
            .Add("x", 0.1 + 0.2).Add("bad", double.NaN)
            .Add("mean", new List<double> { 1.5, -2 })
            .Add("cov", new double[,] { { 1, 0.5 }, { 0.5, double.PositiveInfinity } })
            .ToString();
        line.Should().Be("""{"model":"mvn","n":3,"ok":true,"x":0.30000000000000004,"bad":null,"mean":[1.5,-2],"cov":[[1,0.5],[0.5,null]]}""");
    }

    [Fact]
    public void Rejects_values_it_cannot_write()
    {
        var act = () => new JsonLine().Add("when", DateTime.UnixEpoch).ToString();
        act.Should().Throw<ArgumentException>().WithMessage("Cannot write a DateTime*");
    }
}
