using LatentModels.Distributions;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// Mixture components of any distribution that can be fitted by weighted maximum likelihood
/// (<see cref="IMaximumLikelihood{TSelf}"/>): the E-step calls each component's <see cref="IDensityModel.LogDensity(double[,], Span{double})"/>
/// and the M-step calls <c>TComponent.Fit(data, responsibilities of k)</c>. It supports no pseudo-counts (set
/// <see cref="MixtureOptions.PseudoCount"/> to 0). The dedicated families (<see cref="IndependentBernoulliFamily"/>,
/// <see cref="IndependentCategoricalFamily"/>) are faster and support smoothing.
/// </summary>
/// <typeparam name="TComponent">The component distribution.</typeparam>
public sealed class MaximumLikelihoodFamily<TComponent> : IMixtureFamily<TComponent>
    where TComponent : class, IDensityModel, ISampler, IMaximumLikelihood<TComponent>
{
    private readonly Func<TComponent, int>? _freeParameters;

    /// <summary>
    /// Creates the family; a component's number of free parameters (for BIC and AIC) is its own
    /// <see cref="IMaximumLikelihood{TSelf}.ParameterCount"/>. A mixture of this family saves and loads through
    /// <see cref="Persistence.ModelJson"/> when its components do.
    /// </summary>
    public MaximumLikelihoodFamily()
    {
    }

    /// <summary>Creates the family with another count of free parameters (a mixture of it cannot be saved: the function cannot).</summary>
    /// <param name="freeParameters">The number of free parameters of a component (for BIC and AIC).</param>
    public MaximumLikelihoodFamily(Func<TComponent, int> freeParameters)
    {
        ArgumentNullException.ThrowIfNull(freeParameters);
        _freeParameters = freeParameters;
    }

    /// <summary>Whether the family was created with its own count of free parameters (then it cannot be saved).</summary>
    internal bool HasCustomParameterCount => _freeParameters is not null;

    /// <inheritdoc />
    public string Name => typeof(TComponent).Name;

    /// <inheritdoc />
    public bool SupportsPseudoCounts => false;

    /// <inheritdoc />
    /// <remarks>Only shape and finiteness are checked here; the component's own methods check its sample space.</remarks>
    public void CheckData(double[,] data, string paramName) => DataValidation.CheckMatrix(data, paramName);

    /// <inheritdoc />
    public void CheckComponents(IReadOnlyList<TComponent> components, string paramName) =>
        MixtureFamilies.CheckSameDimension(components, c => c.Dimension, paramName);

    /// <inheritdoc />
    public int Dimension(TComponent component) => component.Dimension;

    /// <inheritdoc />
    public int FreeParameters(TComponent component) => _freeParameters is null ? component.ParameterCount : _freeParameters(component);

    /// <inheritdoc />
    public void LogDensities(IReadOnlyList<TComponent> components, double[,] data, double[] destination, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), k = components.Count;
        ParallelBlocks.For(k, 1, maxDegreeOfParallelism, (c, _, _) =>
        {
            var column = new double[n];
            components[c].LogDensity(data, column);
            for (int i = 0; i < n; i++)
            {
                destination[i * k + c] = column[i];
            }
        });
    }

    /// <inheritdoc />
    public TComponent[] Estimate(double[,] data, double[] responsibilities, double[] componentWeights, double pseudoCount, int maxDegreeOfParallelism)
    {
        if (pseudoCount != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pseudoCount), pseudoCount, $"The {Name} family fits by maximum likelihood only; set PseudoCount to 0.");
        }

        int n = data.GetLength(0), k = componentWeights.Length;
        for (int c = 0; c < k; c++)
        {
            MixtureFamilies.CheckWeight(componentWeights[c], 0, c);
        }

        var result = new TComponent[k];
        ParallelBlocks.For(k, 1, maxDegreeOfParallelism, (c, _, _) =>
        {
            var weights = new double[n];
            for (int i = 0; i < n; i++)
            {
                weights[i] = responsibilities[i * k + c];
            }

            result[c] = TComponent.Fit(data, weights);
        });
        return result;
    }

    /// <inheritdoc />
    public double LogPrior(TComponent component, double pseudoCount) => 0;

    /// <inheritdoc />
    public void Sample(TComponent component, Random random, Span<double> destination)
    {
        double[,] one = component.Sample(1, random);
        one.AsSpan().CopyTo(destination);
    }
}
