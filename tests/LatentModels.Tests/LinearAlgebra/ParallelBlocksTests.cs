using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

/// <summary>
/// <see cref="ParallelBlocks"/> on the kernel's worker pool: every block runs exactly once with the serial bits, for any
/// block count and degree; nested and concurrent calls run inline; a block's exception reaches the caller as itself.
/// </summary>
public class ParallelBlocksTests
{
    /// <summary>A block's partial result: a sum whose bits depend on the order of its terms.</summary>
    private static double BlockSum(int start, int end)
    {
        double s = 0;
        for (int i = start; i < end; i++)
        {
            s += Math.Sin(0.37 * i) / (1 + i);
        }

        return s;
    }

    /// <summary>The serial reference: partials per block, merged in block order.</summary>
    private static double SerialSum(int count, int blockSize)
    {
        double total = 0;
        for (int start = 0; start < count; start += blockSize)
        {
            total += BlockSum(start, Math.Min(count, start + blockSize));
        }

        return total;
    }

    private sealed class Run(int count, int blockSize)
    {
        public int BlockSize { get; } = blockSize;

        public double[] Partials { get; } = new double[ParallelBlocks.BlockCount(count, blockSize)];

        public int[] Visits { get; } = new int[count];

        public int[] BlockCalls { get; } = new int[ParallelBlocks.BlockCount(count, blockSize)];

        public void Block(int block, int start, int end)
        {
            start.Should().Be(block * BlockSize);
            Interlocked.Increment(ref BlockCalls[block]);
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Visits[i]);
            }

            Partials[block] = BlockSum(start, end);
        }

        public double Total() => Partials.Sum();
    }

    [Fact]
    public void Every_block_runs_once_with_the_serial_bits_for_many_block_counts_and_degrees()
    {
        foreach (int count in new[] { 0, 1, 2, 3, 7, 64, 1000, 4097 })
        {
            foreach (int blockSize in new[] { 1, 3, 64 })
            {
                double expected = SerialSum(count, blockSize);
                foreach (int dop in new[] { 1, 2, 3, 4, 8, 0, -1 })
                {
                    foreach (int minimum in new[] { 1, 2, 5 })
                    {
                        var run = new Run(count, blockSize);
                        ParallelBlocks.For(count, blockSize, dop, run, static (r, b, s, e) => r.Block(b, s, e), minimum);
                        run.Visits.Should().Equal(Enumerable.Repeat(1, count), $"count {count}, block {blockSize}, dop {dop}");
                        run.BlockCalls.Should().Equal(Enumerable.Repeat(1, run.BlockCalls.Length));
                        run.Total().Should().Be(expected, $"count {count}, block {blockSize}, dop {dop}, minimum {minimum}");
                    }

                    var closure = new Run(count, blockSize);
                    ParallelBlocks.For(count, blockSize, dop, closure.Block);
                    closure.Visits.Should().Equal(Enumerable.Repeat(1, count));
                    closure.Total().Should().Be(expected);
                }
            }
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        Action<int, int, int> body = (_, _, _) => { };
        FluentActions.Invoking(() => ParallelBlocks.For(-1, 4, 2, body)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("count");
        FluentActions.Invoking(() => ParallelBlocks.For(10, 0, 2, body)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("blockSize");
        FluentActions.Invoking(() => ParallelBlocks.For(10, 1, 2, 0, static (_, _, _, _) => { }, 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("minimumBlocksPerThread");
        FluentActions.Invoking(() => ParallelBlocks.For(10, 1, 2, null!)).Should().Throw<ArgumentNullException>().WithParameterName("body");
    }

    [Fact]
    public void Nested_calls_run_inline_on_the_calling_thread_with_the_serial_bits()
    {
        const int Outer = 12, Inner = 500, InnerBlock = 7;
        double expected = SerialSum(Inner, InnerBlock);
        var totals = new double[Outer];
        int foreignThreads = 0;
        ParallelBlocks.For(Outer, 1, 2, (o, _, _) =>
        {
            int thread = Environment.CurrentManagedThreadId;
            var inner = new Run(Inner, InnerBlock);
            ParallelBlocks.For(Inner, InnerBlock, 2, inner, (r, b, s, e) =>
            {
                if (Environment.CurrentManagedThreadId != thread)
                {
                    Interlocked.Increment(ref foreignThreads);
                }

                r.Block(b, s, e);
            });
            inner.Visits.Should().OnlyContain(v => v == 1);
            totals[o] = inner.Total();
        });
        totals.Should().OnlyContain(t => t == expected);
        foreignThreads.Should().Be(0, "a nested call runs inline");
    }

    [Fact]
    public void Concurrent_callers_from_several_threads_all_get_the_serial_bits()
    {
        const int Callers = 4, Calls = 150, Count = 3000, BlockSize = 50;
        double expected = SerialSum(Count, BlockSize);
        var wrong = new int[Callers];
        var start = new Barrier(Callers);
        var threads = Enumerable.Range(0, Callers).Select(c => new Thread(() =>
        {
            start.SignalAndWait();
            for (int k = 0; k < Calls; k++)
            {
                var run = new Run(Count, BlockSize);
                ParallelBlocks.For(Count, BlockSize, 1 + (k % 3), run, static (r, b, s, e) => r.Block(b, s, e));
                if (run.Total() != expected || run.Visits.Any(v => v != 1))
                {
                    wrong[c]++;
                }
            }
        })).ToArray();
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join(TimeSpan.FromMinutes(2)).Should().BeTrue("no caller deadlocks");
        }

        wrong.Should().OnlyContain(w => w == 0);
    }

    [Fact]
    public void A_failing_block_throws_its_own_exception_after_every_earlier_block_ran()
    {
        const int Count = 40;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            foreach (int dop in new[] { 1, 2, 0 })
            {
                var ran = new int[Count];
                Action act = () => ParallelBlocks.For(Count, 1, dop, (b, _, _) =>
                {
                    if (b == 5 || b == 30)
                    {
                        throw new InvalidOperationException($"block {b}");
                    }

                    Interlocked.Increment(ref ran[b]);
                });
                act.Should().ThrowExactly<InvalidOperationException>().WithMessage("block 5", "the lowest failing block's, as a serial run");
                ran.Take(5).Should().OnlyContain(r => r == 1, "every block before the failing one ran");
                ran.Should().OnlyContain(r => r <= 1, "no block runs twice");
            }
        }

        // The pool is usable after a failure.
        var after = new Run(1000, 10);
        ParallelBlocks.For(1000, 10, 2, after, static (r, b, s, e) => r.Block(b, s, e));
        after.Total().Should().Be(SerialSum(1000, 10));
    }

    [Fact]
    public void A_cancelled_token_checked_in_the_body_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        int blocks = 0;
        Action act = () => ParallelBlocks.For(100, 1, 2, cts.Token, (token, _, _, _) =>
        {
            if (Interlocked.Increment(ref blocks) == 3)
            {
                cts.Cancel();
            }

            token.ThrowIfCancellationRequested();
        });
        act.Should().ThrowExactly<OperationCanceledException>();
        blocks.Should().BeLessThan(100, "cancellation stops the claiming of blocks");
    }
}
