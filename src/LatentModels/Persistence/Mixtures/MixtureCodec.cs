using System.Globalization;
using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// <c>LatentModels.Mixture&lt;Component&gt;</c>, a <see cref="MixtureModel{TComponent}"/> of any component type with a codec
/// (e.g. <c>LatentModels.Mixture&lt;MultivariateGaussian&gt;</c>), saved with its family:
/// <c>{"family": "MaximumLikelihood", "component": the component's format, "componentVersion": n, "weights": [K],
/// "components": [K objects, each with the fields of the component's own format]}</c>. Weights are stored and restored
/// exactly. The Bernoulli and categorical mixtures keep their own formats (<see cref="BernoulliMixtureCodec"/>,
/// <see cref="CategoricalMixtureCodec"/>).
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
internal sealed class MixtureCodec<TComponent> : ModelCodec<MixtureModel<TComponent>>
    where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent>
{
    private readonly ModelCodec<TComponent> _component;

    /// <summary>Creates the codec of mixtures of the components <paramref name="component"/> reads and writes.</summary>
    public MixtureCodec(ModelCodec<TComponent> component)
    {
        _component = component;
        FormatName = $"LatentModels.Mixture<{typeof(TComponent).Name}>";
    }

    public override string FormatName { get; }

    protected override void CheckSavable(MixtureModel<TComponent> model) => MixtureFamilyField.CheckSavable(model.Family);

    protected override void Write(Utf8JsonWriter writer, MixtureModel<TComponent> model)
    {
        MixtureFamilyField.Write(writer, model.Family);
        writer.WriteString("component", _component.FormatName);
        writer.WriteNumber("componentVersion", _component.Version);
        JsonFields.WriteVector(writer, "weights", model.Weights);
        writer.WriteStartArray("components");
        foreach (TComponent component in model.Distributions)
        {
            writer.WriteStartObject();
            _component.Write(writer, component);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    protected override MixtureModel<TComponent> ReadModel(JsonElement root)
    {
        IMixtureFamily<TComponent> family = MixtureFamilyField.Read<TComponent>(root, null, null);
        string component = JsonFields.String(root, "component");
        if (component != _component.FormatName)
        {
            throw new ModelFormatException($"The field 'component' is '{component}'; a {FormatName} holds '{_component.FormatName}' components.");
        }

        int componentVersion = JsonFields.Int(root, "componentVersion");
        if (componentVersion < 1 || componentVersion > _component.Version)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The field 'componentVersion' is {componentVersion}; this library reads {_component.FormatName} versions 1 to {_component.Version}."));
        }

        double[] weights = DiscreteFields.ReadWeights(root);
        JsonElement array = JsonFields.Property(root, "components");
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != weights.Length)
        {
            throw new ModelFormatException($"The field 'components' must be an array of {weights.Length} objects, one per weight.");
        }

        var components = new TComponent[weights.Length];
        int k = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string name = $"components[{k}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFormatException($"The field '{name}' must be an object.");
            }

            try
            {
                components[k] = (TComponent)_component.Read(item, componentVersion);
            }
            catch (ModelFormatException e)
            {
                throw new ModelFormatException($"{e.Message.TrimEnd('.')} (in '{name}').", e);
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException($"The field '{name}' is invalid: {e.Message}", e);
            }

            k++;
        }

        return new MixtureModel<TComponent>(family, weights, components);
    }
}
