using System.Globalization;
using System.Text.Json;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Persistence.Clustering;
using LatentModels.Persistence.Mixtures;
using LatentModels.Variational;

namespace LatentModels.Persistence.Variational;

/// <summary>
/// <c>LatentModels.StreamingVariationalGaussianMixture</c> (version 1): the complete state of a
/// <see cref="StreamingVariationalGaussianMixture"/>, so a loaded stream continues bit for bit as the saved one would have:
/// <code>
/// {"options": {"components", "covarianceType", "weightPrior", "weightConcentration", "meanPrecision", "meanPrior",
///              "degreesOfFreedom", "covariancePrior", "regularization", "init", "seed", "maxDegreeOfParallelism",
///              "batchSize", "stepDelay", "forgettingRate", "dataSize", "epochs",
///              "initialModel" (null, or the fields of a LatentModels.VariationalGaussianMixture)}
///              (unset hyper-parameters are null),
///  "count" (points consumed), "steps" (updates taken, t), "dimension" (null before the first mini-batch),
///  "random" (the shuffling generator, as the online K-Means state's),
///  "prior" (null before the first mini-batch; else the resolved prior: "concentration", "meanPrecision",
///           "centeredMean" (m₀ relative to "reference"), "degreesOfFreedom", "covariance" (W₀⁻¹ in the shape's layout)),
///  "reference" (null, or the reference point of the statistics' means),
///  "statistics" (null, or the effective statistics: "weights", "means", "scatters" as the streaming EM state's)}
/// </code>
/// The posterior is not stored: it is recomputed from the prior and the statistics by the same update rule.
/// </summary>
internal sealed class StreamingVariationalGaussianMixtureCodec : ModelCodec<StreamingVariationalGaussianMixture>
{
    private static readonly VariationalGaussianMixtureCodec _models = new();

    public override string FormatName => "LatentModels.StreamingVariationalGaussianMixture";

    protected override void Write(Utf8JsonWriter writer, StreamingVariationalGaussianMixture model)
    {
        StochasticVariationalGaussianMixtureOptions o = model.Options;
        VariationalGaussianMixtureOptions m = o.Mixture;
        writer.WriteStartObject("options");
        writer.WriteNumber("components", m.Components);
        writer.WriteString("covarianceType", m.Covariance.ToString());
        writer.WriteString("weightPrior", m.WeightPrior.ToString());
        JsonFields.WriteDoubleOrNull(writer, "weightConcentration", m.WeightConcentration ?? double.NaN);
        writer.WriteNumber("meanPrecision", m.MeanPrecision);
        WriteVectorOrNull(writer, "meanPrior", m.MeanPrior);
        JsonFields.WriteDoubleOrNull(writer, "degreesOfFreedom", m.DegreesOfFreedom ?? double.NaN);
        WriteVectorOrNull(writer, "covariancePrior", m.CovariancePrior);
        writer.WriteNumber("regularization", m.Regularization);
        writer.WriteString("init", m.Init.ToString());
        writer.WriteNumber("seed", m.Seed);
        writer.WriteNumber("maxDegreeOfParallelism", m.MaxDegreeOfParallelism);
        writer.WriteNumber("batchSize", o.BatchSize);
        writer.WriteNumber("stepDelay", o.StepDelay);
        writer.WriteNumber("forgettingRate", o.ForgettingRate);
        writer.WriteNumber("dataSize", o.DataSize!.Value);
        writer.WriteNumber("epochs", o.Epochs);
        if (m.InitialModel is { } initial)
        {
            writer.WriteStartObject("initialModel");
            _models.Write(writer, initial);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("initialModel");
        }

        writer.WriteEndObject();

        writer.WriteNumber("count", model.Count);
        writer.WriteNumber("steps", model.Steps);
        if (model.Dimension < 0)
        {
            writer.WriteNull("dimension");
        }
        else
        {
            writer.WriteNumber("dimension", model.Dimension);
        }

        OnlineKMeansCodec.WriteRandom(writer, model.Random);
        if (model.Rule is not { } rule || model.Statistics is not { } s)
        {
            writer.WriteNull("prior");
            writer.WriteNull("reference");
            writer.WriteNull("statistics");
            return;
        }

        writer.WriteStartObject("prior");
        writer.WriteNumber("concentration", rule.Concentration);
        writer.WriteNumber("meanPrecision", rule.MeanPrecisionPrior);
        JsonFields.WriteVector(writer, "centeredMean", rule.CenteredMeanPrior);
        writer.WriteNumber("degreesOfFreedom", rule.DegreesOfFreedomPrior);
        JsonFields.WriteVector(writer, "covariance", rule.CovariancePrior);
        writer.WriteEndObject();
        JsonFields.WriteVector(writer, "reference", model.Reference!);
        writer.WriteStartObject("statistics");
        MixtureStatisticsFields.Write(writer, s);
        writer.WriteEndObject();
    }

    protected override StreamingVariationalGaussianMixture ReadModel(JsonElement root)
    {
        StochasticVariationalGaussianMixtureOptions options = JsonFields.Nested(root, "options", o => new StochasticVariationalGaussianMixtureOptions
        {
            Mixture = new VariationalGaussianMixtureOptions
            {
                Components = JsonFields.Int(o, "components"),
                Covariance = JsonFields.Enum<CovarianceType>(o, "covarianceType"),
                WeightPrior = JsonFields.Enum<WeightPrior>(o, "weightPrior"),
                WeightConcentration = NullableDouble(o, "weightConcentration"),
                MeanPrecision = JsonFields.Double(o, "meanPrecision"),
                MeanPrior = JsonFields.IsNull(o, "meanPrior") ? null : JsonFields.Vector(o, "meanPrior"),
                DegreesOfFreedom = NullableDouble(o, "degreesOfFreedom"),
                CovariancePrior = JsonFields.IsNull(o, "covariancePrior") ? null : JsonFields.Vector(o, "covariancePrior"),
                Regularization = JsonFields.Double(o, "regularization"),
                Init = JsonFields.Enum<MixtureInit>(o, "init"),
                Seed = JsonFields.Int(o, "seed"),
                MaxDegreeOfParallelism = JsonFields.Int(o, "maxDegreeOfParallelism"),
                InitialModel = JsonFields.IsNull(o, "initialModel")
                    ? null
                    : JsonFields.Nested(o, "initialModel", i => (VariationalGaussianMixtureModel)_models.Read(i, _models.Version)),
            },
            BatchSize = JsonFields.Int(o, "batchSize"),
            StepDelay = JsonFields.Double(o, "stepDelay"),
            ForgettingRate = JsonFields.Double(o, "forgettingRate"),
            DataSize = JsonFields.Long(o, "dataSize"),
            Epochs = JsonFields.Int(o, "epochs"),
        });
        var stream = new StreamingVariationalGaussianMixture(options); // validates the options
        VariationalGaussianMixtureOptions m = options.Mixture;
        int k = m.Components;
        long count = StreamStateFields.NonNegative(JsonFields.Long(root, "count"), "count");
        long steps = StreamStateFields.NonNegative(JsonFields.Long(root, "steps"), "steps");
        int d = JsonFields.IsNull(root, "dimension") ? -1 : JsonFields.Dimension(JsonFields.Positive(JsonFields.Int(root, "dimension"), "dimension"), "dimension");
        ulong[] random = OnlineKMeansCodec.ReadRandom(root);
        CheckOptions(m, d);
        if (JsonFields.IsNull(root, "prior"))
        {
            if (count != 0 || steps != 0 || d >= 0 || !JsonFields.IsNull(root, "reference") || !JsonFields.IsNull(root, "statistics"))
            {
                throw new ModelFormatException("The field 'prior' is null (no mini-batch has arrived), so 'count' and 'steps' must be 0 and 'dimension', 'reference' and 'statistics' null.");
            }

            stream.Restore(0, 0, -1, random, null, null, null);
            return stream;
        }

        StreamStateFields.CheckDimensionKnown(d, "prior");
        if (steps < 1 || count < steps)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The fields 'steps' ({steps}) and 'count' ({count}) must satisfy 1 ≤ steps ≤ count once the prior exists."));
        }

        if (m.InitialModel is { } initial && initial.Dimension != d)
        {
            throw new ModelFormatException($"The field 'dimension' is {d} but the initial model has dimension {initial.Dimension}.");
        }

        VariationalShape shape = VariationalShape.For(m.Covariance);

        // The posterior and the statistics hold K·d² values for full covariances (K from the options, d declared): they
        // must be in the file before the rule allocates them.
        JsonFields.Reserve(MixtureStatisticsFields.StatisticsValues(k, d, CovarianceForm.For(m.Covariance).FullScatter), "statistics");
        VariationalGaussianUpdate rule = JsonFields.Nested(root, "prior", p =>
        {
            double concentration = JsonFields.Double(p, "concentration"), beta = JsonFields.Double(p, "meanPrecision"), nu = JsonFields.Double(p, "degreesOfFreedom");
            if (!(concentration > 0) || !(beta > 0))
            {
                throw new ModelFormatException("The fields 'concentration' and 'meanPrecision' must be positive.");
            }

            if (!(nu > d - 1))
            {
                throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field 'degreesOfFreedom' is {nu}; it must be greater than d − 1 = {d - 1}."));
            }

            double[] mean = JsonFields.Vector(p, "centeredMean", d);
            double[] covariance = JsonFields.Vector(p, "covariance", shape.PriorLength(d));
            if (double.IsNaN(shape.LogDetW0(covariance, d)))
            {
                throw new ModelFormatException("The field 'covariance' is not (symmetric) positive definite.");
            }

            return new VariationalGaussianUpdate(shape, k, d, m.WeightPrior, concentration, beta, mean, nu, covariance, m.Regularization);
        });
        double[] reference = JsonFields.Vector(root, "reference", d);
        MixtureStatistics statistics = JsonFields.Nested(root, "statistics", s => MixtureStatisticsFields.Read(s, k, d, CovarianceForm.For(m.Covariance).FullScatter));
        stream.Restore(count, steps, d, random, rule, reference, statistics);
        return stream;
    }

    /// <summary>
    /// Checks the mixture options as the first mini-batch would (the stream checks them only then): for the state's
    /// dimension, or before any data for the dimension the mean or covariance prior (or the initial model) implies.
    /// </summary>
    private static void CheckOptions(VariationalGaussianMixtureOptions m, int d)
    {
        // Values the options' checks let through but the updates cannot use: pseudo-counts beyond 2^110, a
        // regularisation whose square overflows, an empty mean prior.
        JsonFields.PseudoCount(m.MeanPrecision, "meanPrecision");
        if (m.WeightConcentration is double a)
        {
            JsonFields.PseudoCount(a, "weightConcentration");
        }

        if (m.DegreesOfFreedom is double nu)
        {
            JsonFields.PseudoCount(nu, "degreesOfFreedom");
        }

        JsonFields.SquaresFinite([m.Regularization], 64, "regularization");
        if (m.MeanPrior is { Length: 0 })
        {
            throw new ModelFormatException("The field 'meanPrior' is empty; it must hold one value per column.");
        }

        if (d < 0)
        {
            d = m.MeanPrior?.Length ?? m.InitialModel?.Dimension ?? 1;
            if (m.MeanPrior is null && m.InitialModel is null && m.CovariancePrior is { Length: int length } && length > 1)
            {
                // The dimension whose prior has this many values (d for diagonal, d² for full and tied).
                int root = (int)Math.Round(Math.Sqrt(length));
                d = VariationalShape.For(m.Covariance).PriorLength(root) == length ? root : length;
            }
        }

        try
        {
            m.Validate(int.MaxValue, d);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"The field 'options' is invalid for dimension {d}: {e.Message}", e);
        }
    }

    private static double? NullableDouble(JsonElement o, string name) => JsonFields.IsNull(o, name) ? null : JsonFields.Double(o, name);

    private static void WriteVectorOrNull(Utf8JsonWriter writer, string name, double[]? values)
    {
        if (values is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            JsonFields.WriteVector(writer, name, values);
        }
    }
}
