using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class CenterTableTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(8, 5)]
    [InlineData(13, 16)]
    [InlineData(32, 16)]
    [InlineData(33, 7)]
    public void Nearest_center_and_runner_up_match_the_naive_search_first_on_ties(int k, int d)
    {
        var random = new Random(k * 31 + d);
        // Integer coordinates make exact ties common; duplicated centers make the best value appear in several lanes.
        var centers = new double[k * d];
        for (int i = 0; i < centers.Length; i++)
        {
            centers[i] = random.Next(-2, 3);
        }

        if (k > 2)
        {
            Array.Copy(centers, 0, centers, (k - 1) * d, d);
        }

        const int n = 203;
        var x = new double[n * d];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.Next(-3, 4);
        }

        var table = new CenterTable(k, d);
        table.Load(centers);
        var labels = new int[n];
        var best = new double[n];
        var second = new double[n];
        table.NearestRange(x, 0, n, labels, best, second, new double[table.ScratchLength]);
        for (int i = 0; i < n; i++)
        {
            // Values are ‖c‖² − 2x·c (exact here: small integers); the naive search keeps the first minimum.
            var values = new double[k];
            for (int j = 0; j < k; j++)
            {
                double dot = 0, norm = 0;
                for (int p = 0; p < d; p++)
                {
                    dot += x[i * d + p] * centers[j * d + p];
                    norm += centers[j * d + p] * centers[j * d + p];
                }

                values[j] = norm - 2 * dot;
            }

            int arg = 0;
            for (int j = 1; j < k; j++)
            {
                if (values[j] < values[arg])
                {
                    arg = j;
                }
            }

            double runnerUp = double.PositiveInfinity;
            for (int j = 0; j < k; j++)
            {
                if (j != arg)
                {
                    runnerUp = Math.Min(runnerUp, values[j]);
                }
            }

            labels[i].Should().Be(arg, $"row {i}");
            best[i].Should().Be(values[arg]);
            second[i].Should().Be(runnerUp);
        }
    }
}
