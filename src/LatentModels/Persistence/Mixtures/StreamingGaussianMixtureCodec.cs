using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Mixtures.UpdateRules;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.StreamingGaussianMixture</c>: the complete state of a <see cref="StreamingGaussianMixture"/>, so that a
/// loaded estimator continues exactly as the saved one would have:
/// <code>
/// {"options": {"components", "covarianceType", "regularization", "init", "seed", "maxDegreeOfParallelism",
///              "stepExponent", "stepOffset", "initializationSize" (or null),
///              "initialModel" (null, or a Gaussian mixture's "covarianceType", "weights", "means", "covariances")},
///  "count" (points consumed = the step counter t), "dimension" (null before the first point),
///  "buffered" (points held for the initialisation, row after row),
///  "parameters" (null before initialisation; else the current mixture's "covarianceType", "weights", "means",
///                "covariances" and "shift", the reference point of the statistics' means),
///  "statistics" (null before initialisation; else per component "weights" [K], "means" [[d] × K] relative to the shift,
///                "scatters" about the means: K d × d matrices for full and tied covariances, K × d diagonals otherwise)}
/// </code>
/// Options of <see cref="GaussianMixtureOptions"/> that streaming EM does not use (iterations, tolerance, starts) are
/// not saved and come back at their defaults.
/// </summary>
internal sealed class StreamingGaussianMixtureCodec : ModelCodec<StreamingGaussianMixture>
{
    public override string FormatName => "LatentModels.StreamingGaussianMixture";

    protected override void Write(Utf8JsonWriter writer, StreamingGaussianMixture model)
    {
        StreamingGaussianMixtureOptions o = model.Options;
        GaussianMixtureOptions m = o.Mixture;
        writer.WriteStartObject("options");
        writer.WriteNumber("components", m.Components);
        writer.WriteString("covarianceType", m.Covariance.ToString());
        writer.WriteNumber("regularization", m.Regularization);
        writer.WriteString("init", m.Init.ToString());
        writer.WriteNumber("seed", m.Seed);
        writer.WriteNumber("maxDegreeOfParallelism", m.MaxDegreeOfParallelism);
        writer.WriteNumber("stepExponent", o.StepExponent);
        writer.WriteNumber("stepOffset", o.StepOffset);
        StreamStateFields.WriteInitializationSize(writer, o.InitializationSize);

        if (m.InitialModel is { } initial)
        {
            writer.WriteStartObject("initialModel");
            GaussianMixtureCodec.WriteParameters(writer, initial.Parameters);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("initialModel");
        }

        writer.WriteEndObject();

        StreamStateFields.Write(writer, model.Count, model.Dimension, model.BufferedValues);
        if (model.Parameters is not { } p || model.Statistics is not { } s)
        {
            writer.WriteNull("parameters");
            writer.WriteNull("statistics");
            return;
        }

        writer.WriteStartObject("parameters");
        GaussianMixtureCodec.WriteParameters(writer, p);
        JsonFields.WriteVector(writer, "shift", p.Shift);
        writer.WriteEndObject();

        writer.WriteStartObject("statistics");
        MixtureStatisticsFields.Write(writer, s);
        writer.WriteEndObject();
    }

    protected override StreamingGaussianMixture ReadModel(JsonElement root)
    {
        StreamingGaussianMixtureOptions options = JsonFields.Nested(root, "options", o => new StreamingGaussianMixtureOptions
        {
            Mixture = new GaussianMixtureOptions
            {
                Components = JsonFields.Int(o, "components"),
                Covariance = JsonFields.Enum<CovarianceType>(o, "covarianceType"),
                Regularization = JsonFields.Double(o, "regularization"),
                Init = JsonFields.Enum<MixtureInit>(o, "init"),
                Seed = JsonFields.Int(o, "seed"),
                MaxDegreeOfParallelism = JsonFields.Int(o, "maxDegreeOfParallelism"),
                InitialModel = JsonFields.IsNull(o, "initialModel")
                    ? null
                    : JsonFields.Nested(o, "initialModel", i => GaussianMixtureCodec.Build(GaussianMixtureCodec.ReadParameters(i))),
            },
            StepExponent = JsonFields.Double(o, "stepExponent"),
            StepOffset = JsonFields.Double(o, "stepOffset"),
            InitializationSize = StreamStateFields.ReadInitializationSize(o),
        });
        var estimator = new StreamingGaussianMixture(options); // validates the options
        int k = options.Mixture.Components;
        CovarianceType type = options.Mixture.Covariance;

        (long count, int d, double[] buffered) = StreamStateFields.Read(root);
        bool initialised = !JsonFields.IsNull(root, "parameters");
        GaussianComponents? parameters = null;
        MixtureStatistics? statistics = null;
        if (initialised)
        {
            StreamStateFields.CheckDimensionKnown(d, "parameters");

            parameters = JsonFields.Nested(root, "parameters", p =>
            {
                GaussianComponents read = GaussianMixtureCodec.ReadParameters(p);
                if (read.K != k || read.D != d || read.Type != type)
                {
                    throw new ModelFormatException($"The fields 'weights' and 'means' describe {read.K} {read.Type} components of dimension {read.D}; the options and 'dimension' ask for {k} {type} components of dimension {d}.");
                }

                JsonFields.Vector(p, "shift", d).CopyTo(read.Shift, 0);
                if (!read.TryUpdate(new double[read.UpdateScratchLength], out int failed))
                {
                    throw new ModelFormatException(failed < 0 ? "The field 'covariances' is not positive definite." : $"The field 'covariances[{failed}]' is not positive definite.");
                }

                return read;
            });
            statistics = JsonFields.Nested(root, "statistics", s => ReadStatistics(s, parameters, options.Mixture.Regularization));
            StreamStateFields.CheckBufferEmpty(buffered, "parameters");

            if (options.Mixture.InitialModel is { } initial && initial.Dimension != d)
            {
                throw new ModelFormatException($"The field 'dimension' is {d} but the initial model has dimension {initial.Dimension}.");
            }
        }
        else
        {
            if (options.Mixture.InitialModel is not null)
            {
                throw new ModelFormatException("The field 'parameters' is null, but an estimator with an initial model always has parameters.");
            }

            if (!JsonFields.IsNull(root, "statistics"))
            {
                throw new ModelFormatException("The field 'statistics' must be null while 'parameters' is null.");
            }

            StreamStateFields.CheckBuffering(count, d, buffered, estimator.InitializationSize, "parameters");
        }

        estimator.Restore(count, d, buffered, parameters, statistics);
        return estimator;
    }

    /// <summary>Reads the statistics and checks that an M-step from them gives positive definite covariances.</summary>
    private static MixtureStatistics ReadStatistics(JsonElement s, GaussianComponents parameters, double regularization)
    {
        int k = parameters.K, d = parameters.D;
        bool full = parameters.Form.FullScatter;
        MixtureStatistics statistics = MixtureStatisticsFields.Read(s, k, d, full);

        // The next M-step must succeed: try it on copies.
        GaussianComponents probe = parameters.Clone();
        var copy = new MixtureStatistics(k, d, full);
        statistics.CopyTo(copy);
        JsonFields.Reserve(JsonFields.Product(d, d), "scatters", presentInFile: false); // the M-step's d × d work
        var scratch = new double[Math.Max(probe.UpdateScratchLength, d * d)];
        StreamingGaussianMixture.FloorStarvedComponents(probe, copy, regularization, scratch);
        new MaximumLikelihoodUpdate(regularization).Apply(probe, copy);
        if (!probe.TryUpdate(scratch, out int failed))
        {
            throw new ModelFormatException(failed < 0
                ? "The field 'scatters' gives a tied covariance that is not positive definite."
                : $"The field 'scatters[{failed}]' gives a covariance that is not positive definite.");
        }

        return statistics;
    }
}
