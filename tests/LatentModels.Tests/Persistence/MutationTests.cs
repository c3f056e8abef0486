using System.Collections;
using System.Reflection;
using CsCheck;
using LatentModels.Persistence;
using LatentModels.Tests.Mixtures;

namespace LatentModels.Tests.Persistence;

/// <summary>
/// Class 3 of issue 14: every single-field mutation of every saved model and state type (see <see cref="Mutations"/>) is
/// rejected with <see cref="ModelFormatException"/>, or loads into an object that works for every operation of its kind
/// exactly as well as the genuine one: every public method and property the genuine object answers (with the same
/// arguments: rows of its data, counts, a seeded <see cref="Random"/>, a genuine copy for merges) the mutated one answers
/// too, without NaN where the genuine had none and with labels in range; and it saves again and loads back. The methods are
/// found by reflection, so a new codec registered in <c>ModelCodecs</c> (with its row in <see cref="RobustnessTests"/>) is
/// covered with no change here.
/// </summary>
public class MutationTests
{
    private static readonly double[,] _data = MixtureTestData.OldFaithful();

    public static TheoryData<string> Kinds => RobustnessTests.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_single_field_mutation_is_rejected_or_loads_into_a_working_object(string kind)
    {
        string json = ModelJson.Serialize(RobustnessTests.Create(kind));
        double[,] rows = Probe(kind, ModelJson.Deserialize(json));
        object genuine = ModelJson.Deserialize(json);
        Dictionary<string, Outcome> expectations = Exercise(genuine, json, rows);
        expectations.Values.Count(o => o.Error is null).Should().BeGreaterThan(0, "the genuine object answers something");

        var failures = new List<string>();
        int loaded = 0, rejected = 0;
        foreach ((string description, System.Text.Json.Nodes.JsonObject mutated) in Mutations.All(json))
        {
            if (Check(mutated.ToJsonString(), description, kind, json, genuine, expectations, rows, failures))
            {
                loaded++;
            }
            else
            {
                rejected++;
            }
        }

        (loaded + rejected).Should().BeGreaterThan(3);
        string.Join("\n", failures.Select(f => $"FAILURE {kind} {f}")).Should().BeEmpty($"{rejected} mutations of {kind} were rejected and {loaded} loaded");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Random_digit_edits_anywhere_are_rejected_or_load_into_a_working_object(string kind)
    {
        // CsCheck: up to three characters of the file's numbers replaced by digits, signs, points or exponents at once
        // (several fields at a time, and digits deep inside a number, which the single-field mutations do not reach).
        string json = ModelJson.Serialize(RobustnessTests.Create(kind));
        object genuine = ModelJson.Deserialize(json);
        double[,] rows = Probe(kind, genuine);
        Dictionary<string, Outcome> expectations = Exercise(genuine, json, rows);
        int[] positions = Enumerable.Range(0, json.Length).Where(i => char.IsAsciiDigit(json[i])
            || ("-.eE+".Contains(json[i], StringComparison.Ordinal) && ((i > 0 && char.IsAsciiDigit(json[i - 1])) || (i + 1 < json.Length && char.IsAsciiDigit(json[i + 1]))))).ToArray();
        if (positions.Length == 0)
        {
            return;
        }

        const string replacements = "0123456789-.e+";
        Gen.Select(Gen.Int[0, positions.Length - 1], Gen.Int[0, replacements.Length - 1]).Array[1, 3].SampleSeeded(edits =>
        {
            char[] text = json.ToCharArray();
            foreach ((int at, int with) in edits)
            {
                text[positions[at]] = replacements[with];
            }

            var failures = new List<string>();
            string description = string.Join(", ", edits.Select(e => $"{positions[e.Item1]}→{replacements[e.Item2]}"));
            Check(new string(text), description, kind, json, genuine, expectations, rows, failures);
            string.Join("\n", failures).Should().BeEmpty(kind);
        }, iterations: 300);
    }

    /// <summary>Loads one mutated file and checks it; returns whether it loaded (failures are added to the list).</summary>
    private static bool Check(string text, string description, string kind, string json, object genuine, Dictionary<string, Outcome> expectations, double[,] rows, List<string> failures)
    {
        object model;
        try
        {
            model = ModelJson.Deserialize(text);
        }
        catch (ModelFormatException)
        {
            return false;
        }
        catch (Exception e)
        {
            failures.Add($"{description}: load threw {e.GetType().Name}: {e.Message}");
            return true;
        }

        Dictionary<string, Outcome> outcomes;
        try
        {
            // A sampler may have a new shape (an array extended is another valid model): probe it with its own rows.
            outcomes = Exercise(model, json, model is ISampler && model.GetType() == genuine.GetType() ? OwnRows(model, rows) : rows);
        }
        catch (Exception e)
        {
            failures.Add($"{description}: {e.GetType().Name}: {e.Message}");
            return true;
        }

        foreach ((string member, Outcome expected) in expectations)
        {
            if (!outcomes.TryGetValue(member, out Outcome? actual))
            {
                continue; // another model type (a format field edited into another valid format)
            }

            if (expected.Error is null && actual.Error is not null && !DimensionFreeOption(kind, actual.Error) && !OtherShape(actual.Error))
            {
                failures.Add($"{description}: {member} threw {actual.Error}");
            }
            else if (expected.Error is null && !expected.HasNaN && actual.HasNaN)
            {
                failures.Add($"{description}: {member} gave NaN");
            }
            else if (actual.BadLabel)
            {
                failures.Add($"{description}: {member} gave a label out of range");
            }
        }

        try
        {
            ModelJson.Deserialize(ModelJson.Serialize(model));
        }
        catch (Exception e)
        {
            failures.Add($"{description}: saving and loading again threw {e.GetType().Name}: {e.Message}");
        }

        return true;
    }

    private static double[,] OwnRows(object model, double[,] fallback)
    {
        try
        {
            return ((ISampler)model).Sample(fallback.GetLength(0), new Random(5));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return fallback; // Sample is exercised (and its failure reported) with the other members
        }
    }

    /// <summary>
    /// A stream that has seen no data yet takes the data's dimension from its first batch; options that bound the
    /// dimension (degrees of freedom greater than d − 1) are then checked against those data, as for a new stream built
    /// with the same options: the one answer a dimension-free state may give to rows of another dimension.
    /// </summary>
    private static bool DimensionFreeOption(string kind, string error) =>
        kind.EndsWith("-new", StringComparison.Ordinal) && error.StartsWith("ArgumentOutOfRangeException", StringComparison.Ordinal)
        && error.Contains("(Parameter 'DegreesOfFreedom')", StringComparison.Ordinal);

    /// <summary>
    /// Edits that keep a file consistent can describe a valid object of another dimension (a buffering stream state whose
    /// "dimension" and "count" both changed): its answer to the genuine object's rows is the documented shape error.
    /// </summary>
    private static bool OtherShape(string error) =>
        error.StartsWith("ArgumentException", StringComparison.Ordinal) && error.Contains("columns but the model has dimension", StringComparison.Ordinal);

    /// <summary>Rows the genuine object accepts: its own samples when it samples, otherwise the data it was made from.</summary>
    private static double[,] Probe(string kind, object model) => model switch
    {
        ISampler sampler => sampler.Sample(12, new Random(5)),
        _ when kind.StartsWith("dictionary", StringComparison.Ordinal) => Head(DictionaryCodecTests.Rows(), 12),
        _ when kind is "online-kmeans-buffering" or "streaming-gmm-buffering" => new double[,] { { 1, 2 }, { 3, 4 }, { 2, 2 } },
        _ => Head(_data, 12),
    };

    private static double[,] Head(double[,] x, int n)
    {
        var result = new double[n, x.GetLength(1)];
        x.AsSpan()[..result.Length].CopyTo(result.AsWritableSpan());
        return result;
    }

    private sealed record Outcome(string? Error, bool HasNaN, bool BadLabel);

    /// <summary>Calls every public property and every public instance method whose arguments can be made, in a fixed order.</summary>
    private static Dictionary<string, Outcome> Exercise(object model, string genuineJson, double[,] rows)
    {
        var outcomes = new Dictionary<string, Outcome>();
        Type type = model.GetType();
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            outcomes[p.Name] = Run(() => p.GetValue(model));
        }

        IEnumerable<MethodInfo> methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.DeclaringType != typeof(object) && !m.IsSpecialName && !m.IsGenericMethodDefinition)
            .OrderBy(m => m.ToString(), StringComparer.Ordinal);
        foreach (MethodInfo m in methods)
        {
            object?[]? arguments = Arguments(m, model, genuineJson, rows);
            if (arguments is not null)
            {
                outcomes[m.ToString()!] = Run(() => m.Invoke(model, arguments));
            }
        }

        return outcomes;
    }

    private static object?[]? Arguments(MethodInfo m, object model, string genuineJson, double[,] rows)
    {
        ParameterInfo[] parameters = m.GetParameters();
        var arguments = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            Type t = parameters[i].ParameterType;
            if (t.IsByRef || t.IsByRefLike || t.IsPointer)
            {
                return null;
            }

            arguments[i] = t switch
            {
                _ when t == typeof(double[,]) => (double[,])rows.Clone(),
                _ when t == typeof(double[][]) => Enumerable.Range(0, rows.GetLength(0)).Select(r => Enumerable.Range(0, rows.GetLength(1)).Select(c => rows[r, c]).ToArray()).ToArray(),
                _ when t == typeof(double[]) && parameters[i].Name is "weights" or "sampleWeights" => Enumerable.Repeat(1.0, rows.GetLength(0)).ToArray(),
                _ when t == typeof(double[]) => Enumerable.Range(0, rows.GetLength(1)).Select(c => rows[0, c]).ToArray(),
                _ when t == typeof(int) => 3,
                _ when t == typeof(long) => 3L,
                _ when t == typeof(double) => 0.5,
                _ when t == typeof(bool) => false,
                _ when t == typeof(Random) => new Random(7),
                _ when t == typeof(CancellationToken) => CancellationToken.None,
                _ when t == model.GetType() => model, // merges with itself (statistics of another model do not merge)
                _ when t.IsEnum => Activator.CreateInstance(t),
                _ when parameters[i].HasDefaultValue && parameters[i].DefaultValue is null && !t.IsValueType => null,
                _ when Nullable.GetUnderlyingType(t) is not null => null,
                _ => Missing.Value,
            };
            if (arguments[i] == Missing.Value)
            {
                return null;
            }
        }

        return arguments;
    }

    private static Outcome Run(Func<object?> call)
    {
        try
        {
            object? result = call();
            return new Outcome(null, HasNaN(result, 0), BadLabel(result));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return new Outcome($"{e.InnerException.GetType().Name}: {e.InnerException.Message}", false, false);
        }
    }

    private static bool HasNaN(object? value, int depth) => depth < 3 && value switch
    {
        double x => double.IsNaN(x),
        float f => float.IsNaN(f),
        double[] v => v.Any(double.IsNaN),
        double[,] m => m.Cast<double>().Any(double.IsNaN),
        float[] v => v.Any(float.IsNaN),
        string => false,
        IEnumerable items => items.Cast<object?>().Any(item => HasNaN(item, depth + 1)),
        _ => false,
    };

    private static bool BadLabel(object? value) => value is int[] labels && labels.Any(l => l < 0 || l >= 1_000_000);
}
