using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using LatentModels.LinearAlgebra;
using LatentModels.Randomness;

namespace LatentModels.Distributions;

/// <summary>
/// The multivariate normal distribution N(μ, Σ), parameterised by the Cholesky factor L of Σ = L·Lᵀ. Immutable.
/// Log-densities are computed through the kernel: rows are centered, whitened by a multi-right-hand-side triangular
/// solve with L, and their squared norms taken; no inverse is ever formed.
/// </summary>
public sealed class MultivariateGaussian : IDensityModel, ISampler, IMaximumLikelihood<MultivariateGaussian>
{
    private const double LogTwoPi = 1.8378770664093454835606594728112;

    /// <summary>Relative tolerance of the symmetry check of a covariance given to the constructor.</summary>
    public const double SymmetryTolerance = 1e-10;

    /// <summary>
    /// A fitted covariance whose Cholesky pivot Lₚₚ² is below this fraction of Σₚₚ (column p is, to working precision, a
    /// linear combination of the earlier columns) is reported as singular by <see cref="Fit(double[,], ReadOnlySpan{double})"/>.
    /// </summary>
    public const double SingularityTolerance = 1e-12;

    private readonly double[] _mean;
    private readonly double[] _covariance; // d × d, row-major, exactly symmetric
    private readonly double[] _factor;     // d × d lower-triangular L, strict upper triangle zero
    private readonly double _logNormalizer; // −½(d·log 2π + log det Σ)

    /// <summary>Creates N(<paramref name="mean"/>, <paramref name="covariance"/>). The arrays are copied.</summary>
    /// <param name="mean">The mean, d ≥ 1 finite values.</param>
    /// <param name="covariance">A symmetric positive-definite d × d matrix (symmetric to a relative tolerance of
    /// <see cref="SymmetryTolerance"/>; it is symmetrised exactly by averaging with its transpose).</param>
    /// <exception cref="ArgumentException">A value is not finite, the shapes disagree, Σ is not symmetric, or Σ is not
    /// positive definite (the message names the failing Cholesky pivot).</exception>
    public MultivariateGaussian(double[] mean, double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int d = mean.Length;
        if (d == 0)
        {
            throw new ArgumentException("The mean has no entries; the dimension must be at least 1.", nameof(mean));
        }

        for (int j = 0; j < d; j++)
        {
            if (!double.IsFinite(mean[j]))
            {
                throw new ArgumentException($"mean[{j}] is {mean[j]}; every entry must be finite.", nameof(mean));
            }
        }

        if (covariance.GetLength(0) != d || covariance.GetLength(1) != d)
        {
            throw new ArgumentException(
                $"The covariance is {covariance.GetLength(0)} × {covariance.GetLength(1)} but the mean has {d} entries; it must be {d} × {d}.",
                nameof(covariance));
        }

        DataValidation.CheckFinite(covariance.AsSpan(), d, nameof(covariance));
        var sigma = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double a = covariance[i, j], b = covariance[j, i];
                double scale = Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), Math.Sqrt(Math.Abs(covariance[i, i] * covariance[j, j])));
                if (Math.Abs(a - b) > SymmetryTolerance * scale)
                {
                    throw new ArgumentException(
                        $"The covariance is not symmetric: entry [{i}, {j}] is {a} but [{j}, {i}] is {b}.", nameof(covariance));
                }

                sigma[i * d + j] = sigma[j * d + i] = i == j ? a : 0.5 * (a + b);
            }
        }

        var factor = (double[])sigma.Clone();
        if (!Cholesky.TryFactor(factor, d, out int pivot))
        {
            throw new ArgumentException(
                $"The covariance is not positive definite: the Cholesky factorisation fails at pivot {pivot} " +
                $"(the leading {pivot + 1} × {pivot + 1} block is not positive definite).", nameof(covariance));
        }

        _mean = (double[])mean.Clone();
        _covariance = sigma;
        _factor = factor;
        LogDeterminant = Cholesky.LogDeterminant(factor, d);
        _logNormalizer = -0.5 * (d * LogTwoPi + LogDeterminant);
        Mean = Array.AsReadOnly(_mean);
    }

    /// <summary>Trusted constructor: the arguments are owned by the new instance and already consistent.</summary>
    private MultivariateGaussian(double[] mean, double[] covariance, double[] factor)
    {
        _mean = mean;
        _covariance = covariance;
        _factor = factor;
        LogDeterminant = Cholesky.LogDeterminant(factor, mean.Length);
        _logNormalizer = -0.5 * (mean.Length * LogTwoPi + LogDeterminant);
        Mean = Array.AsReadOnly(_mean);
    }

    /// <summary>The dimension d.</summary>
    public int Dimension => _mean.Length;

    /// <inheritdoc />
    /// <remarks>d + d(d + 1)/2: the mean and the symmetric covariance.</remarks>
    public int ParameterCount => Dimension + (Dimension * (Dimension + 1) / 2);

    /// <summary>The mean μ (read-only view).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>A copy of the covariance Σ (d × d).</summary>
    public double[,] Covariance => ToMatrix(_covariance, Dimension);

    /// <summary>A copy of the lower-triangular Cholesky factor L of Σ = L·Lᵀ (d × d, zeros above the diagonal).</summary>
    public double[,] CholeskyFactor => ToMatrix(_factor, Dimension);

    /// <summary>log det Σ = 2 Σᵢ log Lᵢᵢ.</summary>
    public double LogDeterminant { get; }

    /// <summary>The differential entropy ½(d(1 + log 2π) + log det Σ) in nats.</summary>
    public double Entropy => 0.5 * (Dimension * (1.0 + LogTwoPi) + LogDeterminant);

    /// <summary>The mean as a span (no copy), for the library's own hot paths.</summary>
    internal ReadOnlySpan<double> MeanSpan => _mean;

    /// <summary>The Cholesky factor as row-major storage (no copy), for the library's own hot paths.</summary>
    internal ReadOnlySpan<double> FactorSpan => _factor;

    /// <inheritdoc />
    public void LogDensity(double[,] data, Span<double> destination) => LogDensity(data, destination, 0);

    /// <summary>
    /// Writes the log-density of each row of <paramref name="data"/> into <paramref name="destination"/>, working on
    /// fixed blocks of rows in parallel; every row's value is the same for any degree of parallelism.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="destination">n values.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    public void LogDensity(double[,] data, Span<double> destination, int maxDegreeOfParallelism)
    {
        DistributionChecks.CheckBatch(data, Dimension, destination, nameof(data), nameof(destination));
        int dop = RowBlocks.Parallelism((long)data.GetLength(0) * Dimension * Dimension, maxDegreeOfParallelism);
        RowBlocks.Evaluate(data, destination, dop, LogDensityBlock);
    }

    /// <inheritdoc />
    public double LogDensity(ReadOnlySpan<double> point) => _logNormalizer - 0.5 * SquaredMahalanobis(point);

    /// <summary>The density p(x) = exp(log p(x)).</summary>
    /// <param name="point">d values.</param>
    public double Density(ReadOnlySpan<double> point) => Math.Exp(LogDensity(point));

    /// <summary>The Mahalanobis distance √((x − μ)ᵀ Σ⁻¹ (x − μ)) = ‖L⁻¹(x − μ)‖.</summary>
    /// <param name="point">d values.</param>
    public double Mahalanobis(ReadOnlySpan<double> point) => Math.Sqrt(SquaredMahalanobis(point));

    /// <inheritdoc />
    public double Score(double[,] data)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, Dimension, nameof(data));
        return RowBlocks.Mean(data, RowBlocks.Parallelism((long)data.GetLength(0) * Dimension * Dimension, 0), LogDensityBlock);
    }

    /// <summary>
    /// <see cref="Score(double[,])"/> of rows read in chunks (bounded memory), with its bits: the per-row log-densities
    /// summed per block of 256 rows and the block sums in block order, as the array version sums them (the chunks are whole
    /// blocks).
    /// </summary>
    /// <param name="source">The rows (from a reader that rejects non-finite values: CSV, Parquet).</param>
    /// <param name="rows">The number of rows read.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <returns>The mean log-density per row.</returns>
    /// <exception cref="ArgumentException">The source has no rows, or a chunk has the wrong number of columns.</exception>
    /// <exception cref="Data.RowFormatException">The source is malformed.</exception>
    public double Score(Data.IRowChunkSource source, out long rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        int d = Dimension;
        double total = 0;
        long n = 0;
        Span<double> values = stackalloc double[RowBlocks.BlockSize];
        foreach (double[,] chunk in source.ReadChunks(Data.RowChunks.DefaultChunkRows, cancellationToken))
        {
            DataValidation.CheckDimension(chunk, d, "data");
            int m = chunk.GetLength(0);
            for (int start = 0; start < m; start += RowBlocks.BlockSize)
            {
                int count = Math.Min(RowBlocks.BlockSize, m - start);
                LogDensityBlock(chunk.AsSpan().Slice(start * d, count * d), count, values[..count]);
                double s = 0;
                foreach (double v in values[..count])
                {
                    s += v;
                }

                total += s;
            }

            n += m;
        }

        rows = n > 0 ? n : throw new ArgumentException($"{source.Name} has no rows.", nameof(source));
        return total / n;
    }

    /// <summary>
    /// The Kullback–Leibler divergence KL(this ‖ other) = ½[tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀΣ₂⁻¹(μ₂ − μ₁) − d + log det Σ₂ − log det Σ₁]
    /// in nats, with tr(Σ₂⁻¹Σ₁) = ‖L₂⁻¹L₁‖²_F and the quadratic form ‖L₂⁻¹(μ₂ − μ₁)‖² from triangular solves.
    /// </summary>
    /// <param name="other">The second distribution, of the same dimension.</param>
    public double KullbackLeibler(MultivariateGaussian other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int d = Dimension;
        if (other.Dimension != d)
        {
            throw new ArgumentException($"The other distribution has dimension {other.Dimension} but this one has {d}.", nameof(other));
        }

        // Rows of B = L₁ᵀ are the columns of L₁; solving L₂·x = b for each gives the columns of L₂⁻¹L₁.
        var b = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                b[i * d + j] = _factor[j * d + i];
            }
        }

        Cholesky.SolveLowerRows(other._factor, d, b, d);
        double trace = TensorPrimitives.SumOfSquares<double>(b);
        double quadratic = other.SquaredMahalanobis(_mean);
        return 0.5 * (trace + quadratic - d + other.LogDeterminant - LogDeterminant);
    }

    /// <summary>Draws <paramref name="count"/> independent points x = μ + L·z, z ~ N(0, I) (rows of the result).</summary>
    /// <param name="count">Number of points, non-negative.</param>
    /// <param name="random">The random source.</param>
    public double[,] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        int d = Dimension;
        var z = new double[count * d];
        StandardNormal.Fill(random, z);
        var result = new double[count, d];
        Span<double> x = result.AsWritableSpan();
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, count, d, d, 1.0, z, d, _factor, d, 0.0, x, d);
        for (int i = 0; i < count; i++)
        {
            Span<double> row = x.Slice(i * d, d);
            TensorPrimitives.Add(row, _mean, row);
        }

        return result;
    }

    /// <summary>The unweighted maximum-likelihood estimate: the sample mean and the 1/N covariance.</summary>
    /// <param name="data">n × d observations with n &gt; d.</param>
    /// <exception cref="ArgumentException">The data holds a NaN or infinity (the message names row and column).</exception>
    /// <exception cref="FittingException">The covariance estimate is singular.</exception>
    public static MultivariateGaussian Fit(double[,] data) => Fit(data, [], 0.0);

    /// <summary>
    /// The weighted maximum-likelihood estimate μ = Σwᵢxᵢ/W, Σ = Σwᵢ(xᵢ − μ)(xᵢ − μ)ᵀ/W (W = Σwᵢ), computed in two passes:
    /// the mean, then the scatter of the centered rows through the kernel's GEMM on fixed blocks of rows whose partial
    /// sums are combined in block order (the same bits for any thread count), with the compensating correction term.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <exception cref="ArgumentException">The data or weights are invalid (the message names row and column).</exception>
    /// <exception cref="FittingException">The covariance estimate is singular: at most d rows have positive weight, a
    /// column is constant, or a column is a linear combination of the others.</exception>
    public static MultivariateGaussian Fit(double[,] data, ReadOnlySpan<double> weights) => Fit(data, weights, 0.0);

    /// <summary>
    /// The weighted maximum-likelihood estimate with <paramref name="regularization"/> added to the diagonal of the
    /// covariance (Σ + λI), which keeps the estimate positive definite when λ &gt; 0.
    /// </summary>
    /// <param name="data">n × d observations.</param>
    /// <param name="weights">n finite non-negative weights, not all zero; empty means all 1.</param>
    /// <param name="regularization">λ ≥ 0, finite.</param>
    /// <exception cref="ArgumentException">The data, weights or λ are invalid.</exception>
    /// <exception cref="FittingException">The (regularised) covariance estimate is singular.</exception>
    public static MultivariateGaussian Fit(double[,] data, ReadOnlySpan<double> weights, double regularization)
    {
        double total = DistributionChecks.CheckFitInput(data, weights, nameof(data), nameof(weights));
        if (!(regularization >= 0) || !double.IsFinite(regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "The regularisation must be finite and non-negative.");
        }

        int n = data.GetLength(0), d = data.GetLength(1);
        ReadOnlySpan<double> x = data.AsSpan();
        double largest = TensorPrimitives.MaxMagnitude(x) is var m0 && double.IsFinite(m0) ? Math.Abs(m0) : 0;
        // Tiny data under a positive λ need no frame (λ dominates their underflowing squares, as it should).
        if (Statistics.RangeFrame.Unsafe(largest) && (largest > 1 || regularization == 0))
        {
            return FitScaled(data, weights, regularization, Math.ILogB(largest));
        }

        double[]? w = weights.IsEmpty ? null : weights.ToArray();

        // Pass 1: the weighted mean, in row order.
        var mean = new double[d];
        int positive = 0;
        for (int i = 0; i < n; i++)
        {
            double wi = w is null ? 1.0 : w[i];
            if (wi > 0)
            {
                positive++;
                TensorPrimitives.MultiplyAdd(x.Slice(i * d, d), wi, mean, mean);
            }
        }

        TensorPrimitives.Divide(mean, total, mean);
        if (regularization == 0)
        {
            CheckIdentifiable(data, w, positive);
        }

        // Pass 2: scatter about the mean, block by block (scatter d×d followed by the residual sum Σw(x − μ), d).
        int blocks = ParallelBlocks.BlockCount(n, RowBlocks.BlockSize);
        var partials = new double[blocks][];
        ParallelBlocks.For(n, RowBlocks.BlockSize, RowBlocks.Parallelism((long)n * d * d, 0), (block, start, end) =>
        {
            int m = end - start;
            double[] centered = ArrayPool<double>.Shared.Rent(m * d);
            double[] weighted = ArrayPool<double>.Shared.Rent(m * d);
            var partial = new double[d * d + d];
            try
            {
                ReadOnlySpan<double> rows = data.AsSpan();
                Span<double> residual = partial.AsSpan(d * d, d);
                for (int r = 0; r < m; r++)
                {
                    double wi = w is null ? 1.0 : w[start + r];
                    Span<double> c = centered.AsSpan(r * d, d);
                    TensorPrimitives.Subtract(rows.Slice((start + r) * d, d), mean, c);
                    TensorPrimitives.Multiply(c, wi, weighted.AsSpan(r * d, d));
                    TensorPrimitives.Add(residual, weighted.AsSpan(r * d, d), residual);
                }

                Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, d, d, m, 1.0, centered, d, weighted, d, 0.0, partial, d, 1);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(centered);
                ArrayPool<double>.Shared.Return(weighted);
            }

            partials[block] = partial;
        });

        var sums = new double[d * d + d];
        foreach (double[] partial in partials)
        {
            TensorPrimitives.Add(sums, partial, sums);
        }

        ReadOnlySpan<double> residualSum = sums.AsSpan(d * d, d);
        var covariance = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = 0.5 * (sums[i * d + j] + sums[j * d + i]) - residualSum[i] * residualSum[j] / total;
                covariance[i * d + j] = covariance[j * d + i] = s / total + (i == j ? regularization : 0.0);
            }
        }

        for (int j = 0; j < d; j++)
        {
            mean[j] += residualSum[j] / total;
        }

        var factor = (double[])covariance.Clone();
        bool ok = Cholesky.TryFactor(factor, d, out int pivot);
        if (ok && regularization == 0)
        {
            for (int p = 0; p < d && pivot < 0; p++)
            {
                double l = factor[p * d + p];
                if (l * l < SingularityTolerance * covariance[p * d + p])
                {
                    pivot = p;
                }
            }

            ok = pivot < 0;
        }

        if (!ok)
        {
            throw new FittingException(string.Create(CultureInfo.InvariantCulture,
                $"The maximum-likelihood covariance of the {n} × {d} data is singular: the Cholesky factorisation fails at pivot {pivot} (column {pivot} is, to working precision, a linear combination of the columns before it). Remove redundant columns, add data, or fit with a positive regularisation."));
        }

        return new MultivariateGaussian(mean, covariance, factor);
    }

    /// <summary>A readable description giving the dimension and the mean.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"N(d={Dimension}, μ=[{string.Join(", ", _mean.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}])");

    /// <summary>
    /// The fit of data beyond 2^±200 (whose squares overflow or underflow): of the data × 2^−e (exact) with λ × 2^−2e, mapped
    /// back (μ × 2^e, Σ × 2^2e). A covariance that is itself beyond the range of double is an <see cref="ArgumentException"/>
    /// on <c>data</c> naming the range, never a singular-data diagnosis.
    /// </summary>
    private static MultivariateGaussian FitScaled(double[,] data, ReadOnlySpan<double> weights, double regularization, int e)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var scaled = new double[n, d];
        ReadOnlySpan<double> x = data.AsSpan();
        Span<double> z = scaled.AsWritableSpan();
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = Math.ScaleB(x[i], -e);
        }

        double scaledRegularization = regularization > 0 ? Math.Max(Math.ScaleB(regularization, -2 * e), double.Epsilon) : 0;
        MultivariateGaussian inFrame = Fit(scaled, weights, scaledRegularization);
        var mean = new double[d];
        var covariance = new double[d * d];
        var factor = new double[d * d];
        for (int a = 0; a < d; a++)
        {
            mean[a] = Math.ScaleB(inFrame._mean[a], e);
            double variance = Math.ScaleB(inFrame._covariance[a * d + a], 2 * e);
            if (!double.IsFinite(variance) || !double.IsNormal(variance))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The variance of column {a} is {inFrame._covariance[a * d + a]:G6} × 2^{2 * e}, beyond the range of double; rescale the data (e.g. multiply them by 2^{-e})."),
                    nameof(data));
            }
        }

        for (int i = 0; i < d * d; i++)
        {
            covariance[i] = Math.ScaleB(inFrame._covariance[i], 2 * e);
            factor[i] = Math.ScaleB(inFrame._factor[i], e);
        }

        return new MultivariateGaussian(mean, covariance, factor);
    }

    private static void CheckIdentifiable(double[,] data, double[]? w, int positive)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        if (positive <= d)
        {
            throw new FittingException(
                $"Only {positive} rows have positive weight but the dimension is {d}; the maximum-likelihood covariance of " +
                $"at most d rows is singular. Fit to at least {d + 1} rows or use a positive regularisation.");
        }

        ReadOnlySpan<double> x = data.AsSpan();
        int first = 0;
        while (w is not null && !(w[first] > 0))
        {
            first++;
        }

        for (int j = 0; j < d; j++)
        {
            double v = x[first * d + j];
            bool constant = true;
            for (int i = first + 1; i < n && constant; i++)
            {
                constant = x[i * d + j] == v || (w is not null && !(w[i] > 0));
            }

            if (constant)
            {
                throw new FittingException(string.Create(CultureInfo.InvariantCulture,
                    $"Column {j} is constant ({v}) over the rows with positive weight, so the maximum-likelihood covariance is singular. Remove the column or use a positive regularisation."));
            }
        }
    }

    private void LogDensityBlock(ReadOnlySpan<double> rows, int count, Span<double> destination)
    {
        int d = Dimension;
        double[] buffer = ArrayPool<double>.Shared.Rent(count * d);
        try
        {
            Span<double> z = buffer.AsSpan(0, count * d);
            for (int r = 0; r < count; r++)
            {
                TensorPrimitives.Subtract(rows.Slice(r * d, d), _mean, z.Slice(r * d, d));
            }

            Cholesky.SolveLowerRows(_factor, d, z, count);
            for (int r = 0; r < count; r++)
            {
                destination[r] = _logNormalizer - 0.5 * TensorPrimitives.SumOfSquares<double>(z.Slice(r * d, d));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private double SquaredMahalanobis(ReadOnlySpan<double> point)
    {
        int d = Dimension;
        DataValidation.CheckPoint(point, d, nameof(point));
        double[]? rented = d > 128 ? ArrayPool<double>.Shared.Rent(d) : null;
        Span<double> z = rented is null ? stackalloc double[d] : rented.AsSpan(0, d);
        TensorPrimitives.Subtract(point, _mean, z);
        Cholesky.SolveLower(_factor, d, z);
        double result = TensorPrimitives.SumOfSquares<double>(z);
        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
        }

        return result;
    }

    private static double[,] ToMatrix(double[] values, int d)
    {
        var result = new double[d, d];
        values.CopyTo(result.AsWritableSpan());
        return result;
    }
}
