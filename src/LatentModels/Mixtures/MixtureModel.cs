using System.Globalization;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// A fitted (or explicitly specified) finite mixture p(x) = Σₖ πₖ p(x | θₖ) over any component family
/// (<see cref="IMixtureFamily{TComponent}"/>). Immutable: the components are immutable and every array handed out is a
/// copy. Gives log-densities, hard and soft assignments, samples, parameter counts and BIC/AIC (lower is better).
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
public sealed class MixtureModel<TComponent> : IDensityModel, ISoftClusteringModel, ISampler where TComponent : class
{
    /// <summary>Tolerance on |Σₖ πₖ − 1| accepted by the constructor.</summary>
    public const double WeightSumTolerance = 1e-9;

    private readonly double[] _weights;
    private readonly double[] _logWeights;
    private readonly TComponent[] _components;

    /// <summary>Creates a mixture from explicit parameters (to sample from a known mixture or start EM from it).</summary>
    /// <param name="family">The component family.</param>
    /// <param name="weights">K finite non-negative mixing weights summing to 1 within <see cref="WeightSumTolerance"/>;
    /// stored exactly as given (copied, not renormalised).</param>
    /// <param name="components">K components of the family, all of the same shape.</param>
    /// <exception cref="ArgumentException">The counts differ, a weight is invalid (the message names the component), the
    /// weights do not sum to 1, or the components are incompatible.</exception>
    public MixtureModel(IMixtureFamily<TComponent> family, double[] weights, IReadOnlyList<TComponent> components)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(components);
        family.CheckComponents(components, nameof(components));
        if (weights.Length != components.Count)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {components.Count} components.", nameof(weights));
        }

        double sum = 0;
        for (int c = 0; c < weights.Length; c++)
        {
            if (!(weights[c] >= 0) || !double.IsFinite(weights[c]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The weight of component {c} is {weights[c]}; weights must be finite and non-negative."), nameof(weights));
            }

            sum += weights[c];
        }

        if (Math.Abs(sum - 1) > WeightSumTolerance)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The weights sum to {sum:R}; they must sum to 1 (tolerance {WeightSumTolerance})."), nameof(weights));
        }

        Family = family;
        _weights = (double[])weights.Clone();
        _logWeights = _weights.Select(w => Math.Log(w)).ToArray();
        _components = components.ToArray();
        Distributions = Array.AsReadOnly(_components);
        Dimension = family.Dimension(_components[0]);
    }

    /// <summary>The component family.</summary>
    public IMixtureFamily<TComponent> Family { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Number of components K.</summary>
    public int Components => _components.Length;

    /// <inheritdoc />
    int IClusteringModel.Clusters => Components;

    /// <summary>The K component distributions (immutable).</summary>
    public IReadOnlyList<TComponent> Distributions { get; }

    /// <summary>A copy of the mixing weights πₖ.</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>Number of free parameters: K − 1 weights plus every component's own.</summary>
    public int ParameterCount => _components.Length - 1 + _components.Sum(Family.FreeParameters);

    /// <summary>Bayesian information criterion −2 log L + p ln n on <paramref name="data"/> (lower is better).</summary>
    /// <param name="data">n × d observations.</param>
    public double Bic(double[,] data) => MixtureScoring.Bic(Score(data), data.GetLength(0), ParameterCount);

    /// <summary>Akaike information criterion −2 log L + 2p on <paramref name="data"/> (lower is better).</summary>
    /// <param name="data">n × d observations.</param>
    public double Aic(double[,] data) => MixtureScoring.Aic(Score(data), data.GetLength(0), ParameterCount);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The data has the wrong number of columns or a value outside the family's
    /// sample space (the message names row and column).</exception>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        CheckData(data);
        int n = data.GetLength(0);
        MixtureScoring.CheckDestination(destination, n);

        double[] logJoint = LogJoint(data, 0);
        LogSumExp.Rows(logJoint, n, _components.Length, destination);
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point) => LogSumExp.Compute(LogJointOfPoint(point));

    /// <inheritdoc />
    public double Score(double[,] data)
    {
        CheckData(data);
        return MixtureScoring.MeanLogDensity(this, data);
    }

    /// <inheritdoc />
    public int[] Predict(double[,] data)
    {
        CheckData(data);
        return PredictChecked(data);
    }

    /// <summary><see cref="Predict(double[,])"/> of data already checked at the door (the labels of a fit's training rows).</summary>
    internal int[] PredictChecked(double[,] data)
    {
        int n = data.GetLength(0), k = _components.Length;
        double[] logJoint = LogJoint(data, 0);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = MixtureScoring.ArgMax(logJoint, i * k, k, 1);
        }

        return labels;
    }

    /// <summary>The most probable component of one point (the first on ties), as <see cref="Predict(double[,])"/> gives for a row.</summary>
    /// <param name="point">d values in the family's sample space.</param>
    /// <exception cref="ArgumentException">Wrong length or a value outside the family's sample space.</exception>
    public int Predict(ReadOnlySpan<double> point)
    {
        double[] logJoint = LogJointOfPoint(point);
        return MixtureScoring.ArgMax(logJoint, 0, _components.Length, 1);
    }

    /// <summary>The posterior probability of each component for one point (K values summing to one), as a row of
    /// <see cref="PredictProbabilities(double[,])"/>.</summary>
    /// <param name="point">d values in the family's sample space.</param>
    /// <exception cref="ArgumentException">Wrong length or a value outside the family's sample space.</exception>
    public double[] PredictProbabilities(ReadOnlySpan<double> point)
    {
        double[] logJoint = LogJointOfPoint(point);
        LogSumExp.NormalizeRowsInPlace(logJoint, 1, _components.Length, default);
        return logJoint;
    }

    /// <summary>The checked point's K log-joints, computed as for a one-row batch.</summary>
    private double[] LogJointOfPoint(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        var one = new double[1, Dimension];
        point.CopyTo(one.AsWritableSpan());
        Family.CheckData(one, nameof(point));
        return LogJoint(one, 0);
    }

    /// <inheritdoc />
    public double[,] PredictProbabilities(double[,] data)
    {
        CheckData(data);
        return PredictBoth(data, null);
    }

    /// <summary>
    /// <see cref="PredictProbabilities(double[,])"/> of checked data in one pass that also writes
    /// <see cref="Predict(double[,])"/>'s labels into <paramref name="labels"/> when given (a fit's final E-step).
    /// </summary>
    internal double[,] PredictBoth(double[,] data, int[]? labels)
    {
        int n = data.GetLength(0), k = _components.Length;
        double[] logJoint = LogJoint(data, 0);
        if (labels is not null)
        {
            for (int i = 0; i < n; i++)
            {
                labels[i] = MixtureScoring.ArgMax(logJoint, i * k, k, 1);
            }
        }

        LogSumExp.NormalizeRowsInPlace(logJoint, n, k, default);
        var result = new double[n, k];
        logJoint.CopyTo(result.AsWritableSpan());
        return result;
    }

    /// <inheritdoc />
    public double[,] Sample(int count, Random random) => SampleWithComponents(count, random).Points;

    /// <summary>Draws <paramref name="count"/> observations and the component each came from.</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source (one draw picks the component, then the family draws the observation).</param>
    public (double[,] Points, int[] Components) SampleWithComponents(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int d = Dimension, k = _components.Length;
        var points = new double[count, d];
        var labels = new int[count];
        Span<double> dst = points.AsWritableSpan();
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble(), cumulative = 0;
            int chosen = -1;
            for (int c = 0; c < k; c++)
            {
                cumulative += _weights[c];
                if (_weights[c] > 0)
                {
                    chosen = c;
                    if (u < cumulative)
                    {
                        break;
                    }
                }
            }

            labels[i] = chosen;
            Family.Sample(_components[chosen], random, dst.Slice(i * d, d));
        }

        return (points, labels);
    }

    /// <summary>log πₖ + log p(xᵢ | θₖ) for every row and component (n·K, row-major). The data must be checked.</summary>
    internal double[] LogJoint(double[,] data, int maxDegreeOfParallelism)
    {
        var logJoint = new double[data.GetLength(0) * _components.Length];
        LogJoint(data, logJoint, maxDegreeOfParallelism);
        return logJoint;
    }

    /// <summary>As <see cref="LogJoint(double[,], int)"/>, into a caller's n·K buffer (the E-step reuses one per fit).</summary>
    internal void LogJoint(double[,] data, double[] logJoint, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), k = _components.Length;
        Family.LogDensities(_components, data, logJoint, maxDegreeOfParallelism);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                logJoint[i * k + c] += _logWeights[c];
            }
        }
    }

    /// <summary>log p(θ) summed over the components for the given pseudo-count.</summary>
    internal double LogPrior(double pseudoCount)
    {
        double s = 0;
        foreach (TComponent c in _components)
        {
            s += Family.LogPrior(c, pseudoCount);
        }

        return s;
    }

    private void CheckData(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        Family.CheckData(data, nameof(data));
    }

    /// <summary>A readable description, e.g. <c>MixtureModel(independent Bernoulli, K=3, d=20)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"MixtureModel({Family.Name}, K={Components}, d={Dimension})");
}
