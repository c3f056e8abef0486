using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Persistence.Mixtures;

/// <summary>
/// The <c>"family"</c> field of the mixture formats: <c>"MaximumLikelihood"</c> (a <see cref="MaximumLikelihoodFamily{TComponent}"/>
/// with the components' own parameter counts), <c>"IndependentBernoulli"</c> or <c>"IndependentCategorical"</c> (the
/// dedicated discrete families). Families the library cannot rebuild (custom <see cref="IMixtureFamily{TComponent}"/>
/// implementations, a maximum-likelihood family with its own parameter-count function) cannot be saved.
/// </summary>
internal static class MixtureFamilyField
{
    public const string MaximumLikelihood = "MaximumLikelihood";
    public const string IndependentBernoulli = "IndependentBernoulli";
    public const string IndependentCategorical = "IndependentCategorical";

    /// <summary>The name written for a family, or null when it cannot be saved.</summary>
    public static string? NameOf<TComponent>(IMixtureFamily<TComponent> family)
        where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent> => family switch
        {
            MaximumLikelihoodFamily<TComponent> ml => ml.HasCustomParameterCount ? null : MaximumLikelihood,
            IndependentBernoulliFamily => IndependentBernoulli,
            IndependentCategoricalFamily => IndependentCategorical,
            _ => null,
        };

    /// <summary>Throws <see cref="ArgumentException"/> (parameter <c>model</c>) unless the family can be saved.</summary>
    public static void CheckSavable<TComponent>(IMixtureFamily<TComponent> family)
        where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent>
    {
        if (NameOf(family) is null)
        {
            throw new ArgumentException(
                $"The mixture's family ({family.GetType().Name}) cannot be saved: only the library's families can, and a MaximumLikelihoodFamily only without its own parameter-count function.",
                "model");
        }
    }

    public static void Write<TComponent>(Utf8JsonWriter writer, IMixtureFamily<TComponent> family)
        where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent> =>
        writer.WriteString("family", NameOf(family) ?? throw new InvalidOperationException("The family was checked before writing."));

    /// <summary>
    /// Reads the family: <c>"MaximumLikelihood"</c>, or the component type's dedicated family named
    /// <paramref name="nativeName"/> (built by <paramref name="native"/>).
    /// </summary>
    public static IMixtureFamily<TComponent> Read<TComponent>(JsonElement root, string? nativeName, Func<IMixtureFamily<TComponent>>? native)
        where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent>
    {
        string name = JsonFields.String(root, "family");
        if (name == MaximumLikelihood)
        {
            return new MaximumLikelihoodFamily<TComponent>();
        }

        if (nativeName is not null && name == nativeName)
        {
            return native!();
        }

        string allowed = nativeName is null ? $"'{MaximumLikelihood}'" : $"'{nativeName}' or '{MaximumLikelihood}'";
        throw new ModelFormatException($"The field 'family' is '{name}'; a mixture of {typeof(TComponent).Name} components has the family {allowed}.");
    }
}
