using LatentModels.SparseCoding;
using static LatentModels.Tests.SparseCoding.SparseCodingTestData;

namespace LatentModels.Tests.SparseCoding;

/// <summary>Coding a block of rows allocates nothing once its workspace is warm, for every solver.</summary>
public class SparseCodingAllocationTests
{
    [Theory]
    [InlineData(SparseCodingAlgorithm.CoordinateDescent)]
    [InlineData(SparseCodingAlgorithm.Lars)]
    [InlineData(SparseCodingAlgorithm.Fista)]
    [InlineData(SparseCodingAlgorithm.OrthogonalMatchingPursuit)]
    public void Encoding_a_block_allocates_nothing_when_warm(SparseCodingAlgorithm algorithm)
    {
        double[,] dictionary = Dictionary(32, 16, seed: 1);
        double[,] x = Signals(dictionary, 100, 3, 0.05, seed: 2);
        var problem = new LassoProblem(32, 16);
        problem.Update(dictionary.AsSpan(), 1);
        var engine = new SparseCodingEngine(problem, new SparseCoderOptions { Algorithm = algorithm, Alpha = 0.1 });
        SparseCoderWorkspace ws = engine.Rent();
        var codes = new double[100 * 32];
        var objectives = new double[100];
        void Encode()
        {
            engine.EncodeBlock(x.AsSpan(), codes, 0, 100, warm: false, ws);
            engine.ObjectivesBlock(x.AsSpan(), codes, 0, 100, ws, objectives);
        }

        Encode();
        Encode();
        AllocationProbe.Minimum(Encode).Should().Be(0);
        objectives.Should().OnlyContain(v => v > 0);
    }
}
