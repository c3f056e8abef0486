using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Randomness;
using LatentModels.Statistics;
using MathNet.Numerics;

namespace LatentModels.Variational;

/// <summary>
/// A fitted variational Bayesian Gaussian mixture (immutable): the posterior q(π)q(μ, Λ) — Dirichlet (or stick-breaking
/// Beta) weights and Normal–Wishart components — with the variational responsibilities, the posterior predictive density
/// (a mixture of Student-t distributions, Bishop eq. 10.81), posterior-mean parameters and sampling from the predictive.
/// </summary>
public sealed class VariationalGaussianMixtureModel : IDensityModel, ISoftClusteringModel, ISampler
{
    private const int BlockSize = 256;
    private const double LogPi = 1.1447298858494001741434273513531;
    private readonly double[] _weightsA, _weightsB, _meanPrecision, _degreesOfFreedom;

    // The variational responsibilities are those of a Gaussian mixture with covariances (νW)⁻¹ and weights ∝ exp(E[ln π] + cₖ).
    private readonly GaussianMixtureModel _assignment;

    // (νW)⁻¹ with zero log-weights and normalisers: its log-joint is −½(x − m)ᵀνW(x − m), the quadratic of the Student-t.
    private readonly GaussianComponents _quadratic;
    private readonly double[] _studentConstant, _studentScale, _studentDof;

    internal VariationalGaussianMixtureModel(CovarianceType type, WeightPrior weightPrior, double[] weightsA, double[] weightsB, double[] meanPrecision,
        double[] means, double[] degreesOfFreedom, double[] covariances, double elbo, double lowerBound)
    {
        int k = weightsA.Length, d = means.Length / k;
        WeightPrior = weightPrior;
        _weightsA = weightsA;
        _weightsB = weightsB;
        _meanPrecision = meanPrecision;
        _degreesOfFreedom = degreesOfFreedom;
        Elbo = elbo;
        LowerBound = lowerBound;
        var posterior = new GaussianComponents(type, k, d);
        VariationalGaussianUpdate.PosteriorMeanWeights(weightPrior, weightsA, weightsB, posterior.Weights);
        means.CopyTo(posterior.Means, 0);
        covariances.CopyTo(posterior.Covariance, 0);
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                posterior.Shift[j] += posterior.Weights[c] * means[c * d + j];
            }
        }

        if (!posterior.TryUpdate(new double[posterior.UpdateScratchLength], out int failed))
        {
            throw failed < 0
                ? new FittingException("The shared (tied) posterior scale is not positive definite.")
                : new FittingException($"The posterior scale of component {failed} is not positive definite.", failed);
        }

        _quadratic = posterior;
        _studentConstant = new double[k];
        _studentScale = new double[k];
        _studentDof = new double[k];
        var logits = new double[k];
        VariationalGaussianUpdate.ExpectedLogWeights(weightPrior, weightsA, weightsB, logits);
        const double HalfLog2Pi = 0.91893853320467274178032973640562;
        for (int c = 0; c < k; c++)
        {
            double nu = degreesOfFreedom[c], beta = meanPrecision[c];
            double logDetPrecision = 2 * (posterior.LogNorm[c] + d * HalfLog2Pi); // ln|νW|
            logits[c] += -0.5 * d * Math.Log(nu) + 0.5 * VariationalGaussianUpdate.ExpectedLogDetOffset(nu, d) - 0.5 * d / beta;
            double dof = nu + 1 - d;
            double scale = dof * beta / ((1 + beta) * nu); // L = scale · νW
            _studentDof[c] = dof;
            _studentScale[c] = scale;
            _studentConstant[c] = Math.Log(posterior.Weights[c]) + SpecialFunctions.GammaLn(0.5 * (dof + d)) - SpecialFunctions.GammaLn(0.5 * dof)
                - 0.5 * d * (Math.Log(dof) + LogPi) + 0.5 * (d * Math.Log(scale) + logDetPrecision);
            posterior.LogWeights[c] = 0;
            posterior.LogNorm[c] = 0;
        }

        double max = logits.Max(), sum = 0;
        var assignment = new GaussianComponents(type, k, d);
        for (int c = 0; c < k; c++)
        {
            assignment.Weights[c] = Math.Exp(logits[c] - max);
            sum += assignment.Weights[c];
        }

        for (int c = 0; c < k; c++)
        {
            assignment.Weights[c] /= sum;
        }

        means.CopyTo(assignment.Means, 0);
        covariances.CopyTo(assignment.Covariance, 0);
        _assignment = new GaussianMixtureModel(assignment);
    }

    /// <summary>The model of the posterior the rule holds (the run's snapshot).</summary>
    internal static VariationalGaussianMixtureModel FromPosterior(VariationalGaussianUpdate rule, GaussianComponents p, double elbo, double lowerBound) =>
        new(p.Type, rule.WeightPrior, (double[])rule.WeightsA.Clone(), (double[])rule.WeightsB.Clone(), (double[])rule.MeanPrecision.Clone(),
            (double[])p.Means.Clone(), (double[])rule.DegreesOfFreedom.Clone(), (double[])p.Covariance.Clone(), elbo, lowerBound);

    /// <summary>
    /// The statistics of one variational E-step of this posterior on <paramref name="data"/>: the responsibilities under
    /// E[ln π], E[ln|Λ|] and the expected quadratic form (those of the fit's own E-step), summarised as
    /// <see cref="GaussianMixtureStatistics"/> — the spine of distributed fits: every partition calls this with the current
    /// posterior, a driver merges the parts in a fixed order and takes the variational update with
    /// <see cref="GaussianMixtureStatistics.ToVariationalModel"/>. The statistics' <see cref="GaussianMixtureStatistics.LogLikelihood"/>
    /// is Σᵢ wᵢ ln Σₖ exp(E[ln πₖ + ln 𝒩(xᵢ)]), the normaliser the bound needs (not the predictive log-density).
    /// </summary>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. The result does not depend on it.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad (the message names the row).</exception>
    public GaussianMixtureStatistics ComputeStatistics(double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0)
    {
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        }

        return GaussianMixtureStatistics.ComputeCore(ExpectationComponents(_quadratic.Shift), data, sampleWeights, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The components the variational E-step reads for this posterior, centred on <paramref name="shift"/>: posterior
    /// means, scales (νₖWₖ)⁻¹ and posterior-mean weights, refreshed to the expectations (as a warm start's
    /// <c>SetPosterior</c> followed by the rule's refresh).
    /// </summary>
    internal GaussianComponents ExpectationComponents(ReadOnlySpan<double> shift)
    {
        int k = Components, d = Dimension;
        var p = new GaussianComponents(CovarianceType, k, d);
        shift.CopyTo(p.Shift);
        _quadratic.Means.CopyTo(p.Means, 0);
        _quadratic.Covariance.CopyTo(p.Covariance, 0);
        VariationalGaussianUpdate.PosteriorMeanWeights(WeightPrior, _weightsA, _weightsB, p.Weights);
        if (!VariationalGaussianUpdate.TryRefreshExpectations(p, WeightPrior, _weightsA, _weightsB, _degreesOfFreedom, _meanPrecision, new double[k],
            new double[Math.Max(p.UpdateScratchLength, d * d)], out int failed))
        {
            throw failed < 0
                ? new FittingException("The shared (tied) posterior scale is not positive definite.")
                : new FittingException($"The posterior scale of component {failed} is not positive definite.", failed);
        }

        return p;
    }

    /// <summary>Copies the posterior's hyper-parameters, means mₖ and scales (νₖWₖ)⁻¹ (a warm start's source).</summary>
    internal void CopyPosterior(Span<double> weightsA, Span<double> weightsB, Span<double> meanPrecision, Span<double> degreesOfFreedom, Span<double> means, Span<double> covariances)
    {
        _weightsA.CopyTo(weightsA);
        _weightsB.CopyTo(weightsB);
        _meanPrecision.CopyTo(meanPrecision);
        _degreesOfFreedom.CopyTo(degreesOfFreedom);
        _quadratic.Means.CopyTo(means);
        _quadratic.Covariance.CopyTo(covariances);
    }

    /// <inheritdoc />
    public int Dimension => _quadratic.D;

    /// <summary>Number of components K (including those the posterior left empty).</summary>
    public int Components => _quadratic.K;

    /// <inheritdoc />
    int IClusteringModel.Clusters => Components;

    /// <summary>How the covariances are constrained.</summary>
    public CovarianceType CovarianceType => _quadratic.Type;

    /// <summary>The prior of the weights.</summary>
    public WeightPrior WeightPrior { get; }

    /// <summary>The full evidence lower bound of the fit (every constant; comparable across K and priors on the same data); NaN if no iteration ran.</summary>
    public double Elbo { get; }

    /// <summary>The lower bound in the peer's convention (scikit-learn's <c>lower_bound_</c>, which drops constants); NaN if no iteration ran.</summary>
    public double LowerBound { get; }

    /// <summary>The posterior-mean mixing weights E[π] (normalised for the process prior, as the peer's <c>weights_</c>).</summary>
    public double[] Weights => (double[])_quadratic.Weights.Clone();

    /// <summary>The posterior means mₖ of the component means (K × d).</summary>
    public double[,] Means
    {
        get
        {
            var m = new double[Components, Dimension];
            _quadratic.Means.AsSpan().CopyTo(m.AsWritableSpan());
            return m;
        }
    }

    /// <summary>
    /// (νₖWₖ)⁻¹ = E[Λₖ]⁻¹ in the layout of <see cref="GaussianMixtureModel.CovarianceParameters"/> (full K·d·d, tied d·d,
    /// diagonal K·d, spherical K): the peer's <c>covariances_</c>.
    /// </summary>
    public double[] CovarianceParameters => (double[])_quadratic.Covariance.Clone();

    /// <summary>The full d × d matrix (νₖWₖ)⁻¹ of component <paramref name="component"/>.</summary>
    /// <param name="component">0 … K − 1.</param>
    public double[,] GetCovariance(int component)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, Components);
        var m = new double[Dimension, Dimension];
        _quadratic.ExpandCovariance(component, m.AsWritableSpan());
        return m;
    }

    /// <summary>The posterior Dirichlet parameters αₖ, or the first parameters aₖ of the stick-breaking Beta posteriors.</summary>
    public double[] WeightConcentrations => (double[])_weightsA.Clone();

    /// <summary>The second parameters bₖ of the stick-breaking Beta posteriors (zeros for the Dirichlet distribution).</summary>
    public double[] WeightConcentrationsB => (double[])_weightsB.Clone();

    /// <summary>βₖ, the posterior precision scales of the means.</summary>
    public double[] MeanPrecisions => (double[])_meanPrecision.Clone();

    /// <summary>νₖ, the posterior degrees of freedom of the Wisharts (equal for tied).</summary>
    public double[] DegreesOfFreedom => (double[])_degreesOfFreedom.Clone();

    /// <summary>The number of components whose posterior-mean weight exceeds <paramref name="threshold"/>.</summary>
    /// <param name="threshold">A weight in [0, 1); default 0.01.</param>
    public int EffectiveComponents(double threshold = 0.01)
    {
        if (!(threshold >= 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must lie in [0, 1).");
        }

        return _quadratic.Weights.Count(w => w > threshold);
    }

    /// <inheritdoc />
    public int[] Predict(double[,] data) => _assignment.Predict(data);

    /// <summary>The most probable component of one point under the variational responsibilities (first on ties).</summary>
    /// <param name="point">d finite values.</param>
    public int Predict(ReadOnlySpan<double> point) => _assignment.Predict(point);

    /// <summary>The variational responsibilities of the rows of <paramref name="data"/> (n × K, rows summing to one).</summary>
    /// <param name="data">n × d finite values.</param>
    public double[,] PredictProbabilities(double[,] data) => _assignment.PredictProbabilities(data);

    /// <summary>The variational responsibilities of one point.</summary>
    /// <param name="point">d finite values.</param>
    public double[] PredictProbabilities(ReadOnlySpan<double> point) => _assignment.PredictProbabilities(point);

    /// <summary>Responsibilities and labels of checked data in one pass (a fit's final E-step).</summary>
    internal double[,] PredictBoth(double[,] data, int[] labels) => _assignment.PredictBoth(data, labels);

    /// <summary>
    /// The log posterior-predictive density (a mixture of Student-t, Bishop eq. 10.81) of every row: component k is
    /// St(x | mₖ, Lₖ, νₖ + 1 − d) with Lₖ = (νₖ + 1 − d)βₖ/(1 + βₖ)·Wₖ, weighted by <see cref="Weights"/>. For diagonal and
    /// spherical forms Wₖ is the diagonal / isotropic scale of the peer's convention (a d-dimensional Wishart).
    /// </summary>
    /// <param name="data">n × d finite values.</param>
    /// <param name="destination">n values.</param>
    public void LogDensity(double[,] data, Span<double> destination)
    {
        CheckData(data);
        MixtureScoring.CheckDestination(destination, data.GetLength(0));
        LogDensityChecked(data, destination);
    }

    internal void LogDensityChecked(double[,] data, Span<double> destination)
    {
        int n = data.GetLength(0), d = Dimension, k = Components;
        var ws = new MixtureWorkspace(BlockSize, k, d);
        var column = new double[k];
        for (int start = 0; start < n; start += BlockSize)
        {
            int rows = Math.Min(BlockSize, n - start);
            _quadratic.LogJoint(data.AsSpan().Slice(start * d, rows * d), rows, ws.LogProb, BlockSize, ws);
            for (int i = 0; i < rows; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    column[c] = StudentTerm(c, ws.LogProb[c * BlockSize + i]);
                }

                destination[start + i] = LogSumExp.Compute(column);
            }
        }
    }

    /// <summary>ln E[πₖ] + ln St(x | mₖ, Lₖ, νₖ + 1 − d) from the log-joint −½(x − m)ᵀνW(x − m).</summary>
    private double StudentTerm(int c, double halfNegativeQuadratic)
    {
        double dof = _studentDof[c];
        double delta = -2 * halfNegativeQuadratic * _studentScale[c];
        return _studentConstant[c] - 0.5 * (dof + Dimension) * Math.Log(1 + delta / dof);
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        var ws = new MixtureWorkspace(1, Components, Dimension);
        _quadratic.LogJoint(point, 1, ws.LogProb, 1, ws);
        var column = new double[Components];
        for (int c = 0; c < Components; c++)
        {
            column[c] = StudentTerm(c, ws.LogProb[c]);
        }

        return LogSumExp.Compute(column);
    }

    /// <summary>The mean log posterior-predictive density of the rows.</summary>
    /// <param name="data">n × d finite values.</param>
    public double Score(double[,] data)
    {
        CheckData(data);
        return ScoreChecked(data);
    }

    /// <summary>
    /// <see cref="Score(double[,])"/> of rows read in chunks (bounded memory): the same per-row log-densities summed in row
    /// order, so the same bits as the array of the same rows. One pass; also gives the number of rows.
    /// </summary>
    /// <param name="source">The rows.</param>
    /// <param name="rows">The number of rows read.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentException">A chunk has the wrong width, or the source has no rows.</exception>
    /// <exception cref="Data.RowFormatException">The source is malformed.</exception>
    public double Score(Data.IRowChunkSource source, out long rows, CancellationToken cancellationToken = default)
    {
        double s = MixtureScoring.SumLogDensities(source, CheckData, (chunk, values) => LogDensityChecked(chunk, values), out long n, cancellationToken);

        if (n == 0)
        {
            throw new ArgumentException("The data has no rows.", nameof(source));
        }

        rows = n;
        return s / n;
    }

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

    /// <summary>Draws from the posterior predictive: a component by E[π], then its Student-t.</summary>
    /// <param name="count">Number of points, non-negative.</param>
    /// <param name="random">The caller's random source.</param>
    public double[,] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int k = Components, d = Dimension;
        // The matrix forms factor d × d; diagonal and spherical keep the d standard deviations (their diagonal factor: the
        // same bits, without ever forming d²).
        bool matrix = _quadratic.Form.IsMatrix;
        int stride = matrix ? d * d : d;
        var factors = new double[k * stride];
        for (int c = 0; c < k; c++)
        {
            // Lₖ⁻¹ = (νW)⁻¹ / scale.
            Span<double> l = factors.AsSpan(c * stride, stride);
            if (!matrix)
            {
                for (int a = 0; a < d; a++)
                {
                    l[a] = Math.Sqrt(_quadratic.DiagonalVariance(c, a) / _studentScale[c]);
                }

                continue;
            }

            _quadratic.ExpandCovariance(c, l);
            for (int i = 0; i < d * d; i++)
            {
                l[i] /= _studentScale[c];
            }

            Cholesky.TryFactor(l, d, out _);
        }

        var points = new double[count, d];
        Span<double> z = new double[d];
        Span<double> dst = points.AsWritableSpan();
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            int c = 0;
            double cumulative = _quadratic.Weights[0];
            while (c < k - 1 && u >= cumulative)
            {
                c++;
                cumulative += _quadratic.Weights[c];
            }

            StandardNormal.Fill(random, z);
            double dof = _studentDof[c];
            double chiSquare = 2 * MathNet.Numerics.Distributions.Gamma.Sample(random, 0.5 * dof, 1.0);
            double stretch = Math.Sqrt(dof / chiSquare);
            ReadOnlySpan<double> l = factors.AsSpan(c * stride, stride);
            Span<double> x = dst.Slice(i * d, d);
            for (int a = 0; a < d; a++)
            {
                double s = 0;
                if (!matrix)
                {
                    s = l[a] * z[a];
                }
                else
                {
                    for (int b = 0; b <= a; b++)
                    {
                        s += l[a * d + b] * z[b];
                    }
                }

                x[a] = _quadratic.Means[c * d + a] + stretch * s;
            }
        }

        return points;
    }

    private void CheckData(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, Dimension, nameof(data));
    }
}
