using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Randomness;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// A fitted (or explicitly specified) Gaussian mixture p(x) = Σₖ πₖ 𝒩(x | μₖ, Σₖ). Immutable: every array it hands
/// out is a copy. Gives log-densities, hard and soft assignments, samples, parameter counts and the information
/// criteria BIC and AIC in scikit-learn's convention (lower is better).
/// </summary>
public sealed class GaussianMixtureModel : IDensityModel, ISoftClusteringModel, ISampler
{
    private const int BlockSize = 256;
    private readonly GaussianComponents _p;

    internal GaussianMixtureModel(GaussianComponents parameters)
    {
        _p = new GaussianComponents(parameters.Type, parameters.K, parameters.D);
        parameters.Weights.CopyTo(_p.Weights, 0);
        parameters.Means.CopyTo(_p.Means, 0);
        parameters.Covariance.CopyTo(_p.Covariance, 0);

        // Center on the mixture mean so log-densities do not depend on where the data sit.
        for (int c = 0; c < _p.K; c++)
        {
            for (int j = 0; j < _p.D; j++)
            {
                _p.Shift[j] += _p.Weights[c] * _p.Means[c * _p.D + j];
            }
        }

        if (!_p.TryUpdate(new double[_p.UpdateScratchLength], out int failed))
        {
            throw failed < 0
                ? new FittingException("The shared (tied) covariance is not positive definite.")
                : new FittingException($"The covariance of component {failed} is not positive definite.", failed);
        }
    }

    /// <summary>
    /// Creates a mixture from explicit parameters (e.g. to start EM from them, or to sample from a known mixture).
    /// </summary>
    /// <param name="covarianceType">How <paramref name="covariances"/> is laid out.</param>
    /// <param name="weights">K positive weights; they are normalised to sum to one.</param>
    /// <param name="means">K × d means.</param>
    /// <param name="covariances">scikit-learn's layout, flattened row-major: full K·d·d (component after component),
    /// tied d·d, diagonal K·d, spherical K variances. Every covariance must be symmetric positive definite.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a value is not finite, a weight is not positive or a
    /// covariance is not positive definite (the message names the component).</exception>
    public static GaussianMixtureModel Create(CovarianceType covarianceType, double[] weights, double[,] means, double[] covariances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        DataValidation.CheckMatrix(means, nameof(means));
        ArgumentNullException.ThrowIfNull(covariances);
        if (!Enum.IsDefined(covarianceType))
        {
            throw new ArgumentOutOfRangeException(nameof(covarianceType), covarianceType, "Unknown covariance type.");
        }

        int k = means.GetLength(0), d = means.GetLength(1);
        if (weights.Length != k)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {k} means.", nameof(weights));
        }

        int expected = GaussianComponents.CheckedCovarianceLength(covarianceType, k, d, nameof(means));
        if (covariances.Length != expected)
        {
            throw new ArgumentException($"A {covarianceType} mixture of {k} components in dimension {d} needs {expected} covariance values, not {covariances.Length}.", nameof(covariances));
        }

        DataValidation.CheckFinite(covariances, covariances.Length, nameof(covariances));

        // The same check the model file's loader makes (one routine), so every model Create makes can be saved and loaded.
        int tiny = CovarianceForm.For(covarianceType).FirstTinyVariance(covariances, k, d);
        if (tiny >= 0)
        {
            throw new ArgumentException($"The covariances hold the variance {covariances[tiny]:R} (value {tiny}), whose reciprocal overflows; variances must be at least about 1e-308.", nameof(covariances));
        }

        double max = 0;
        for (int c = 0; c < k; c++)
        {
            if (!(weights[c] > 0) || !double.IsFinite(weights[c]))
            {
                throw new ArgumentException($"The weight of component {c} is {weights[c]}; weights must be positive and finite.", nameof(weights));
            }

            max = Math.Max(max, weights[c]);
        }

        // Weights are scale-free: divided first by the power of two of the largest (exact, so the result is w / Σw to the
        // last bit whenever that sum is representable), then by their sum, which can then neither overflow nor underflow.
        int exponent = Math.ILogB(max);
        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            sum += Math.ScaleB(weights[c], -exponent);
        }

        var p = new GaussianComponents(covarianceType, k, d);
        for (int c = 0; c < k; c++)
        {
            p.Weights[c] = Math.ScaleB(weights[c], -exponent) / sum;
            if (!(p.Weights[c] > 0))
            {
                throw new ArgumentException($"The weight of component {c} is {weights[c]}, so much smaller than the largest that its share rounds to 0.", nameof(weights));
            }
        }

        means.AsSpan().CopyTo(p.Means);
        covariances.CopyTo(p.Covariance, 0);
        CovarianceForm form = CovarianceForm.For(covarianceType);
        if (form.IsMatrix)
        {
            int count = form.Shared ? 1 : k;
            for (int c = 0; c < count; c++)
            {
                for (int a = 0; a < d; a++)
                {
                    for (int b = 0; b < a; b++)
                    {
                        double x = covariances[c * d * d + a * d + b], y = covariances[c * d * d + b * d + a];
                        if (Math.Abs(x - y) > 1e-10 * (Math.Abs(x) + Math.Abs(y)) + double.Epsilon)
                        {
                            throw new ArgumentException($"The covariance of component {c} is not symmetric at ({a}, {b}).", nameof(covariances));
                        }
                    }
                }
            }
        }

        try
        {
            return new GaussianMixtureModel(p);
        }
        catch (FittingException e)
        {
            throw new ArgumentException(e.Message, nameof(covariances));
        }
    }

    internal GaussianComponents Parameters => _p;

    /// <summary>
    /// The components the maximum-likelihood and MAP engine's E-step reads for this mixture with its rows centred on
    /// <paramref name="shift"/> (the fit's data mean): the weights, means and covariances refreshed as those rules refresh
    /// them (<see cref="GaussianComponents.TryUpdate"/>), so an engine's parameters sent as a model give its own bits.
    /// </summary>
    internal GaussianComponents EngineComponents(ReadOnlySpan<double> shift)
    {
        var p = new GaussianComponents(_p.Type, _p.K, _p.D);
        _p.Weights.CopyTo(p.Weights, 0);
        _p.Means.CopyTo(p.Means, 0);
        _p.Covariance.CopyTo(p.Covariance, 0);
        shift.CopyTo(p.Shift);
        if (!p.TryUpdate(new double[p.UpdateScratchLength], out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }

        return p;
    }

    /// <inheritdoc />
    public int Dimension => _p.D;

    /// <summary>Number of components K.</summary>
    public int Components => _p.K;

    /// <inheritdoc />
    int IClusteringModel.Clusters => Components;

    /// <summary>How the covariances are parameterised.</summary>
    public CovarianceType CovarianceType => _p.Type;

    /// <summary>A copy of the mixing weights πₖ (they sum to one).</summary>
    public double[] Weights => (double[])_p.Weights.Clone();

    /// <summary>A copy of the means (K × d).</summary>
    public double[,] Means
    {
        get
        {
            var m = new double[_p.K, _p.D];
            _p.Means.CopyTo(m.AsWritableSpan());
            return m;
        }
    }

    /// <summary>A copy of the covariance parameters in scikit-learn's layout, flattened: full K·d·d, tied d·d,
    /// diagonal K·d, spherical K.</summary>
    public double[] CovarianceParameters => (double[])_p.Covariance.Clone();

    /// <summary>
    /// The Cholesky factors of the precisions in scikit-learn's <c>precisions_cholesky_</c> shapes, flattened row-major:
    /// full K·d·d and tied d·d hold upper-triangular U with Σ⁻¹ = U·Uᵀ (U = L⁻ᵀ for the covariance factor Σ = L·Lᵀ);
    /// diagonal K·d and spherical K hold 1/σ. A new array on every call.
    /// </summary>
    public double[] PrecisionsCholesky
    {
        get
        {
            var u = new double[_p.Covariance.Length];
            // The covariances were factorised when the model was built, so they are positive definite.
            GaussianPrecisions.TryCholeskyOfInverse(_p.Type, _p.K, _p.D, _p.Covariance, u, out _);
            return u;
        }
    }

    /// <summary>
    /// The precisions Σ⁻¹ in scikit-learn's <c>precisions_</c> shapes, flattened row-major (full K·d·d, tied d·d,
    /// diagonal K·d, spherical K), computed as U·Uᵀ from <see cref="PrecisionsCholesky"/> as scikit-learn does. A new array
    /// on every call.
    /// </summary>
    public double[] Precisions
    {
        get
        {
            double[] u = PrecisionsCholesky;
            var p = new double[u.Length];
            GaussianPrecisions.ProductOfFactors(_p.Type, _p.K, _p.D, u, p);
            return p;
        }
    }

    /// <summary>The full d × d covariance matrix of one component, expanded from any covariance type.</summary>
    /// <param name="component">Zero-based component index.</param>
    public double[,] GetCovariance(int component)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, _p.K);
        var m = new double[_p.D, _p.D];
        _p.ExpandCovariance(component, m.AsWritableSpan());
        return m;
    }

    /// <summary>
    /// Number of free parameters (scikit-learn's count): K − 1 weights, K·d means and the covariances — full
    /// K·d(d+1)/2, diagonal K·d, spherical K, tied d(d+1)/2.
    /// </summary>
    public int ParameterCount
    {
        get
        {
            int k = _p.K, d = _p.D;
            int covariance = _p.Form.FreeParameters(k, d);
            return covariance + k * d + k - 1;
        }
    }

    /// <summary>
    /// The statistics of one E-step on <paramref name="data"/> (per component: weight, mean, centered scatter; the
    /// log-likelihood and the rows' moments): compute them on each partition, merge them in a fixed order and take the
    /// M-step with <see cref="GaussianMixtureStatistics.ToModel"/>. The same as <see cref="GaussianMixtureStatistics.Compute"/>.
    /// </summary>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad.</exception>
    public GaussianMixtureStatistics ComputeStatistics(double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0) =>
        GaussianMixtureStatistics.Compute(this, data, sampleWeights, maxDegreeOfParallelism);

    /// <summary>Bayesian information criterion −2 log L + p ln n on <paramref name="data"/> (scikit-learn's convention; lower is better).</summary>
    /// <param name="data">n × d observations.</param>
    public double Bic(double[,] data) => MixtureScoring.Bic(Score(data), data.GetLength(0), ParameterCount);

    /// <summary>Akaike information criterion −2 log L + 2p on <paramref name="data"/> (scikit-learn's convention; lower is better).</summary>
    /// <param name="data">n × d observations.</param>
    public double Aic(double[,] data) => MixtureScoring.Aic(Score(data), data.GetLength(0), ParameterCount);

    /// <inheritdoc />
    public void LogDensity(double[,] data, Span<double> destination)
    {
        CheckData(data);
        MixtureScoring.CheckDestination(destination, data.GetLength(0));
        LogDensityChecked(data, destination);
    }

    /// <summary><see cref="LogDensity(double[,], Span{double})"/> of data already checked at the door.</summary>
    internal void LogDensityChecked(double[,] data, Span<double> destination)
    {
        int n = data.GetLength(0);
        var result = new double[n];
        ForBlocks(data, (start, rows, logJoint, ws) =>
            ColumnLogSumExp.Normalize(logJoint, _p.K, rows, BlockSize, result.AsSpan(start, rows), ws.Temp));
        result.CopyTo(destination);
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, _p.D, nameof(point));
        var ws = new MixtureWorkspace(1, _p.K, _p.D);
        Span<double> logJoint = ws.LogProb;
        _p.LogJoint(point, 1, logJoint, 1, ws);
        return LogSumExp.Compute(logJoint);
    }

    /// <inheritdoc />
    public double Score(double[,] data)
    {
        CheckData(data);
        return ScoreChecked(data);
    }

    /// <summary>
    /// <see cref="Score(double[,])"/> of rows read in chunks (bounded memory): the same per-row log-densities summed in
    /// row order, so the same bits as the array of the same rows. One pass; also gives the number of rows (for
    /// <see cref="MixtureScoring"/>-style criteria: BIC = −2·score·n + p·ln n with p = <see cref="ParameterCount"/>).
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="rows">The number of rows read.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">A chunk has the wrong width.</exception>
    /// <exception cref="Data.RowFormatException">The source is empty or malformed.</exception>
    public double Score(Data.IRowChunkSource source, out long rows, CancellationToken cancellationToken = default)
    {
        double s = MixtureScoring.SumLogDensities(source, CheckData, (chunk, values) => LogDensityChecked(chunk, values), out long n, cancellationToken);

        rows = n;
        return s / n;
    }

    /// <summary><see cref="Score(double[,])"/> of data already checked at the door (the same sum in row order).</summary>
    internal double ScoreChecked(double[,] data)
    {
        var values = new double[data.GetLength(0)];
        LogDensityChecked(data, values);
        double s = 0;
        foreach (double v in values)
        {
            s += v;
        }

        return s / values.Length;
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
        var labels = new int[data.GetLength(0)];
        ForBlocks(data, (start, rows, logJoint, ws) =>
        {
            for (int i = 0; i < rows; i++)
            {
                labels[start + i] = MixtureScoring.ArgMax(logJoint, i, _p.K, BlockSize);
            }
        }, assignment: true);
        return labels;
    }

    /// <summary>The most probable component of one point (the first on ties), as <see cref="Predict(double[,])"/> gives for a row.</summary>
    /// <param name="point">d finite values.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    public int Predict(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, _p.D, nameof(point));
        var ws = new MixtureWorkspace(1, _p.K, _p.D);
        _p.LogJoint(point, 1, ws.LogProb, 1, ws);
        RescueFarRows(point, 1, ws.LogProb, 1);
        return MixtureScoring.ArgMax(ws.LogProb, 0, _p.K, 1);
    }

    /// <summary>The posterior probability of each component for one point (K values summing to one), as a row of
    /// <see cref="PredictProbabilities(double[,])"/>.</summary>
    /// <param name="point">d finite values.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    public double[] PredictProbabilities(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, _p.D, nameof(point));
        var ws = new MixtureWorkspace(1, _p.K, _p.D);
        _p.LogJoint(point, 1, ws.LogProb, 1, ws);
        RescueFarRows(point, 1, ws.LogProb, 1);
        ColumnLogSumExp.Normalize(ws.LogProb, _p.K, 1, 1, ws.LogNormalizer, ws.Temp);
        return ws.LogProb.AsSpan(0, _p.K).ToArray();
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
        var result = new double[data.GetLength(0), _p.K];
        ForBlocks(data, (start, rows, logJoint, ws) =>
        {
            if (labels is not null)
            {
                for (int i = 0; i < rows; i++)
                {
                    labels[start + i] = MixtureScoring.ArgMax(logJoint, i, _p.K, BlockSize);
                }
            }

            ColumnLogSumExp.Normalize(logJoint, _p.K, rows, BlockSize, ws.LogNormalizer, ws.Temp);
            for (int i = 0; i < rows; i++)
            {
                for (int c = 0; c < _p.K; c++)
                {
                    result[start + i, c] = logJoint[c * BlockSize + i];
                }
            }
        }, assignment: true);
        return result;
    }

    /// <inheritdoc />
    public double[,] Sample(int count, Random random) => SampleWithComponents(count, random).Points;

    /// <summary>Draws <paramref name="count"/> points and the component each came from.</summary>
    /// <param name="count">Number of samples, non-negative.</param>
    /// <param name="random">The random source.</param>
    public (double[,] Points, int[] Components) SampleWithComponents(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int k = _p.K, d = _p.D;
        // Cholesky factors Lₖ: d × d for the matrix forms (one for tied), the d standard deviations for the others (the
        // diagonal factor, so their samples are the same bits without ever forming d²).
        bool matrix = _p.Form.IsMatrix;
        int stride = matrix ? d * d : d, factorCount = _p.Form.Shared ? 1 : k;
        var factors = new double[factorCount * stride];
        for (int c = 0; c < factorCount; c++)
        {
            Span<double> l = factors.AsSpan(c * stride, stride);
            if (matrix)
            {
                _p.ExpandCovariance(c, l);
                Cholesky.TryFactor(l, d, out _);
            }
            else
            {
                for (int a = 0; a < d; a++)
                {
                    l[a] = Math.Sqrt(_p.DiagonalVariance(c, a));
                }
            }
        }

        var points = new double[count, d];
        var components = new int[count];
        Span<double> z = new double[d];
        Span<double> dst = points.AsWritableSpan();
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            int c = 0;
            double cumulative = _p.Weights[0];
            while (c < k - 1 && u >= cumulative)
            {
                c++;
                cumulative += _p.Weights[c];
            }

            components[i] = c;
            StandardNormal.Fill(random, z);

            ReadOnlySpan<double> l = factors.AsSpan((_p.Form.Shared ? 0 : c) * stride, stride);
            Span<double> x = dst.Slice(i * d, d);
            for (int a = 0; a < d; a++)
            {
                double s = _p.Means[c * d + a];
                if (matrix)
                {
                    for (int b = 0; b <= a; b++)
                    {
                        s += l[a * d + b] * z[b];
                    }
                }
                else
                {
                    s += l[a] * z[a];
                }

                x[a] = s;
            }
        }

        return (points, components);
    }

    private void CheckData(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, _p.D, nameof(data));
    }

    private delegate void BlockAction(int start, int rows, Span<double> logJoint, MixtureWorkspace workspace);

    private void ForBlocks(double[,] data, BlockAction action, bool assignment = false)
    {
        int n = data.GetLength(0), d = _p.D;
        ParallelBlocks.For(n, BlockSize, 0, (block, start, end) =>
        {
            var ws = new MixtureWorkspace(BlockSize, _p.K, d);
            int rows = end - start;
            Span<double> logJoint = ws.LogProb;
            ReadOnlySpan<double> x = data.AsSpan().Slice(start * d, rows * d);
            _p.LogJoint(x, rows, logJoint, BlockSize, ws);
            if (assignment)
            {
                RescueFarRows(x, rows, logJoint, BlockSize);
            }

            action(start, rows, logJoint, ws);
        });
    }

    /// <summary>
    /// For assignments (labels, responsibilities): rows so far from every component that all their log-joints are −∞ in
    /// double (a Mahalanobis distance beyond about 1e308) get log-joints relative to the best component instead, computed
    /// in a space scaled by 2^−e: vₖ = t²(log πₖ + log normₖ) − ½‖t·whitenedₖ‖² with t = 2^−e, then (vₖ − max v)·2^2e.
    /// The order of the components, and so the label and the (one-hot or tied) responsibilities, is that of the true
    /// log-joints. Densities are not rescued: a density below the smallest double is −∞.
    /// </summary>
    private void RescueFarRows(ReadOnlySpan<double> x, int rows, Span<double> logJoint, int stride)
    {
        int k = _p.K, d = _p.D;
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                max = Math.Max(max, logJoint[c * stride + i]);
            }

            if (max > double.NegativeInfinity)
            {
                continue;
            }

            ReadOnlySpan<double> row = x.Slice(i * d, d);
            double a = Math.Max(ScaledMax(row), ScaledMax(_p.Shift));
            int e = a > 0 ? Math.ILogB(a) : 0;
            GaussianComponents q = _p.Clone();
            for (int j = 0; j < d; j++)
            {
                q.Shift[j] = Math.ScaleB(q.Shift[j], -e);
            }

            for (int j = 0; j < q.Offsets.Length; j++)
            {
                q.Offsets[j] = Math.ScaleB(q.Offsets[j], -e);
            }

            for (int c = 0; c < k; c++)
            {
                q.LogWeights[c] = Math.ScaleB(_p.LogWeights[c] + _p.LogNorm[c], -2 * e);
                q.LogNorm[c] = 0;
            }

            var scaled = new double[d];
            for (int j = 0; j < d; j++)
            {
                scaled[j] = Math.ScaleB(row[j], -e);
            }

            var ws = new MixtureWorkspace(1, k, d);
            q.LogJoint(scaled, 1, ws.LogProb, 1, ws);
            double best = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                best = Math.Max(best, ws.LogProb[c]);
            }

            for (int c = 0; c < k; c++)
            {
                logJoint[c * stride + i] = Math.ScaleB(ws.LogProb[c] - best, 2 * e);
            }
        }
    }

    private static double ScaledMax(ReadOnlySpan<double> values) =>
        values.IsEmpty ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values));
}
