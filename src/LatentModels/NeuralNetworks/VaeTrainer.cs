namespace LatentModels.NeuralNetworks;

/// <summary>The training state of one fit (parameters, workspace, Adam) and its allocation-free mini-batch step.</summary>
internal sealed class VaeTrainer
{
    private readonly float[] _parameters;
    private readonly AdamOptimizer _adam;

    public VaeTrainer(VaeArchitecture architecture, float[] parameters, int batchSize, VariationalAutoencoderOptions options)
    {
        _parameters = parameters;
        Workspace = new VaeWorkspace(architecture, batchSize, options.MaxDegreeOfParallelism);
        _adam = new AdamOptimizer(architecture.ParameterCount, options.LearningRate, options.Beta1, options.Beta2, options.AdamEpsilon,
            options.WeightDecay);
    }

    public VaeWorkspace Workspace { get; }

    /// <summary>One pass over the rows in <paramref name="order"/>; returns the mean of the mini-batch losses.</summary>
    public double Epoch(float[] data, int[] order, Random random, CancellationToken cancellationToken)
    {
        int n = order.Length, b = Workspace.Capacity;
        double sum = 0;
        int batches = 0;
        for (int start = 0; start < n; start += b)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(b, n - start);
            Gather(data, order.AsSpan(start, rows));
            sum += Step(rows, random);
            batches++;
        }

        return sum / batches;
    }

    /// <summary>Copies the rows <paramref name="rows"/> of <paramref name="data"/> into the workspace's input, in that order.</summary>
    public void Gather(float[] data, ReadOnlySpan<int> rows)
    {
        int d = Workspace.Architecture.InputDimension;
        for (int i = 0; i < rows.Length; i++)
        {
            data.AsSpan(rows[i] * d, d).CopyTo(Workspace.Input.AsSpan(i * d, d));
        }
    }

    /// <summary>Forward, backward and one Adam update on the workspace's first <paramref name="rows"/> input rows; returns the batch's mean −ELBO.</summary>
    public double Step(int rows, Random random)
    {
        double loss = Workspace.Forward(_parameters, rows, random, withGradient: true);
        Workspace.Backward(_parameters, rows);
        _adam.Step(_parameters, Workspace.Gradient, Workspace.MaxDegreeOfParallelism);
        return loss;
    }
}
