using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Runs a Gaussian-mixture fit over a whole data set in the data's <see cref="RangeFrame"/>, with sample weights divided
/// by a power of two, and maps the fitted mixture back: means ×s + shift, covariances ×s², log-densities − d·ln s (the
/// objective trace of maximum likelihood exactly; under a MAP prior the prior's term stays that of the frame's units).
/// Data and weights in the ordinary range take the core unchanged: the same path and the same bits. Weights are relative
/// (see <see cref="RangeFrame.RelativeWeights"/>).
/// </summary>
internal static class GaussianMixtureFraming
{
    /// <summary>A fit of (data, weights, options) in some units.</summary>
    public delegate SoftClusteringFitResult<GaussianMixtureModel> Core(double[,] data, double[]? weights, GaussianMixtureOptions options);

    /// <summary>
    /// Fits through <paramref name="core"/>; the caller's weights are not modified. Off the ordinary path, labels and
    /// responsibilities are those of the returned model on the original data.
    /// </summary>
    /// <exception cref="ArgumentException">A fitted covariance is beyond the range of double in the data's units (names <c>data</c>).</exception>
    public static SoftClusteringFitResult<GaussianMixtureModel> Fit(double[,] data, double[]? weights, GaussianMixtureOptions options, Core core)
    {
        RangeFrame frame = RangeFrame.ForRows(data);
        double[]? w = RangeFrame.RelativeWeights(weights, options.Prior is not null);
        if (frame.IsIdentity && ReferenceEquals(w, weights))
        {
            return core(data, weights, options);
        }

        if (frame.IsIdentity)
        {
            return core(data, w, options); // weights only: the same units, nothing to map back
        }

        int d = data.GetLength(1);
        SoftClusteringFitResult<GaussianMixtureModel> inFrame = core(frame.ToFrame(data), w, ToFrame(options, frame, d));
        GaussianMixtureModel model = FromFrame(inFrame.Model, frame);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<GaussianMixtureModel>(model, FromFrame(inFrame.Report, frame, d), labels, responsibilities);
    }

    /// <summary>A report of a fit in <paramref name="frame"/> in the data's units: the objective trace − d·ln s.</summary>
    internal static FitReport FromFrame(FitReport r, RangeFrame frame, int d)
    {
        double offset = d * frame.Exponent * Math.Log(2);
        var trace = new double[r.ObjectiveTrace.Count];
        for (int i = 0; i < trace.Length; i++)
        {
            trace[i] = r.ObjectiveTrace[i] - offset;
        }

        return new FitReport(r.ObjectiveName, r.Iterations, r.Converged, trace, r.Elapsed);
    }

    /// <summary>The options with every quantity that has units (regularisation, prior mean and scale, starts) in the frame's.</summary>
    internal static GaussianMixtureOptions ToFrame(GaussianMixtureOptions o, RangeFrame frame, int d)
    {
        GaussianMixturePrior? prior = o.Prior;
        if (prior is not null)
        {
            prior = prior with
            {
                Mean = prior.Mean is null ? null : Points(prior.Mean, frame, d),
                Scale = prior.Scale is null ? null : Squared(prior.Scale, frame),
            };
        }

        return o with
        {
            Regularization = frame.SquaredToFrame(o.Regularization),
            Prior = prior,
            InitialMeans = o.InitialMeans is null ? null : frame.ToFrame(o.InitialMeans),
            InitialPrecisions = o.InitialPrecisions is null ? null : Scaled(o.InitialPrecisions, 2 * frame.Exponent),
            InitialModel = o.InitialModel is null ? null : ToFrame(o.InitialModel, frame),
        };
    }

    /// <summary>A mixture in the frame's units.</summary>
    internal static GaussianMixtureModel ToFrame(GaussianMixtureModel model, RangeFrame frame)
    {
        GaussianComponents p = model.Parameters;
        var q = new GaussianComponents(p.Type, p.K, p.D);
        p.Weights.CopyTo(q.Weights, 0);
        frame.ToFrame(p.Means, q.Means, p.D);
        for (int i = 0; i < p.Covariance.Length; i++)
        {
            q.Covariance[i] = frame.SquaredToFrame(p.Covariance[i]);
        }

        return new GaussianMixtureModel(q);
    }

    /// <summary>A mixture fitted in the frame, in the data's units.</summary>
    /// <exception cref="ArgumentException">A covariance overflows (or underflows) double in the data's units (names <c>data</c>).</exception>
    internal static GaussianMixtureModel FromFrame(GaussianMixtureModel model, RangeFrame frame)
    {
        GaussianComponents p = model.Parameters;
        var q = new GaussianComponents(p.Type, p.K, p.D);
        p.Weights.CopyTo(q.Weights, 0);
        p.Means.CopyTo(q.Means, 0);
        frame.FromFrame(q.Means, p.D);
        for (int i = 0; i < p.Covariance.Length; i++)
        {
            q.Covariance[i] = frame.SquaredFromFrame(p.Covariance[i]);
            if (!double.IsFinite(q.Covariance[i]) || (p.Covariance[i] != 0 && q.Covariance[i] == 0))
            {
                throw OutOfRange(p.Covariance[i], frame);
            }
        }

        try
        {
            return new GaussianMixtureModel(q);
        }
        catch (FittingException)
        {
            throw OutOfRange(p.Covariance[0], frame);
        }
    }

    internal static ArgumentException OutOfRange(double value, RangeFrame frame) =>
        new($"The fitted covariances are of the order of {value:G3} × 2^{2 * frame.Exponent} in the data's units, beyond the range of double " +
            $"(about 1e±308): the mixture cannot be represented. Rescale the data (e.g. divide by 2^{frame.Exponent}) and fit again.", "data");

    private static double[] Points(double[] point, RangeFrame frame, int d)
    {
        var result = new double[d];
        frame.ToFrame(point, result, d);
        return result;
    }

    private static double[,] Squared(double[,] matrix, RangeFrame frame)
    {
        var result = (double[,])matrix.Clone();
        Span<double> s = result.AsWritableSpan();
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = frame.SquaredToFrame(s[i]);
        }

        return result;
    }

    private static double[] Scaled(double[] values, int exponent)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = Math.ScaleB(values[i], exponent);
        }

        return result;
    }
}
