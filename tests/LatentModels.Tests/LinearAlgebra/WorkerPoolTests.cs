using LatentModels.LinearAlgebra;
using LatentModels.NeuralNetworks;

namespace LatentModels.Tests.LinearAlgebra;

/// <summary>
/// The worker pool behind <see cref="ParallelBlocks"/>, measured with nothing else running (the <see cref="SerialCollection"/>):
/// two threads really work at once, and warm parallel calls — a bare <see cref="ParallelBlocks"/> job, a GEMM, a whole
/// VAE training step — allocate nothing in the whole process (the caller's and the workers' allocations counted).
/// </summary>
[Collection(SerialCollection.Name)]
public class WorkerPoolTests
{
    /// <summary>
    /// Two blocks, each of which marks itself started and then waits for the other: they finish only if two threads run
    /// them at the same time (a serial run would wait for ever — the wait gives up after a minute and says so).
    /// </summary>
    private sealed class Rendezvous
    {
        private readonly int[] _started = new int[2];

        public int GaveUp;

        public int[] Threads { get; } = new int[2];

        public void Reset()
        {
            _started[0] = 0;
            _started[1] = 0;
        }

        public void Block(int block)
        {
            Threads[block] = Environment.CurrentManagedThreadId;
            Volatile.Write(ref _started[block], 1);
            long deadline = Environment.TickCount64 + 60_000;
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _started[1 - block]) == 0)
            {
                if (Environment.TickCount64 > deadline)
                {
                    Interlocked.Increment(ref GaveUp);
                    return;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    private static void Meet(Rendezvous r)
    {
        r.Reset();
        ParallelBlocks.For(2, 1, 2, r, static (s, b, _, _) => s.Block(b));
    }

    [Fact]
    public void Two_blocks_run_on_two_threads_at_once_and_a_warm_call_allocates_nothing()
    {
        if (Environment.ProcessorCount < 2)
        {
            WorkerPool.Capacity.Should().Be(0, "one processor: every call runs inline");
            return;
        }

        var r = new Rendezvous();
        Meet(r);
        Meet(r);
        r.GaveUp.Should().Be(0, "both blocks ran at the same time");
        r.Threads[0].Should().NotBe(r.Threads[1]);

        long bytes = AllocationProbe.MinimumOnWorkingThreads(() =>
        {
            for (int k = 0; k < 20; k++)
            {
                Meet(r);
            }
        });
        r.GaveUp.Should().Be(0);
        bytes.Should().Be(0, "a warm ParallelBlocks.For at degree 2 allocates nothing on any thread");
    }

    [Fact]
    public void A_warm_parallel_gemm_allocates_nothing()
    {
        const int M = 100, N = 200, K = 784;
        float[] a = Enumerable.Range(0, M * K).Select(i => (float)Math.Sin(i)).ToArray();
        float[] b = Enumerable.Range(0, K * N).Select(i => (float)Math.Cos(i)).ToArray();
        var c = new float[M * N];
        var serial = new float[M * N];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, a, K, b, N, 0f, serial, N, 1);
        for (int w = 0; w < 3; w++)
        {
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, a, K, b, N, 0f, c, N, 2);
        }

        c.Should().Equal(serial, "the same bits on two threads as on one");

        long bytes = AllocationProbe.MinimumOnWorkingThreads(() =>
        {
            for (int k = 0; k < 5; k++)
            {
                Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, a, K, b, N, 0f, c, N, 2);
            }
        });
        bytes.Should().Be(0, "a warm GEMM at degree 2 allocates nothing on any thread");
    }

    [Fact]
    public void A_warm_vae_training_step_on_two_threads_allocates_nothing()
    {
        // The comparison's network: 784-200-20, batch 100; 200 random binary rows make two steps per epoch.
        const int D = 784, Rows = 200;
        var random = new Random(5);
        float[] rows = Enumerable.Range(0, Rows * D).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray();
        var options = new VariationalAutoencoderOptions { HiddenSizes = [200], LatentDimension = 20, BatchSize = 100, MaxDegreeOfParallelism = 2 };
        var estimator = new VariationalAutoencoder(options);
        VaeArchitecture architecture = estimator.ArchitectureFor(D);
        var parameters = new float[architecture.ParameterCount];
        architecture.Initialize(parameters, new Random(1));
        var trainer = new VaeTrainer(architecture, parameters, 100, options);
        int[] order = Enumerable.Range(0, Rows).ToArray();
        var noise = new Random(2);
        double first = trainer.Epoch(rows, order, noise, CancellationToken.None);
        trainer.Epoch(rows, order, noise, CancellationToken.None);
        long bytes = AllocationProbe.MinimumOnWorkingThreads(() => trainer.Epoch(rows, order, noise, CancellationToken.None));
        bytes.Should().Be(0, "two warm training steps at degree 2 allocate nothing on any thread");
        double.IsFinite(first).Should().BeTrue();
    }
}
