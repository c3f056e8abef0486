using System.Text.Json;
using LatentModels.SparseCoding;

namespace LatentModels.Persistence.SparseCoding;

/// <summary>
/// <c>LatentModels.BinarySparseCodingStatistics</c> (version 1): <c>{"totalWeight": number, "sumMeans": [H],
/// "sumComplements": [H], "secondMoments": [[H] × H], "cross": [[H] × d], "sumSquares": [d]}</c> — the row count, Σĥ,
/// Σ(1 − ĥ), A = Σ E[hhᵀ], B = Σ v ĥᵀ (d rows of H) and Σ v². Every value comes back bit for bit, so statistics can
/// travel between partitions and a driver; shapes are checked against H and d before they are allocated.
/// </summary>
internal sealed class BinarySparseCodingStatisticsCodec : ModelCodec<BinarySparseCodingStatistics>
{
    public override string FormatName => "LatentModels.BinarySparseCodingStatistics";

    protected override void Write(Utf8JsonWriter writer, BinarySparseCodingStatistics model)
    {
        writer.WriteNumber("totalWeight", model.Count);
        JsonFields.WriteVector(writer, "sumMeans", model.SumMeans);
        JsonFields.WriteVector(writer, "sumComplements", model.SumComplements);
        JsonFields.WriteMatrix(writer, "secondMoments", model.SecondMomentMatrix);
        JsonFields.WriteMatrix(writer, "cross", model.CrossMomentMatrix);
        JsonFields.WriteVector(writer, "sumSquares", model.SumSquares);
    }

    protected override BinarySparseCodingStatistics ReadModel(JsonElement root)
    {
        double count = JsonFields.Double(root, "totalWeight");
        if (!(count >= 0))
        {
            throw new ModelFormatException(FormattableString.Invariant($"The field 'totalWeight' is {count}; it must be non-negative."));
        }

        double[] sumMeans = JsonFields.Vector(root, "sumMeans");
        int h = JsonFields.Positive(sumMeans.Length, "sumMeans");
        double[] sumComplements = JsonFields.Vector(root, "sumComplements", h);
        double[,] second = JsonFields.Matrix(root, "secondMoments", expectedRows: h, expectedColumns: h);
        double[,] cross = JsonFields.Matrix(root, "cross", expectedColumns: h);
        int d = JsonFields.Dimension(JsonFields.Positive(cross.GetLength(0), "cross"), "cross");
        double[] sumSquares = JsonFields.Vector(root, "sumSquares", d);
        CheckNonNegative(sumMeans, "sumMeans");
        CheckNonNegative(sumComplements, "sumComplements");
        CheckNonNegative(sumSquares, "sumSquares");
        CheckConsistent(count, sumMeans, sumComplements, second, cross, sumSquares);
        var statistics = new BinarySparseCodingStatistics(h, d) { Count = count };
        sumMeans.CopyTo(statistics.SumMeans, 0);
        sumComplements.CopyTo(statistics.SumComplements, 0);
        second.AsSpan().CopyTo(statistics.SecondMoments);
        cross.AsSpan().CopyTo(statistics.Cross);
        sumSquares.CopyTo(statistics.SumSquares, 0);
        if (count > 0)
        {
            try
            {
                statistics.ToModel(1.0); // A must factor (with the M-step's ridges at most)
            }
            catch (FittingException e)
            {
                throw new ModelFormatException("The field 'secondMoments' is not the second-moment matrix of any posterior means: " + e.Message, e);
            }
        }

        return statistics;
    }

    /// <summary>
    /// The relations every sum of posterior means satisfies: Σĥᵢ + Σ(1 − ĥᵢ) = N; A symmetric with diagonal Σĥᵢ and
    /// 0 ≤ Aᵢⱼ ≤ min(Aᵢᵢ, Aⱼⱼ); |Bₖᵢ|² ≤ Σvₖ²·Σĥᵢ (Cauchy–Schwarz, as ĥᵢ² ≤ ĥᵢ). Each to a relative 10⁻⁹.
    /// </summary>
    private static void CheckConsistent(double count, double[] sumMeans, double[] sumComplements, double[,] a, double[,] b, double[] sumSquares)
    {
        const double Slack = 1e-9;
        if (count > JsonFields.MaxCount)
        {
            throw new ModelFormatException(FormattableString.Invariant($"The field 'totalWeight' is {count}; it must be at most 2^53."));
        }

        int h = sumMeans.Length, d = sumSquares.Length;
        for (int i = 0; i < h; i++)
        {
            if (Math.Abs(sumMeans[i] + sumComplements[i] - count) > Slack * Math.Max(count, 1))
            {
                throw new ModelFormatException(FormattableString.Invariant(
                    $"The fields 'sumMeans[{i}]' ({sumMeans[i]}) and 'sumComplements[{i}]' ({sumComplements[i]}) must add up to 'totalWeight' ({count})."));
            }

            if (a[i, i] != sumMeans[i])
            {
                throw new ModelFormatException(FormattableString.Invariant($"The field 'secondMoments[{i}][{i}]' is {a[i, i]}; it must equal 'sumMeans[{i}]' ({sumMeans[i]}), as E[hᵢ²] = ĥᵢ."));
            }

            for (int j = 0; j < i; j++)
            {
                if (a[i, j] != a[j, i] || !(a[i, j] >= 0) || a[i, j] > Math.Min(a[i, i], a[j, j]) * (1 + Slack))
                {
                    throw new ModelFormatException(FormattableString.Invariant(
                        $"The field 'secondMoments[{i}][{j}]' is {a[i, j]}; the matrix must be symmetric with entries between 0 and the smaller of their diagonal entries."));
                }
            }
        }

        for (int k = 0; k < d; k++)
        {
            for (int i = 0; i < h; i++)
            {
                if (Math.Abs(b[k, i]) > Math.Sqrt(sumSquares[k]) * Math.Sqrt(sumMeans[i]) * (1 + Slack))
                {
                    throw new ModelFormatException(FormattableString.Invariant(
                        $"The field 'cross[{k}][{i}]' is {b[k, i]}; its magnitude cannot exceed √('sumSquares[{k}]'·'sumMeans[{i}]')."));
                }
            }
        }
    }

    private static void CheckNonNegative(double[] values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                throw new ModelFormatException(FormattableString.Invariant($"The field '{name}[{i}]' is {values[i]}; it must be non-negative."));
            }
        }
    }
}
