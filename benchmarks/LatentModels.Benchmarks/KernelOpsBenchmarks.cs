using BenchmarkDotNet.Attributes;
using LatentModels.LinearAlgebra;

namespace LatentModels.Benchmarks;

/// <summary>
/// The mixture kernel operations moved into LinearAlgebra, on one E-step block (K = 8 components × 512 rows, d = 16),
/// so the lead can compare them with the pre-move numbers: column log-sum-exp, triangular whitening (full covariance),
/// the 4 × 4 scatter tiles, weighted sums and the centering transpose.
/// </summary>
public class KernelOpsBenchmarks
{
    private const int K = 8, Rows = 512, D = 16, Stride = 512;
    private readonly double[] _logits = new double[K * Stride];
    private readonly double[] _work = new double[K * Stride];
    private readonly double[] _lse = new double[Rows];
    private readonly double[] _scratch = new double[4 * K];
    private readonly double[] _x = new double[Rows * D];
    private readonly double[] _xt = new double[D * Stride];
    private readonly double[] _factor = new double[D * D];
    private readonly double[] _offsets = new double[D];
    private readonly double[] _q = new double[Rows];
    private readonly double[] _r = new double[Rows];
    private readonly double[] _mean = new double[D];
    private readonly double[] _sums = new double[D];
    private readonly double[] _scatter = new double[D * D];

    /// <summary>Random blocks.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _logits.Length; i++)
        {
            _logits[i] = -30 * random.NextDouble();
        }

        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = random.NextDouble();
        }

        for (int a = 0; a < D; a++)
        {
            for (int j = a; j < D; j++)
            {
                _factor[a * D + j] = a == j ? 1 + random.NextDouble() : 0.1 * random.NextDouble();
            }
        }

        for (int i = 0; i < Rows; i++)
        {
            _r[i] = random.NextDouble();
        }

        CenterTranspose.Run(_x, Rows, D, _mean, _xt, Stride);
    }

    /// <summary>Column-wise normalisation of K × rows log-weights.</summary>
    [Benchmark]
    public void ColumnLogSumExpNormalize()
    {
        _logits.AsSpan().CopyTo(_work);
        ColumnLogSumExp.Normalize(_work, K, Rows, Stride, _lse, _scratch);
    }

    /// <summary>One component's full-covariance log-densities of the block.</summary>
    [Benchmark]
    public void TriangularWhiteningUpper() => TriangularWhitening.LogGaussianUpper(_xt, Stride, Rows, D, _factor, D, _offsets, -3, _q);

    /// <summary>One component's full scatter of the block.</summary>
    [Benchmark]
    public void ScatterTilesFull() => ScatterTiles.Full(_r, _xt, Stride, D, _mean, _scatter);

    /// <summary>One component's weighted sums of the block.</summary>
    [Benchmark]
    public double ScatterTilesWeightedSums() => ScatterTiles.WeightedSums(_r, _xt, Stride, D, _sums);

    /// <summary>The centering transpose of the block.</summary>
    [Benchmark]
    public void CenterTransposeRun() => CenterTranspose.Run(_x, Rows, D, _mean, _xt, Stride);
}
