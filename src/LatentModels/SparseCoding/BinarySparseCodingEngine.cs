using LatentModels.LinearAlgebra;

namespace LatentModels.SparseCoding;

/// <summary>
/// Mean-field inference and the lower bound of binary sparse coding for one set of parameters, on up to
/// <see cref="Capacity"/> rows at a time. The products go through the GEMM kernel: G = Wᵀ·(βW) once per parameter set,
/// the data term V·(βW) once per batch of rows (<see cref="Prepare"/>), and the couplings Ĥ·G once per sweep; the
/// element-wise steps run in fixed blocks of rows (<see cref="BlockRows"/>), so results do not depend on the thread
/// count. Allocation-free once constructed (apart from the thread pool's own bookkeeping when parallel).
/// </summary>
/// <remarks>
/// Per row, with u = Wᵀβv, G = WᵀβW, gᵢ = Gᵢᵢ, the engine keeps the _drive cᵢ = uᵢ − ½gᵢ and vᵀβv; the lower bound of a row
/// is then Σᵢ[ĥᵢ(softplus(−ℓᵢ) − softplus(−bᵢ)) + (1 − ĥᵢ)(softplus(ℓᵢ) − softplus(bᵢ))] + ½Σₖ ln βₖ − (d/2) ln 2π
/// − ½vᵀβv + Σᵢ ĥᵢ(cᵢ − ½(Gĥ)ᵢ + ½gᵢĥᵢ): the prior and the entropy, and the expected Gaussian log-likelihood with
/// E[hᵢhⱼ] = ĥᵢĥⱼ (i ≠ j) and E[hᵢ²] = ĥᵢ, all constants included.
/// </remarks>
internal sealed class BinarySparseCodingEngine
{
    /// <summary>Rows per block of the element-wise work.</summary>
    public const int BlockRows = 64;

    private readonly int _h, _d, _dop;
    private readonly double[] _precision, _scaledWeights, _gram, _diagonal, _bias;
    private readonly double[] _drive, _coupling, _quadratic, _blockValues, _rowBuffer;
    private double _logNormalizer;

    /// <summary>Creates the workspace for H latents, d dimensions and batches of up to <paramref name="capacity"/> rows.</summary>
    public BinarySparseCodingEngine(int components, int dimension, int capacity, int maxDegreeOfParallelism)
    {
        _h = components;
        _d = dimension;
        _dop = maxDegreeOfParallelism;
        Capacity = capacity;
        _precision = new double[_d];
        _scaledWeights = new double[_d * _h];
        _gram = new double[_h * _h];
        _diagonal = new double[_h];
        _bias = new double[_h];
        _drive = new double[capacity * _h];
        _coupling = new double[capacity * _h];
        _quadratic = new double[capacity];
        _rowBuffer = new double[capacity];
        _blockValues = new double[ParallelBlocks.BlockCount(capacity, BlockRows)];
    }

    /// <summary>The largest batch of rows.</summary>
    public int Capacity { get; }

    /// <summary>G = WᵀβW (H × H, exactly symmetric), valid after <see cref="SetParameters"/>.</summary>
    public ReadOnlySpan<double> Gram => _gram;

    /// <summary>βW (d × H), valid after <see cref="SetParameters"/>.</summary>
    public ReadOnlySpan<double> ScaledWeights => _scaledWeights;

    /// <summary>The _diagonal of G.</summary>
    public ReadOnlySpan<double> Diagonal => _diagonal;

    /// <summary>½Σₖ ln βₖ − (d/2) ln 2π.</summary>
    public double LogNormalizer => _logNormalizer;

    /// <summary>The _drive c = Wᵀβv − ½g of row r of the prepared batch.</summary>
    public ReadOnlySpan<double> Drive(int r) => _drive.AsSpan(r * _h, _h);

    /// <summary>vᵀβv of row r of the prepared batch.</summary>
    public double Quadratic(int r) => _quadratic[r];

    /// <summary>Takes a parameter set: β, βW, G (by GEMM), its _diagonal and the Gaussian's log-normaliser.</summary>
    public void SetParameters(BinarySparseCodingParameters parameters)
    {
        double sumLog = 0;
        ReadOnlySpan<double> w = parameters.Weights;
        for (int k = 0; k < _d; k++)
        {
            double beta = 1.0 / parameters.NoiseVariance[k];
            _precision[k] = beta;
            sumLog += Math.Log(beta);
            for (int i = 0; i < _h; i++)
            {
                _scaledWeights[k * _h + i] = beta * w[k * _h + i];
            }
        }

        _logNormalizer = 0.5 * sumLog - 0.5 * _d * Math.Log(2 * Math.PI);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, _h, _h, _d, 1.0, w, _h, _scaledWeights, _h, 0.0, _gram, _h, _dop);

        // The two triangles are computed from different products; make G exactly symmetric (the lower one wins).
        for (int i = 0; i < _h; i++)
        {
            for (int j = 0; j < i; j++)
            {
                _gram[j * _h + i] = _gram[i * _h + j];
            }

            _diagonal[i] = _gram[i * _h + i];
        }

        parameters.Bias.CopyTo(_bias, 0);
    }

    /// <summary>The data terms of a batch of rows (count × d): the drives c = V·(βW) − ½g and vᵀβv per row.</summary>
    public void Prepare(ReadOnlySpan<double> rows, int count)
    {
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, count, _h, _d, 1.0, rows, _d, _scaledWeights, _h, 0.0, _drive, _h, _dop);
        for (int r = 0; r < count; r++)
        {
            Span<double> c = _drive.AsSpan(r * _h, _h);
            for (int i = 0; i < _h; i++)
            {
                c[i] -= 0.5 * _diagonal[i];
            }

            ReadOnlySpan<double> v = rows.Slice(r * _d, _d);
            double q = 0;
            for (int k = 0; k < _d; k++)
            {
                q += _precision[k] * v[k] * v[k];
            }

            _quadratic[r] = q;
        }
    }

    /// <summary>
    /// Runs the mean-field updates on the prepared batch until no mean moves by more than the tolerance, starting from the
    /// given logits and means (rows <paramref name="first"/> … <paramref name="first"/> + count − 1 of the n × H arrays).
    /// </summary>
    /// <param name="logits">n × H logits, updated in the batch's rows.</param>
    /// <param name="means">n × H means σ(ℓ), updated likewise.</param>
    /// <param name="first">The batch's first row in <paramref name="logits"/> and <paramref name="means"/>.</param>
    /// <param name="count">Rows in the batch (as prepared).</param>
    /// <param name="inference">The update, damping, sweep cap and tolerance.</param>
    /// <param name="scale">τ, the inverse temperature of the likelihood (1: the model itself).</param>
    /// <param name="cancellationToken">Checked before every block of rows of every sweep.</param>
    /// <returns>The sweeps performed.</returns>
    public int Infer(double[] logits, double[] means, int first, int count, BinarySparseCodingInference inference, double scale,
        CancellationToken cancellationToken = default)
    {
        int sweeps = 0;
        while (sweeps < inference.MaxSweeps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double change = Sweep(logits, means, first, count, inference, scale, cancellationToken);
            sweeps++;
            if (change <= inference.Tolerance)
            {
                break;
            }
        }

        return sweeps;
    }

    /// <summary>One sweep of the batch: the couplings Ĥ·G by GEMM, then every row's step; returns the largest change of a mean.</summary>
    public double Sweep(double[] logits, double[] means, int first, int count, BinarySparseCodingInference inference, double scale,
        CancellationToken cancellationToken = default)
    {
        Couple(means, first, count);
        var state = (Engine: this, Logits: logits, Means: means, First: first, Sequential: inference.Update == BinarySparseCodingUpdate.Sequential,
            inference.Damping, Scale: scale, Token: cancellationToken);
        ParallelBlocks.For(count, BlockRows, _dop, state, static (s, block, r0, r1) =>
        {
            s.Token.ThrowIfCancellationRequested();
            BinarySparseCodingEngine e = s.Engine;
            int h = e._h;
            double change = 0;
            for (int r = r0; r < r1; r++)
            {
                Span<double> l = s.Logits.AsSpan((s.First + r) * h, h);
                Span<double> m = s.Means.AsSpan((s.First + r) * h, h);
                Span<double> coupled = e._coupling.AsSpan(r * h, h);
                ReadOnlySpan<double> c = e._drive.AsSpan(r * h, h);
                double rowChange = s.Sequential
                    ? BernoulliMeanField.SequentialSweep(e._bias, c, e._gram, s.Scale, coupled, l, m)
                    : BernoulliMeanField.ParallelStep(e._bias, c, coupled, e._diagonal, s.Scale, s.Damping, l, m);
                change = Math.Max(change, rowChange);
            }

            e._blockValues[block] = change;
        });

        double max = 0;
        for (int b = 0, blocks = ParallelBlocks.BlockCount(count, BlockRows); b < blocks; b++)
        {
            max = Math.Max(max, _blockValues[b]);
        }

        return max;
    }

    /// <summary>
    /// The lower bound of every row of the prepared batch under the current parameters and the given q (one GEMM for the
    /// couplings), written to <paramref name="rowBounds"/>[first …]; returns their sum in row order.
    /// </summary>
    public double Elbo(double[] logits, double[] means, int first, int count, Span<double> rowBounds)
    {
        Couple(means, first, count);
        double[] rows = _rowBuffer;
        var state = (Engine: this, Logits: logits, Means: means, First: first, Rows: rows);
        ParallelBlocks.For(count, BlockRows, _dop, state, static (s, block, r0, r1) =>
        {
            BinarySparseCodingEngine e = s.Engine;
            for (int r = r0; r < r1; r++)
            {
                s.Rows[r] = e.RowElbo(s.Logits.AsSpan((s.First + r) * e._h, e._h), s.Means.AsSpan((s.First + r) * e._h, e._h), r);
            }
        });

        double sum = 0;
        for (int r = 0; r < count; r++)
        {
            rowBounds[first + r] = rows[r];
            sum += rows[r];
        }

        return sum;
    }

    /// <summary>The lower bound of row r of the prepared batch (couplings current).</summary>
    private double RowElbo(ReadOnlySpan<double> l, ReadOnlySpan<double> m, int r)
    {
        ReadOnlySpan<double> c = _drive.AsSpan(r * _h, _h);
        ReadOnlySpan<double> coupled = _coupling.AsSpan(r * _h, _h);
        double priorEntropy = 0, likelihood = 0;
        for (int i = 0; i < _h; i++)
        {
            double on = m[i], off = BernoulliMeanField.Sigmoid(-l[i]);
            priorEntropy += on * (BernoulliMeanField.Softplus(-l[i]) - BernoulliMeanField.Softplus(-_bias[i]))
                + off * (BernoulliMeanField.Softplus(l[i]) - BernoulliMeanField.Softplus(_bias[i]));
            likelihood += on * (c[i] - 0.5 * coupled[i] + 0.5 * _diagonal[i] * on);
        }

        return priorEntropy + _logNormalizer - 0.5 * _quadratic[r] + likelihood;
    }

    /// <summary>_coupling = Ĥ·G for the batch's rows.</summary>
    private void Couple(double[] means, int first, int count) =>
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, count, _h, _h, 1.0, means.AsSpan(first * _h, count * _h), _h, _gram, _h, 0.0, _coupling, _h, _dop);
}
