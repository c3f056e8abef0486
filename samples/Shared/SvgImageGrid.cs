using System.Globalization;
using System.Text;

namespace LatentModels.Samples;

/// <summary>Writes a grid of small grey-scale (or blue–white–red) images as one SVG document.</summary>
internal static class SvgImageGrid
{
    /// <summary>
    /// The rows of <paramref name="images"/> (each height × width pixels, row-major) in a grid of
    /// <paramref name="columns"/> columns, each image scaled to its own largest magnitude: grey from black (0) to white
    /// (max), or, when <paramref name="diverging"/>, blue (negative) – white (0) – red (positive).
    /// </summary>
    public static string Render(double[,] images, int height, int width, int columns, string title, bool diverging, IReadOnlyList<string>? captions = null)
    {
        const int Gap = 8, Top = 30, Caption = 14;
        int pixel = Math.Max(3, 96 / Math.Max(height, width));
        int count = images.GetLength(0);
        int rows = (count + columns - 1) / columns;
        int cellWidth = width * pixel + Gap, cellHeight = height * pixel + Gap + (captions is null ? 0 : Caption);
        int totalWidth = Math.Max(columns * cellWidth + Gap, 8 * title.Length + 2 * Gap), totalHeight = Top + rows * cellHeight + Gap;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" shape-rendering=\"crispEdges\" width=\"{totalWidth}\" height=\"{totalHeight}\" viewBox=\"0 0 {totalWidth} {totalHeight}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{totalWidth}\" height=\"{totalHeight}\" fill=\"#f4f4f4\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Gap}\" y=\"20\" font-family=\"sans-serif\" font-size=\"14\">{Escape(title)}</text>\n");
        for (int i = 0; i < count; i++)
        {
            int x0 = Gap + (i % columns) * cellWidth, y0 = Top + (i / columns) * cellHeight;
            double scale = 0;
            for (int k = 0; k < height * width; k++)
            {
                scale = Math.Max(scale, Math.Abs(images[i, k]));
            }

            scale = scale > 0 ? scale : 1;
            svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate({x0},{y0})\">");
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    double v = images[i, r * width + c] / scale;
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{c * pixel}\" y=\"{r * pixel}\" width=\"{pixel}\" height=\"{pixel}\" fill=\"{Color(v, diverging)}\"/>");
                }
            }

            svg.Append("</g>\n");
            if (captions is not null && i < captions.Count)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0}\" y=\"{y0 + height * pixel + Caption - 2}\" font-family=\"sans-serif\" font-size=\"10\">{Escape(captions[i])}</text>\n");
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Color(double v, bool diverging)
    {
        if (!diverging)
        {
            int g = (int)Math.Round(255 * Math.Clamp(v, 0, 1));
            return $"#{g:x2}{g:x2}{g:x2}";
        }

        int fade = (int)Math.Round(255 * (1 - Math.Min(1, Math.Abs(v))));
        return v >= 0 ? $"#ff{fade:x2}{fade:x2}" : $"#{fade:x2}{fade:x2}ff";
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
