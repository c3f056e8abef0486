using LatentModels.Mixtures;
using LatentModels.Statistics;

namespace LatentModels.Variational;

/// <summary>
/// Runs a variational Gaussian-mixture fit over a whole data set in the data's <see cref="RangeFrame"/> and maps the
/// posterior back: means ×s + shift, scales (νW)⁻¹ ×s², the hyper-parameters α, β, ν unchanged (they carry no units), the
/// ELBO and its trace − W·d·ln s (W the total sample weight; the KL terms are invariant when the prior follows the data, as
/// it does: the prior's mean and covariance are mapped into the frame). Weights are counts under the prior (see
/// <see cref="RangeFrame.RelativeWeights"/>). Data and weights in the ordinary range take the core unchanged.
/// </summary>
internal static class VariationalGaussianMixtureFraming
{
    /// <summary>A fit of (data, weights, options) in some units.</summary>
    public delegate SoftClusteringFitResult<VariationalGaussianMixtureModel> Core(double[,] data, double[]? weights, VariationalGaussianMixtureOptions options);

    /// <exception cref="ArgumentException">A fitted scale is beyond the range of double in the data's units (names <c>data</c>).</exception>
    public static SoftClusteringFitResult<VariationalGaussianMixtureModel> Fit(double[,] data, double[]? weights, VariationalGaussianMixtureOptions options, Core core)
    {
        RangeFrame frame = RangeFrame.ForRows(data);
        double[]? w = RangeFrame.RelativeWeights(weights, counts: true);
        if (frame.IsIdentity && ReferenceEquals(w, weights))
        {
            return core(data, weights, options);
        }

        // Counts beyond 2^100 were divided by 2^countShift: the bound scales back with them (the KL terms are then far below rounding).
        int countShift = ReferenceEquals(w, weights) ? 0 : RangeFrame.WeightExponent(weights!) - RangeFrame.CountExponent;
        int d = data.GetLength(1);
        double[,] z = frame.IsIdentity ? data : frame.ToFrame(data);
        SoftClusteringFitResult<VariationalGaussianMixtureModel> inFrame = core(z, w, frame.IsIdentity ? options : ToFrame(options, frame, d));
        double total = 0;
        if (w is null)
        {
            total = data.GetLength(0);
        }
        else
        {
            foreach (double v in w)
            {
                total += v;
            }
        }

        (VariationalGaussianMixtureModel model, FitReport report) = FromFrame(inFrame.Model, inFrame.Report, frame, d, total, countShift);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<VariationalGaussianMixtureModel>(model, report, labels, responsibilities);
    }

    /// <summary>
    /// A posterior and report fitted in <paramref name="frame"/> with weights divided by 2^<paramref name="countShift"/>
    /// (<paramref name="total"/> their sum in row order), in the data's units (also for the out-of-core fit).
    /// </summary>
    /// <exception cref="ArgumentException">A fitted scale is beyond the range of double in the data's units (names <c>data</c>).</exception>
    internal static (VariationalGaussianMixtureModel Model, FitReport Report) FromFrame(VariationalGaussianMixtureModel inFrame, FitReport r, RangeFrame frame, int d,
        double total, int countShift)
    {
        double offset = total * d * frame.Exponent * Math.Log(2);
        double Bound(double b) => Math.ScaleB(b - offset, countShift);
        VariationalGaussianMixtureModel model = Map(inFrame, frame, x => frame.FromFrame(x, d), frame.SquaredFromFrame, Bound(inFrame.Elbo), Bound(inFrame.LowerBound));
        var trace = new double[r.ObjectiveTrace.Count];
        for (int i = 0; i < trace.Length; i++)
        {
            trace[i] = Bound(r.ObjectiveTrace[i]);
        }

        return (model, new FitReport(r.ObjectiveName, r.Iterations, r.Converged, trace, r.Elapsed));
    }

    /// <summary>The options with every quantity that has units (regularisation, prior mean and scale, warm start) in the frame's.</summary>
    internal static VariationalGaussianMixtureOptions ToFrame(VariationalGaussianMixtureOptions o, RangeFrame frame, int d)
    {
        double[]? meanPrior = null;
        if (o.MeanPrior is { } m)
        {
            meanPrior = new double[d];
            frame.ToFrame(m, meanPrior, d);
        }

        return o with
        {
            Regularization = frame.SquaredToFrame(o.Regularization),
            MeanPrior = meanPrior,
            CovariancePrior = o.CovariancePrior?.Select(frame.SquaredToFrame).ToArray(),
            InitialModel = o.InitialModel is null ? null
                : Map(o.InitialModel, frame, x => frame.ToFrame(x, x, d), frame.SquaredToFrame, o.InitialModel.Elbo, o.InitialModel.LowerBound),
        };
    }

    private delegate void PointMap(Span<double> values);

    private static VariationalGaussianMixtureModel Map(VariationalGaussianMixtureModel model, RangeFrame frame, PointMap points, Func<double, double> squared, double elbo, double lowerBound)
    {
        int k = model.Components, d = model.Dimension;
        int covarianceLength = model.CovarianceParameters.Length;
        double[] a = new double[k], b = new double[k], beta = new double[k], nu = new double[k], means = new double[k * d], covariances = new double[covarianceLength];
        model.CopyPosterior(a, b, beta, nu, means, covariances);
        points(means);
        for (int i = 0; i < covariances.Length; i++)
        {
            double c = covariances[i];
            covariances[i] = squared(c);
            if (!double.IsFinite(covariances[i]) || (c != 0 && covariances[i] == 0))
            {
                throw GaussianMixtureFraming.OutOfRange(c, frame);
            }
        }

        try
        {
            return new VariationalGaussianMixtureModel(model.CovarianceType, model.WeightPrior, a, b, beta, means, nu, covariances, elbo, lowerBound);
        }
        catch (FittingException)
        {
            throw GaussianMixtureFraming.OutOfRange(covariances[0], frame);
        }
    }
}
