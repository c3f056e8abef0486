using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using LatentModels.Cli;
using LatentModels.Mixtures;
using MathNet.Numerics.LinearAlgebra;

namespace LatentModels.Tests.Cli;

/// <summary>
/// The picture's geometry read back from the SVG: it parses as XML, every point sits where its data says in its
/// component's colour, each ellipse's vertices are at Mahalanobis distance 1 and 2 from the mean under that component's
/// covariance, and the mean markers are centered on the means.
/// </summary>
public class SvgScatterPlotTests
{
    private static readonly XNamespace _svg = "http://www.w3.org/2000/svg";

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    /// <summary>Least-squares fit of pixel = a + b·value.</summary>
    private static (double A, double B) Line(double[] value, double[] pixel)
    {
        double mv = value.Average(), mp = pixel.Average();
        double b = value.Zip(pixel, (v, p) => (v - mv) * (p - mp)).Sum() / value.Sum(v => (v - mv) * (v - mv));
        return (mp - (b * mv), b);
    }

    private static List<(double X, double Y)> Vertices(string d) => d.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Where(t => t[0] is 'M' or 'L')
        .Select(t => t[1..].Split(','))
        .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
        .ToList();

    [Fact]
    public void Points_ellipses_and_means_are_drawn_where_the_model_puts_them()
    {
        GaussianMixtureModel model = GaussianMixtureModel.Create(CovarianceType.Full, [0.5, 0.5],
            new double[,] { { 2, 60 }, { 4.5, 80 } }, [0.1, 0.8, 0.8, 30, /**/ 0.3, -1.5, -1.5, 40]);
        double[,] x = model.Sample(150, new Random(4));
        int[] labels = model.Predict(x);
        var components = Enumerable.Range(0, 2).Select(k => new PlotComponent([model.Means[k, 0], model.Means[k, 1]], model.GetCovariance(k), model.Weights[k])).ToArray();

        XDocument doc = XDocument.Parse(SvgScatterPlot.Render(x, labels, components, "title <&>", "x label", "y label"));
        XElement root = doc.Root!;
        root.Name.Should().Be(_svg + "svg");
        root.Descendants(_svg + "text").Select(t => t.Value).Should().Contain(["title <&>", "x label", "y label"]);

        // Data points: the first 150 circles, in row order, coloured by label; pixel positions linear in the data.
        XElement[] circles = root.Descendants(_svg + "circle").ToArray();
        circles.Should().HaveCount(150 + 2, "the points and one legend marker per component");
        string[] palette = [circles[150].Attribute("fill")!.Value, circles[151].Attribute("fill")!.Value];
        palette[0].Should().NotBe(palette[1]);
        for (int i = 0; i < 150; i++)
        {
            circles[i].Attribute("fill")!.Value.Should().Be(palette[labels[i]], $"point {i} has label {labels[i]}");
        }

        double[] xs = Enumerable.Range(0, 150).Select(i => x[i, 0]).ToArray(), ys = Enumerable.Range(0, 150).Select(i => x[i, 1]).ToArray();
        var (ax, bx) = Line(xs, circles.Take(150).Select(c => Number(c, "cx")).ToArray());
        var (ay, by) = Line(ys, circles.Take(150).Select(c => Number(c, "cy")).ToArray());
        bx.Should().BeGreaterThan(0);
        by.Should().BeLessThan(0, "the y axis points up");
        for (int i = 0; i < 150; i++)
        {
            Number(circles[i], "cx").Should().BeApproximately(ax + (bx * x[i, 0]), 0.06);
            Number(circles[i], "cy").Should().BeApproximately(ay + (by * x[i, 1]), 0.06);
        }

        // Ellipses: closed, unfilled paths in the component's colour; the 1σ one solid, the 2σ one dashed.
        XElement[] ellipses = root.Descendants(_svg + "path").Where(p => p.Attribute("fill")?.Value == "none" && p.Attribute("d")!.Value.EndsWith('Z')).ToArray();
        ellipses.Should().HaveCount(4);
        for (int k = 0; k < 2; k++)
        {
            Matrix<double> inverse = Matrix<double>.Build.DenseOfArray(model.GetCovariance(k)).Inverse();
            for (int r = 1; r <= 2; r++)
            {
                XElement path = ellipses[(2 * k) + r - 1];
                path.Attribute("stroke")!.Value.Should().Be(palette[k]);
                (path.Attribute("stroke-dasharray") is not null).Should().Be(r == 2);
                List<(double X, double Y)> vertices = Vertices(path.Attribute("d")!.Value);
                vertices.Count.Should().BeGreaterThan(32);
                foreach (var (px, py) in vertices)
                {
                    // Back to data coordinates; a 0.05-pixel rounding moves the point by 0.05/|b| data units.
                    var delta = Vector<double>.Build.Dense([((px - ax) / bx) - model.Means[k, 0], ((py - ay) / by) - model.Means[k, 1]]);
                    Math.Sqrt(delta * (inverse * delta)).Should().BeApproximately(r, 0.02 * r, $"component {k}, {r}σ ellipse");
                }
            }
        }

        // Mean markers: a cross (two strokes) centered on each mean.
        XElement[] crosses = root.Descendants(_svg + "path").Where(p => p.Attribute("stroke")?.Value == "black").ToArray();
        crosses.Should().HaveCount(2);
        for (int k = 0; k < 2; k++)
        {
            List<(double X, double Y)> v = Vertices(crosses[k].Attribute("d")!.Value);
            ((v[0].X + v[1].X) / 2).Should().BeApproximately(ax + (bx * model.Means[k, 0]), 0.1);
            ((v[2].Y + v[3].Y) / 2).Should().BeApproximately(ay + (by * model.Means[k, 1]), 0.1);
        }
    }

    [Fact]
    public async Task Demo_without_arguments_writes_latent_demo_svg_in_the_current_directory()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"latent-demo-cwd-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "latent.dll"));
            start.ArgumentList.Add("demo");
            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            process.ExitCode.Should().Be(0, await stderr);
            string expected = Path.Combine(directory, "latent-demo.svg");
            stdout.Should().Contain($"Picture written to {expected}");
            XDocument.Parse(File.ReadAllText(expected)).Root!.Descendants(_svg + "circle").Should().HaveCount(272 + 2);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
