using LatentModels.Statistics;

namespace LatentModels.Clustering;

/// <summary>
/// Runs a K-Means fit over a whole data set in the data's <see cref="RangeFrame"/> with sample weights divided by a power
/// of two (so any finite data and any weight scale fit as well as ordinary ones), then maps the model back. Data and
/// weights in the ordinary range take the core unchanged: the same path and the same bits.
/// </summary>
internal static class KMeansFraming
{
    /// <summary>A fit of (data, weights, explicit initial centers or null) in some units.</summary>
    public delegate ClusteringFitResult<KMeansModel> Core(double[,] data, double[]? weights, double[,]? initialCenters);

    /// <summary>
    /// Fits through <paramref name="core"/>. <paramref name="weights"/> must be the caller's own copy (it is normalised in
    /// place). Off the ordinary path the labels and the inertia are recomputed by the returned model on the original
    /// data, so they are exactly the model's (the inertia and its trace saturate at +∞ beyond the largest double).
    /// </summary>
    public static ClusteringFitResult<KMeansModel> Fit(double[,] data, double[]? weights, double[,]? initialCenters, Core core)
    {
        RangeFrame frame = RangeFrame.ForRows(data);
        int weightExponent = weights is null ? 0 : RangeFrame.WeightExponent(weights);
        if (frame.IsIdentity && weightExponent == 0)
        {
            return core(data, weights, initialCenters);
        }

        RangeFrame.NormalizeWeights(weights, weightExponent);
        double[,] z = frame.IsIdentity ? data : frame.ToFrame(data);
        double[,]? start = initialCenters is null || frame.IsIdentity ? initialCenters : frame.ToFrame(initialCenters);
        ClusteringFitResult<KMeansModel> inFrame = core(z, weights, start);
        int d = data.GetLength(1);
        double[,] centers = inFrame.Model.Centers;
        frame.FromFrame(centers.AsWritableSpan(), d);
        var probe = new KMeansModel(centers, double.NaN);
        var labels = new int[data.GetLength(0)];
        probe.Assign(data, labels, 0);
        double inertia = probe.WeightedInertiaOf(data, labels, weights, weightExponent);
        var model = new KMeansModel(centers, inertia);
        FitReport r = inFrame.Report;
        int exponent = 2 * frame.Exponent + weightExponent;
        var trace = new double[r.ObjectiveTrace.Count];
        for (int i = 0; i < trace.Length; i++)
        {
            trace[i] = Math.ScaleB(r.ObjectiveTrace[i], exponent);
        }

        return new ClusteringFitResult<KMeansModel>(model, new FitReport(r.ObjectiveName, r.Iterations, r.Converged, trace, r.Elapsed), labels);
    }
}
