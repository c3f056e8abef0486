using System.Globalization;
using System.Text;

namespace LatentModels.Cli;

/// <summary>
/// Writes a self-contained SVG scatter plot of 2-D points coloured by component, with each component's mean and its
/// 1σ and 2σ ellipses ({x : (x−μ)ᵀΣ⁻¹(x−μ) = r²}, drawn as μ + r·L·(cos t, sin t) with Σ = LLᵀ), axes, ticks and labels.
/// </summary>
public static class SvgScatterPlot
{
    private const double Width = 760, Height = 560, Left = 80, Right = 190, Top = 50, Bottom = 70;

    private static readonly string[] _palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    /// <summary>Renders the plot.</summary>
    /// <param name="points">n × 2 points.</param>
    /// <param name="labels">The component of each point (indexes <paramref name="components"/>).</param>
    /// <param name="components">The components.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="xLabel">Horizontal axis label.</param>
    /// <param name="yLabel">Vertical axis label.</param>
    public static string Render(double[,] points, int[] labels, IReadOnlyList<PlotComponent> components, string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(components);
        if (points.GetLength(1) != 2)
        {
            throw new ArgumentException("Only 2-D points can be plotted.", nameof(points));
        }

        int n = points.GetLength(0);
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        void Extend(double x, double y)
        {
            xMin = Math.Min(xMin, x);
            xMax = Math.Max(xMax, x);
            yMin = Math.Min(yMin, y);
            yMax = Math.Max(yMax, y);
        }

        for (int i = 0; i < n; i++)
        {
            Extend(points[i, 0], points[i, 1]);
        }

        var ellipses = components.Select(c => new[] { Ellipse(c, 1.0), Ellipse(c, 2.0) }).ToArray();
        foreach (var pair in ellipses)
        {
            foreach (var (x, y) in pair[1])
            {
                Extend(x, y);
            }
        }

        var (xTicks, xLo, xHi) = NiceTicks(xMin, xMax);
        var (yTicks, yLo, yHi) = NiceTicks(yMin, yMax);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (x - xLo) / (xHi - xLo) * plotW;
        double Py(double y) => Top + plotH - (y - yLo) / (yHi - yLo) * plotH;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Helvetica, Arial, sans-serif\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left + plotW / 2}\" y=\"28\" font-size=\"18\" text-anchor=\"middle\">{Escape(title)}</text>\n"));

        // Grid, ticks and tick labels.
        svg.Append("<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
        foreach (double t in xTicks)
        {
            svg.Append(Invariant($"<line x1=\"{Px(t):F1}\" y1=\"{Top}\" x2=\"{Px(t):F1}\" y2=\"{Top + plotH}\"/>\n"));
        }

        foreach (double t in yTicks)
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Py(t):F1}\" x2=\"{Left + plotW}\" y2=\"{Py(t):F1}\"/>\n"));
        }

        svg.Append("</g>\n<g font-size=\"12\" fill=\"#333\">\n");
        foreach (double t in xTicks)
        {
            svg.Append(Invariant($"<line x1=\"{Px(t):F1}\" y1=\"{Top + plotH}\" x2=\"{Px(t):F1}\" y2=\"{Top + plotH + 5}\" stroke=\"#333\"/>"));
            svg.Append(Invariant($"<text x=\"{Px(t):F1}\" y=\"{Top + plotH + 20}\" text-anchor=\"middle\">{TickLabel(t)}</text>\n"));
        }

        foreach (double t in yTicks)
        {
            svg.Append(Invariant($"<line x1=\"{Left - 5}\" y1=\"{Py(t):F1}\" x2=\"{Left}\" y2=\"{Py(t):F1}\" stroke=\"#333\"/>"));
            svg.Append(Invariant($"<text x=\"{Left - 9}\" y=\"{Py(t) + 4:F1}\" text-anchor=\"end\">{TickLabel(t)}</text>\n"));
        }

        svg.Append("</g>\n");
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 22}\" font-size=\"14\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(24 {Top + plotH / 2}) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));

        // Points.
        svg.Append("<g fill-opacity=\"0.75\">\n");
        for (int i = 0; i < n; i++)
        {
            string colour = _palette[labels[i] % _palette.Length];
            svg.Append(Invariant($"<circle cx=\"{Px(points[i, 0]):F1}\" cy=\"{Py(points[i, 1]):F1}\" r=\"3\" fill=\"{colour}\"/>\n"));
        }

        svg.Append("</g>\n");

        // Ellipses, means and legend.
        for (int k = 0; k < components.Count; k++)
        {
            string colour = _palette[k % _palette.Length];
            for (int r = 0; r < 2; r++)
            {
                string dash = r == 0 ? string.Empty : " stroke-dasharray=\"6 4\"";
                string path = string.Join(" ", ellipses[k][r].Select((p, i) => Invariant($"{(i == 0 ? 'M' : 'L')}{Px(p.X):F1},{Py(p.Y):F1}")));
                svg.Append(Invariant($"<path d=\"{path} Z\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>\n"));
            }

            double mx = Px(components[k].Mean[0]), my = Py(components[k].Mean[1]);
            svg.Append(Invariant($"<path d=\"M{mx - 7:F1},{my:F1} L{mx + 7:F1},{my:F1} M{mx:F1},{my - 7:F1} L{mx:F1},{my + 7:F1}\" stroke=\"black\" stroke-width=\"3\"/>\n"));
            svg.Append(Invariant($"<path d=\"M{mx - 6:F1},{my:F1} L{mx + 6:F1},{my:F1} M{mx:F1},{my - 6:F1} L{mx:F1},{my + 6:F1}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>\n"));

            double ly = Top + 10 + k * 22;
            svg.Append(Invariant($"<circle cx=\"{Width - Right + 22}\" cy=\"{ly}\" r=\"5\" fill=\"{colour}\"/>"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 34}\" y=\"{ly + 4}\" font-size=\"12\">component {k + 1} (π = {components[k].Weight:F3})</text>\n"));
        }

        double lg = Top + 10 + components.Count * 22 + 10;
        svg.Append(Invariant($"<line x1=\"{Width - Right + 12}\" y1=\"{lg}\" x2=\"{Width - Right + 32}\" y2=\"{lg}\" stroke=\"#555\" stroke-width=\"2\"/><text x=\"{Width - Right + 38}\" y=\"{lg + 4}\" font-size=\"12\">1σ ellipse</text>\n"));
        svg.Append(Invariant($"<line x1=\"{Width - Right + 12}\" y1=\"{lg + 20}\" x2=\"{Width - Right + 32}\" y2=\"{lg + 20}\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{Width - Right + 38}\" y=\"{lg + 24}\" font-size=\"12\">2σ ellipse</text>\n"));
        svg.Append(Invariant($"<text x=\"{Width - Right + 12}\" y=\"{lg + 46}\" font-size=\"12\">+ component mean</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Points of the ellipse μ + r·L·(cos t, sin t), where Σ = LLᵀ.</summary>
    private static (double X, double Y)[] Ellipse(PlotComponent component, double radius)
    {
        double a = component.Covariance[0, 0], b = component.Covariance[1, 0], c = component.Covariance[1, 1];
        double l11 = Math.Sqrt(a), l21 = b / l11, l22 = Math.Sqrt(Math.Max(c - l21 * l21, 0));
        const int Steps = 96;
        var result = new (double, double)[Steps];
        for (int i = 0; i < Steps; i++)
        {
            double t = 2 * Math.PI * i / Steps, u = radius * Math.Cos(t), v = radius * Math.Sin(t);
            result[i] = (component.Mean[0] + l11 * u, component.Mean[1] + l21 * u + l22 * v);
        }

        return result;
    }

    /// <summary>About six "nice" tick values (1, 2 or 5 × 10ⁿ apart) covering [min, max], and the padded range.</summary>
    internal static (double[] Ticks, double Low, double High) NiceTicks(double min, double max)
    {
        if (!(max > min))
        {
            max = min + 1;
        }

        double rawStep = (max - min) / 6;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rawStep)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * magnitude).First(s => s >= rawStep);
        double low = Math.Floor(min / step) * step, high = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((high - low) / step) + 1;
        return (Enumerable.Range(0, count).Select(i => Math.Round(low + i * step, 10)).ToArray(), low, high);
    }

    private static string TickLabel(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
