using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.BinarySparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary>The E-step, the bound, the statistics and the M-step allocate nothing once warm (one thread).</summary>
public class BinarySparseCodingAllocationTests
{
    private static long Allocated(Action action)
    {
        action();
        action();
        return AllocationProbe.Minimum(action);
    }

    [Fact]
    public void Inference_bound_statistics_and_M_step_allocate_nothing_once_warm()
    {
        BinarySparseCodingModel model = RandomModel(12, 20, 0.8, 3);
        double[,] x = model.Sample(300, new Random(4));
        int n = x.GetLength(0), h = model.Components, d = model.Dimension;
        var engine = new BinarySparseCodingEngine(h, d, n, 1);
        var logits = new double[n * h];
        var means = new double[n * h];
        var bounds = new double[n];
        var statistics = new BinarySparseCodingStatistics(h, d);
        var mStep = new BinarySparseCodingMStep(h);
        BinarySparseCodingParameters parameters = model.Parameters.Clone();
        double[] floor = Enumerable.Repeat(1e-6, d).ToArray();
        var sequential = new BinarySparseCodingInference { MaxSweeps = 3, Tolerance = 0 };
        var parallel = sequential with { Update = BinarySparseCodingUpdate.Parallel };
        BinarySparseCodingModel.InitialiseToPrior(parameters.Bias, logits, means);
        Allocated(() => engine.SetParameters(parameters)).Should().Be(0, "SetParameters");
        Allocated(() => engine.Prepare(x.AsSpan(), n)).Should().Be(0, "Prepare");
        Allocated(() => engine.Infer(logits, means, 0, n, sequential, 1.0)).Should().Be(0, "sequential sweeps");
        Allocated(() => engine.Infer(logits, means, 0, n, parallel, 0.5)).Should().Be(0, "parallel sweeps");
        Allocated(() => engine.Elbo(logits, means, 0, n, bounds)).Should().Be(0, "the bound");
        Allocated(() => statistics.Compute(x.AsSpan(), n, logits, means, 0, 1)).Should().Be(0, "statistics");
        Allocated(() => mStep.Apply(statistics, floor, parameters)).Should().Be(0, "M-step");
    }
}
