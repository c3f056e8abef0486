using System.Globalization;
using System.Text;
using LatentModels.Tests.Cli;

namespace LatentModels.Tests.Reliability;

/// <summary>The CLI on data of extreme range or position: exit 0 with a fit, or exit 2 with one line, never a crash.</summary>
public sealed class RangeCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("latent-range-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(double scale, double shift)
    {
        double[,] x = RangeTestData.Map(RangeTestData.Blobs(120, 2, 5), scale, shift);
        var text = new StringBuilder();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            text.Append(x[i, 0].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(x[i, 1].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        string path = Path.Combine(_directory, $"x{scale:E0}{shift:E0}.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static TheoryData<string, double, double> Cases()
    {
        var data = new TheoryData<string, double, double>();
        foreach (string command in new[] { "kmeans", "minibatch-kmeans", "online-kmeans", "gmm", "online-gmm", "vb-gmm" })
        {
            foreach ((double scale, double shift) in new[] { (1e-150, 0.0), (1e154, 0.0), (1e200, 0.0), (1e300, 0.0), (1.0, 1e10) })
            {
                data.Add(command, scale, shift);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fit_commands_exit_0_or_2_with_one_line(string command, double scale, double shift)
    {
        string path = Write(scale, shift);
        string labels = Path.Combine(_directory, "labels.txt");
        bool whole = command is "kmeans" or "gmm" or "minibatch-kmeans";
        var args = new List<string> { "fit", command, "--data", path, "--k", "3", "--seed", "1", "--json" };
        if (whole)
        {
            args.AddRange(["--labels-out", labels]);
        }

        if (command == "gmm")
        {
            args.AddRange(["--reg", "0"]); // the default 1e-6 would dominate variances of 1e-300 (as it should)
        }

        var (code, stdout, stderr) = CliTests.Run([.. args]);
        code.Should().BeOneOf([0, 2], stderr);
        if (code == 2)
        {
            stderr.TrimEnd().Split('\n').Should().ContainSingle("the error is one line: {0}", stderr);
            stderr.Should().NotContain("   at ");
            return;
        }

        CliTests.LastJson(stdout).GetProperty("model").GetString().Should().NotBeNullOrEmpty();
        if (whole)
        {
            // Whole-data fits: the labels are the ordinary data's three blobs (rows i, i + 3, … share a label).
            string[] l = File.ReadAllLines(labels);
            l.Should().HaveCount(120);
            for (int i = 3; i < 120; i++)
            {
                l[i].Should().Be(l[i % 3], $"row {i}");
            }

            new[] { l[0], l[1], l[2] }.Distinct().Should().HaveCount(3);
        }
    }
}
