namespace LatentModels.Mixtures;

/// <summary>Checks shared by the mixture families.</summary>
internal static class MixtureFamilies
{
    /// <summary>Throws unless there is at least one component, none is null, and all have the same dimension.</summary>
    public static void CheckSameDimension<T>(IReadOnlyList<T> components, Func<T, int> dimension, string paramName) where T : class
    {
        ArgumentNullException.ThrowIfNull(components, paramName);
        if (components.Count == 0)
        {
            throw new ArgumentException("There are no components.", paramName);
        }

        for (int c = 0; c < components.Count; c++)
        {
            if (components[c] is null)
            {
                throw new ArgumentException($"Component {c} is null.", paramName);
            }

            if (dimension(components[c]) != dimension(components[0]))
            {
                throw new ArgumentException($"Component {c} has dimension {dimension(components[c])} but component 0 has {dimension(components[0])}.", paramName);
            }
        }
    }

    /// <summary>Throws the fitting exception for a component with no weight when there is no pseudo-count to estimate it from.</summary>
    public static void CheckWeight(double weight, double pseudoCount, int component)
    {
        if (!(weight > 0) && pseudoCount == 0)
        {
            throw new FittingException(
                $"Component {component} has lost all its weight (no row is assigned to it), so its maximum-likelihood estimate is undefined. Use a positive PseudoCount, fewer components or another seed.",
                component);
        }
    }
}
