namespace LatentModels.Mixtures.Em;

/// <summary>
/// Incremental EM of a Bernoulli or categorical mixture for the driver: one iteration is one pass over fixed blocks of
/// rows, each replacing its stored statistics in the running sums and followed by an M-step.
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
internal sealed class DiscreteIncrementalRun<TComponent> : IEmRun<MixtureModel<TComponent>> where TComponent : class
{
    private readonly IncrementalDiscreteMixture<TComponent> _owner;
    private readonly Mixture<TComponent> _batch;
    private readonly double[,] _data;
    private readonly double[]? _sampleWeights;
    private readonly double[][,] _blockRows;
    private readonly double[]?[] _blockWeights;
    private readonly DiscreteMixtureStatistics?[] _stored;
    private readonly double[] _responsibilities;
    private readonly double[] _logNormalizers;
    private int[] _categoryCounts = [];
    private double[] _weights = [];
    private double[] _counts = [];
    private double _totalWeight;
    private MixtureModel<TComponent>? _model;
    private readonly CancellationToken _cancellationToken;

    public DiscreteIncrementalRun(IncrementalDiscreteMixture<TComponent> owner, Mixture<TComponent> batch, double[,] data, double[]? sampleWeights, int blockSize, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        _owner = owner;
        _batch = batch;
        _data = data;
        _sampleWeights = sampleWeights;
        int n = data.GetLength(0), d = data.GetLength(1);
        int blocks = (int)(((long)n + blockSize - 1) / blockSize);
        _blockRows = new double[blocks][,];
        _blockWeights = new double[]?[blocks];
        _stored = new DiscreteMixtureStatistics?[blocks];
        if (blocks == 1)
        {
            _blockRows[0] = data; // never written
            _blockWeights[0] = sampleWeights;
        }
        else
        {
            for (int b = 0; b < blocks; b++)
            {
                int start = b * blockSize, rows = Math.Min(blockSize, n - start);
                var part = new double[rows, d];
                data.AsSpan().Slice(start * d, rows * d).CopyTo(part.AsWritableSpan());
                _blockRows[b] = part;
                _blockWeights[b] = sampleWeights?[start..(start + rows)];
            }
        }

        _responsibilities = new double[n * batch.Options.Components];
        _logNormalizers = new double[n];
    }

    public double Start(int start, Random random)
    {
        _model = _batch.Initialize(_data, _sampleWeights, random);
        int dop = _batch.Options.MaxDegreeOfParallelism;
        for (int b = 0; b < _stored.Length; b++)
        {
            _cancellationToken.ThrowIfCancellationRequested(); // per block: a pass over many rows stops within one block
            _stored[b] = _owner.Statistics(_model, _blockRows[b], _blockWeights[b], dop);
        }

        (_categoryCounts, double[] weights, double[] counts) = _stored[0]!.Arrays;
        _weights = new double[weights.Length];
        _counts = new double[counts.Length];
        Resum();
        return _batch.EStep(_model, _data, _sampleWeights, _responsibilities, _logNormalizers);
    }

    public double Iterate(Random random)
    {
        int dop = _batch.Options.MaxDegreeOfParallelism;
        double pseudoCount = _batch.Options.PseudoCount;
        for (int b = 0; b < _stored.Length; b++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            DiscreteMixtureStatistics fresh = _owner.Statistics(_model!, _blockRows[b], _blockWeights[b], dop);
            (_, double[] oldWeights, double[] oldCounts) = _stored[b]!.Arrays;
            (_, double[] newWeights, double[] newCounts) = fresh.Arrays;
            Replace(_weights, oldWeights, newWeights);
            Replace(_counts, oldCounts, newCounts);
            _stored[b] = fresh;
            if (b < _stored.Length - 1)
            {
                _model = _owner.MStep(Running(), pseudoCount);
            }
        }

        Resum(); // the exact sums in block order, so subtraction rounding does not carry over
        _model = _owner.MStep(Running(), pseudoCount);
        return _batch.EStep(_model, _data, _sampleWeights, _responsibilities, _logNormalizers);
    }

    public MixtureModel<TComponent> Snapshot() => _model!;

    /// <summary>running ← max(0, running − old + new), element by element.</summary>
    private static void Replace(double[] running, double[] old, double[] fresh)
    {
        for (int i = 0; i < running.Length; i++)
        {
            running[i] = Math.Max(0, running[i] - old[i] + fresh[i]);
        }
    }

    /// <summary>The running sums re-summed from the stored statistics, blocks in order.</summary>
    private void Resum()
    {
        Array.Clear(_weights);
        Array.Clear(_counts);
        double total = 0;
        foreach (DiscreteMixtureStatistics? s in _stored)
        {
            (_, double[] w, double[] c) = s!.Arrays;
            for (int i = 0; i < w.Length; i++)
            {
                _weights[i] += w[i];
            }

            for (int i = 0; i < c.Length; i++)
            {
                _counts[i] += c[i];
            }

            total += s.TotalWeight;
        }

        _totalWeight = total;
    }

    /// <summary>The running sums as statistics (sharing the arrays: the M-step only reads them).</summary>
    private DiscreteMixtureStatistics Running() => new(_categoryCounts, _weights, _counts, _totalWeight, 0);
}
