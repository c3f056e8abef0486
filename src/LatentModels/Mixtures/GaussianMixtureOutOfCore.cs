using System.Diagnostics;
using LatentModels.Data;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM of a Gaussian mixture over a <see cref="IRowChunkSource"/> read again for every pass (memory: one chunk and
/// the parameters), as a driver over the in-memory fit's own pieces: <see cref="GaussianMixtureSourcePasses"/> gives the
/// data moments, the E-steps (the engine's blocks merged in block order) and the starts; the M-step is the engine's (the
/// options' maximum-likelihood or MAP rule, the re-seeding of an empty component); the iterations, the stopping rule,
/// progress and cancellation are <see cref="EmDriver"/>'s through <see cref="GaussianBatchRun"/>. So from the same start
/// every iteration has the in-memory bits.
/// </summary>
internal static class GaussianMixtureOutOfCore
{
    /// <summary>
    /// The fit in the data's <see cref="RangeFrame"/> with the weights divided as in memory (<see cref="GaussianMixtureFraming"/>):
    /// a first pass finds the frame; data in the ordinary range take the core unchanged, other data are mapped chunk by chunk
    /// and the mixture and trace mapped back, as the in-memory fit does.
    /// </summary>
    public static FitResult<GaussianMixtureModel> Fit(GaussianMixtureOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        (RangeFrame frame, int shift, _, int d) = GaussianMixtureSourcePasses.Range(new WeightedRowChunks(source, sampleWeights), o.Prior is not null, cancellationToken);
        IRowChunkSource? weights = GaussianMixtureSourcePasses.ScaledWeights(sampleWeights, shift);
        if (frame.IsIdentity)
        {
            return FitCore(o, source, weights, progress, cancellationToken, clock);
        }

        FitResult<GaussianMixtureModel> inFrame = FitCore(GaussianMixtureFraming.ToFrame(o, frame, d), GaussianMixtureSourcePasses.Framed(source, frame), weights,
            progress, cancellationToken, clock);
        return new FitResult<GaussianMixtureModel>(GaussianMixtureFraming.FromFrame(inFrame.Model, frame), GaussianMixtureFraming.FromFrame(inFrame.Report, frame, d));
    }

    private static FitResult<GaussianMixtureModel> FitCore(GaussianMixtureOptions o, IRowChunkSource source, IRowChunkSource? sampleWeights,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken, Stopwatch clock)
    {
        var chunks = new WeightedRowChunks(source, sampleWeights);
        (int n, WeightedMoments moments) = GaussianMixtureSourcePasses.Moments(chunks, GaussianMixtureEngine.NeedsFullDataScatter(o), cancellationToken);
        int d = moments.Dimension;
        o.Validate(n, d);
        var engine = new GaussianMixtureEngine(n, d, moments, o, row => GaussianMixtureSourcePasses.ReadRow(source, row, d, cancellationToken));
        var passes = new GaussianMixtureSourcePasses(engine, chunks, o.MaxDegreeOfParallelism, cancellationToken);
        var run = new GaussianBatchRun(engine,
            random => GaussianMixture.Initialize(engine, o, () =>
            {
                if (o.Init == MixtureInit.First)
                {
                    engine.InitializeFirst();
                }
                else
                {
                    passes.InitializeByMethod(o.Init, random);
                }
            }),
            passes.EStep);
        (GaussianComponents best, FitReport report) = EmDriver.Run(run, o.Starts, o.Seed, o.MaxIterations, o.Tolerance, engine.Rule.ObjectiveName, progress, cancellationToken, clock);
        return new FitResult<GaussianMixtureModel>(new GaussianMixtureModel(best), report);
    }
}
