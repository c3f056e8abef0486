using System.Globalization;
using System.Text;

namespace MeanField;

/// <summary>
/// A minimal SVG plotting panel for the sample: a pixel box mapped to a data range, with axes, ticks, curves, markers
/// and text. Several panels can share one <see cref="StringBuilder"/>, which <see cref="Document"/> wraps into a file.
/// </summary>
internal sealed class SvgPanel(StringBuilder svg, double left, double top, double width, double height,
    double xMin, double xMax, double yMin, double yMax)
{
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The pixel x of a data x.</summary>
    public double Px(double x) => left + ((x - xMin) / (xMax - xMin) * width);

    /// <summary>The pixel y of a data y (up is up).</summary>
    public double Py(double y) => top + height - ((y - yMin) / (yMax - yMin) * height);

    /// <summary>Wraps the body in an SVG document of the given size with a white background.</summary>
    public static string Document(double width, double height, StringBuilder body) =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" " +
        $"font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n";

    /// <summary>Draws the frame, ticks every <paramref name="xStep"/>/<paramref name="yStep"/> (no y ticks if 0), labels and a title.</summary>
    public void Axes(double xStep, double yStep, string xLabel, string yLabel, string title)
    {
        svg.AppendLine($"<rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(width)}\" height=\"{F(height)}\" fill=\"none\" stroke=\"#444\"/>");
        for (double x = Math.Ceiling(xMin / xStep) * xStep; x <= xMax + 1e-9; x += xStep)
        {
            svg.AppendLine($"<line x1=\"{F(Px(x))}\" y1=\"{F(top + height)}\" x2=\"{F(Px(x))}\" y2=\"{F(top + height + 5)}\" stroke=\"#444\"/>");
            svg.AppendLine($"<text x=\"{F(Px(x))}\" y=\"{F(top + height + 19)}\" text-anchor=\"middle\">{F(x)}</text>");
        }

        if (yStep > 0)
        {
            for (double y = Math.Ceiling(yMin / yStep) * yStep; y <= yMax + 1e-9; y += yStep)
            {
                svg.AppendLine($"<line x1=\"{F(left - 5)}\" y1=\"{F(Py(y))}\" x2=\"{F(left)}\" y2=\"{F(Py(y))}\" stroke=\"#444\"/>");
                svg.AppendLine($"<text x=\"{F(left - 8)}\" y=\"{F(Py(y) + 4)}\" text-anchor=\"end\">{F(y)}</text>");
            }
        }

        svg.AppendLine($"<text x=\"{F(left + (width / 2))}\" y=\"{F(top + height + 40)}\" text-anchor=\"middle\">{xLabel}</text>");
        svg.AppendLine($"<text transform=\"translate({F(left - 42)},{F(top + (height / 2))}) rotate(-90)\" text-anchor=\"middle\">{yLabel}</text>");
        svg.AppendLine($"<text x=\"{F(left + (width / 2))}\" y=\"{F(top - 12)}\" text-anchor=\"middle\" font-size=\"15\">{title}</text>");
    }

    /// <summary>A polyline through data points, clipped to the panel's box.</summary>
    public void Curve(IEnumerable<(double X, double Y)> points, string color, double strokeWidth = 2, string dash = "")
    {
        string dashAttribute = dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "";
        string path = string.Join(" ", points.Select(p => $"{F(Px(p.X))},{F(Math.Clamp(Py(p.Y), top, top + height))}"));
        svg.AppendLine($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{F(strokeWidth)}\"{dashAttribute}/>");
    }

    /// <summary>
    /// The ellipse {z : (z − c)ᵀΣ⁻¹(z − c) = r²} of a 2 × 2 covariance Σ, drawn as c + r·L·(cos t, sin t) with Σ = LLᵀ.
    /// </summary>
    public void Ellipse(double cx, double cy, double sxx, double sxy, double syy, double r, string color, double strokeWidth = 2, string dash = "")
    {
        double l11 = Math.Sqrt(sxx), l21 = sxy / l11, l22 = Math.Sqrt(syy - (l21 * l21));
        Curve(Enumerable.Range(0, 181).Select(i =>
        {
            double t = 2 * Math.PI * i / 180;
            return (cx + (r * l11 * Math.Cos(t)), cy + (r * ((l21 * Math.Cos(t)) + (l22 * Math.Sin(t)))));
        }), color, strokeWidth, dash);
    }

    /// <summary>A filled dot at a data point.</summary>
    public void Dot(double x, double y, string color, double radius = 3) =>
        svg.AppendLine($"<circle cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"{F(radius)}\" fill=\"{color}\"/>");

    /// <summary>A legend entry (a short line and its text) at pixel offsets from the panel's top-left corner.</summary>
    public void Legend(int row, string color, string text, string dash = "")
    {
        double y = top + 18 + (row * 18), x = left + 10;
        string dashAttribute = dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "";
        svg.AppendLine($"<line x1=\"{F(x)}\" y1=\"{F(y - 4)}\" x2=\"{F(x + 24)}\" y2=\"{F(y - 4)}\" stroke=\"{color}\" stroke-width=\"2.5\"{dashAttribute}/>");
        svg.AppendLine($"<text x=\"{F(x + 30)}\" y=\"{F(y)}\">{text}</text>");
    }
}
