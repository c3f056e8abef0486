using System.Linq.Expressions;
using System.Reflection;
using LatentModels.Clustering;
using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// Issue 14, class 6: every <see cref="ArgumentException"/> names a parameter of the method the caller called (or a
/// property of an options object it passed). Generated over the library by reflection — every public estimator's
/// <c>Fit</c> with a non-finite value, every public method of the models they return with rows of the wrong width — and a
/// table of bad-argument cases per public type, all through the shared <see cref="ParameterNames"/> assertion.
/// </summary>
public class ParameterNameTests
{
    private static readonly Assembly _library = typeof(KMeansModel).Assembly;

    /// <summary>40 rows of 0/1 values in 3 columns (valid for every estimator: binary for the discrete ones and the VAE).</summary>
    private static double[,] Binary(int rows = 40, int columns = 3)
    {
        var random = new Random(3);
        var x = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                x[i, j] = random.Next(2);
            }
        }

        return x;
    }

    /// <summary>Every public estimator constructible from one options object with a parameterless constructor.</summary>
    public static TheoryData<Type> Estimators()
    {
        var data = new TheoryData<Type>();
        foreach (Type type in _library.GetExportedTypes().Where(t => t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (Constructor(type) is not null && FitMethods(type).Any())
            {
                data.Add(type);
            }
        }

        return data;
    }

    private static ConstructorInfo? Constructor(Type type) => type.GetConstructors().FirstOrDefault(c =>
        c.GetParameters() is [{ ParameterType: var p }] && p.Assembly == _library && p.GetConstructor(Type.EmptyTypes) is not null);

    private static IEnumerable<MethodInfo> FitMethods(Type type) => type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.Name == "Fit" && m.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(double[,]));

    private static object Create(Type type)
    {
        ConstructorInfo c = Constructor(type)!;
        object options = Activator.CreateInstance(c.GetParameters()[0].ParameterType)!;

        // Counts without a usable default (K-Means' Clusters, dictionary learning's Atoms) are set to 2.
        foreach (PropertyInfo count in options.GetType().GetProperties().Where(p => p.PropertyType == typeof(int) && p.CanWrite
            && p.Name is "Clusters" or "Atoms" or "Components" && (int)p.GetValue(options)! < 1))
        {
            count.SetValue(options, 2);
        }

        return c.Invoke([options]);
    }

    /// <summary>Arguments for <paramref name="method"/>: <paramref name="data"/> for every matrix, ones for weights, defaults otherwise.</summary>
    private static object?[] Arguments(MethodInfo method, double[,] data) => method.GetParameters().Select(p =>
        p.ParameterType == typeof(double[,]) ? data
        : p.ParameterType == typeof(double[]) ? Enumerable.Repeat(1.0, data.GetLength(0)).ToArray()
        : p.HasDefaultValue ? p.DefaultValue
        : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();

    private static Exception? Invoke(MethodInfo method, object target, object?[] arguments)
    {
        try
        {
            method.Invoke(target, arguments);
            return null;
        }
        catch (TargetInvocationException e)
        {
            return e.InnerException;
        }
    }

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Every_Fit_names_its_own_parameter_for_a_non_finite_value(Type estimator)
    {
        foreach (MethodInfo fit in FitMethods(estimator))
        {
            double[,] bad = Binary();
            bad[1, 2] = double.NaN;
            object?[] arguments = Arguments(fit, bad);
            Exception? e = Invoke(fit, Create(estimator), arguments);
            e.Should().BeAssignableTo<ArgumentException>($"{estimator.Name}.{fit} with a NaN");
            ParameterNames.ShouldNameAParameterOf((ArgumentException)e!, fit, arguments, estimator.Name);
            e!.Message.Should().Contain("row 1", $"{estimator.Name}.{fit} names the row");
        }
    }

    /// <summary>
    /// The models the estimators return: every public instance method whose matrix argument has the wrong width throws an
    /// <see cref="ArgumentException"/> naming one of its own parameters.
    /// </summary>
    [Theory]
    [MemberData(nameof(Estimators))]
    public void Every_model_method_names_its_own_parameter_for_rows_of_the_wrong_width(Type estimator)
    {
        MethodInfo fit = FitMethods(estimator).First(m => m.GetParameters().Count(p => !p.HasDefaultValue) == 1);
        double[,] data = Binary();
        object? result = fit.Invoke(Create(estimator), Arguments(fit, data));
        object model = result!.GetType().GetProperty("Model")!.GetValue(result)!;
        double[,] wide = Binary(5, 4);
        int checkedMethods = 0;
        foreach (MethodInfo method in model.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsGenericMethodDefinition && m.GetParameters().Any(p => p.ParameterType == typeof(double[,]))
                && m.GetParameters().All(p => p.ParameterType == typeof(double[,]) || p.HasDefaultValue || p.ParameterType == typeof(double[]))))
        {
            object?[] arguments = Arguments(method, wide);
            Exception? e = Invoke(method, model, arguments);
            e.Should().BeAssignableTo<ArgumentException>($"{model.GetType().Name}.{method} with 4 columns for a model of 3");
            ParameterNames.ShouldNameAParameterOf((ArgumentException)e!, method, arguments, model.GetType().Name);
            checkedMethods++;
        }

        checkedMethods.Should().BePositive($"{model.GetType().Name} has methods over rows");
    }

    /// <summary>Bad-argument cases per public type, beyond the generated ones.</summary>
    public static TheoryData<string, Expression<Action>> Cases()
    {
        double[,] data = RangeTestData.Blobs(60, 3, 4);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 2, Seed = 1 }).Fit(data).Model;
        GaussianMixtureStatistics lightStatistics = GaussianMixtureStatistics.Compute(model, data, RangeTestData.Weights(60, 1e-3));
        VariationalGaussianMixtureModel variational = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 2, Seed = 1 }).Fit(data).Model;
        double[,] twoColumns = new double[1, 2], threeColumns = new double[1, 3];
        return new TheoryData<string, Expression<Action>>
        {
            // Before: "sampleWeights", a parameter ToModel does not have.
            { "statistics of total weight ≤ 1 under the default prior", () => lightStatistics.ToModel(new GaussianMixtureOptions { Components = 2, Prior = GaussianMixturePrior.Default }) },
            { "statistics of total weight ≤ 1 for the variational rule", () => lightStatistics.ToVariationalModel(variational, new VariationalGaussianMixtureOptions { Components = 2 }) },
            { "Create with a zero weight", () => GaussianMixtureModel.Create(CovarianceType.Diagonal, new[] { 1.0, 0.0 }, new double[2, 2], new double[4]) },
            { "Create in dimension 50,000", () => GaussianMixtureModel.Create(CovarianceType.Full, new[] { 1.0 }, new double[1, 50_000], new double[3]) },
            { "k-means with more clusters than rows", () => new KMeans(new KMeansOptions { Clusters = 61 }).Fit(data, null, default) },
            { "EM with a full covariance in dimension 50,000", () => new GaussianMixture(new GaussianMixtureOptions { Components = 1 }).Fit(new double[3, 50_000], null, default) },
            { "a prior scale of the wrong size", () => new GaussianMixture(new GaussianMixtureOptions { Components = 2, Prior = new GaussianMixturePrior { Scale = new double[2, 2] } }).Fit(data, null, default) },
            { "a k-means model queried with a point of the wrong length", () => new KMeansModel(twoColumns).Predict(threeColumns) },
            { "a univariate fit of values beyond double's squares", () => LatentModels.Distributions.UnivariateGaussian.Fit(new[] { 1e-170, 2e-170, 3e-170 }) },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_bad_argument_names_a_parameter_of_the_called_method(string name, Expression<Action> call) =>
        ParameterNames.ShouldThrowNamingAParameterOf(call, name);
}
