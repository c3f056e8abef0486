using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Statistics;

namespace LatentModels.Variational;

/// <summary>
/// The variational Gaussian mixture over a <see cref="IRowChunkSource"/> read again for every pass (memory: one chunk and
/// the posterior), as a driver over the in-memory fit's own pieces: <see cref="GaussianMixtureSourcePasses"/> gives the
/// data moments (the prior's defaults and the centre of the statistics), the E-steps (the engine's fused block E-step
/// reading the variational expectations, merged in block order) and the starts; the variational update, the ELBO and the
/// peer's loop are <see cref="VariationalBatchRun"/>'s and the starts, stopping rule, trace, progress and cancellation
/// <see cref="EmDriver"/>'s. So from the same start every iteration has the in-memory bits.
/// </summary>
internal static class VariationalGaussianMixtureOutOfCore
{
    /// <summary>
    /// The fit in the data's <see cref="RangeFrame"/> with counts beyond 2^100 divided as in memory
    /// (<see cref="VariationalGaussianMixtureFraming"/>): a first pass finds the frame; data and weights in the ordinary
    /// range take the core unchanged, others are mapped chunk by chunk and the posterior, ELBO and trace mapped back.
    /// </summary>
    public static FitResult<VariationalGaussianMixtureModel> Fit(VariationalGaussianMixtureOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        (RangeFrame frame, int shift, long n, int d) = GaussianMixtureSourcePasses.Range(new WeightedRowChunks(source, sampleWeights), counts: true, cancellationToken);
        if (frame.IsIdentity && shift == 0)
        {
            return FitCore(o, source, sampleWeights, progress, cancellationToken, clock);
        }

        IRowChunkSource? weights = GaussianMixtureSourcePasses.ScaledWeights(sampleWeights, shift);
        FitResult<VariationalGaussianMixtureModel> inFrame = FitCore(frame.IsIdentity ? o : VariationalGaussianMixtureFraming.ToFrame(o, frame, d),
            GaussianMixtureSourcePasses.Framed(source, frame), weights, progress, cancellationToken, clock);

        // The total weight the bound's offset needs, summed in row order as in memory.
        double total = 0;
        if (weights is null)
        {
            total = n;
        }
        else
        {
            foreach (double[,] chunk in weights.ReadChunks(GaussianMixtureSourcePasses.MomentRows, cancellationToken))
            {
                foreach (double w in chunk.AsSpan())
                {
                    total += w;
                }
            }
        }

        (VariationalGaussianMixtureModel model, FitReport report) = VariationalGaussianMixtureFraming.FromFrame(inFrame.Model, inFrame.Report, frame, d, total, shift);
        return new FitResult<VariationalGaussianMixtureModel>(model, report);
    }

    private static FitResult<VariationalGaussianMixtureModel> FitCore(VariationalGaussianMixtureOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken, Stopwatch clock)
    {
        GaussianMixtureOptions engineOptions = o.EngineOptions();
        var chunks = new WeightedRowChunks(source, sampleWeights);
        (int n, WeightedMoments moments) = GaussianMixtureSourcePasses.Moments(chunks, GaussianMixtureEngine.NeedsFullDataScatter(engineOptions), cancellationToken);
        int d = moments.Dimension;
        o.Validate(n, d);
        var engine = new GaussianMixtureEngine(n, d, moments, engineOptions, row => GaussianMixtureSourcePasses.ReadRow(source, row, d, cancellationToken),
            (m, shift) => VariationalGaussianMixture.CreateRule(o, m, shift, d, dataParameter: nameof(source)));
        var passes = new GaussianMixtureSourcePasses(engine, chunks, o.MaxDegreeOfParallelism, cancellationToken);
        var run = new VariationalBatchRun(engine, o,
            random =>
            {
                if (o.Init == MixtureInit.First)
                {
                    passes.StartFromNearestOfFirstRows(random);
                }
                else
                {
                    passes.InitializeByMethod(o.Init, random);
                }
            },
            () => passes.EStep());
        (VariationalGaussianMixtureModel model, FitReport report) = EmDriver.Run(run, o.Starts, o.Seed, o.MaxIterations, o.Tolerance, engine.Rule.ObjectiveName,
            progress, cancellationToken, clock, stopAtOnce: true);
        return new FitResult<VariationalGaussianMixtureModel>(model, report);
    }
}
