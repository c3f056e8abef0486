using System.Linq.Expressions;
using System.Reflection;
using LatentModels.Clustering;

namespace LatentModels.Tests.Reliability;

/// <summary>
/// The shared assertion of issue 14, class 6: an <see cref="ArgumentException"/> names a parameter the caller can see —
/// a parameter of one of the library's methods or constructors it called, or a public property of an options object it
/// passed (at any depth: <c>Components</c>, <c>Mixture</c>, <c>Scale</c> of a prior; the dotted path
/// <c>options.Components</c> too) — never a parameter of some internal method (<c>sampleWeights</c> from a method that
/// takes none).
/// </summary>
internal static class ParameterNames
{
    private static readonly Assembly _library = typeof(KMeansModel).Assembly;

    /// <summary>Runs <paramref name="call"/>, expects an <see cref="ArgumentException"/> and checks the parameter it names.</summary>
    public static ArgumentException ShouldThrowNamingAParameterOf(Expression<Action> call, string because = "")
    {
        Action run = call.Compile();
        ArgumentException e = run.Should().Throw<ArgumentException>(because).Which;
        e.ParamName.Should().BeOneOf(Allowed(call), $"{because}: {call.Body} threw \"{e.Message}\"");
        return e;
    }

    /// <summary>Checks that <paramref name="e"/>, thrown by <paramref name="method"/> called with <paramref name="arguments"/>, names one of its parameters.</summary>
    public static void ShouldNameAParameterOf(ArgumentException e, MethodBase method, IEnumerable<object?> arguments, string because = "")
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        AddNames(method, allowed);
        foreach (ParameterInfo p in method.GetParameters())
        {
            AddProperties(p.Name!, p.ParameterType, allowed, 0);
        }

        foreach (object? a in arguments)
        {
            if (a is not null)
            {
                AddProperties(null, a.GetType(), allowed, 0);
            }
        }

        e.ParamName.Should().BeOneOf(allowed, $"{because}: {method.DeclaringType?.Name}.{method.Name} threw \"{e.Message}\"");
    }

    /// <summary>The parameter names of every library method and constructor in the call, and the options' property names.</summary>
    public static HashSet<string> Allowed(Expression<Action> call)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        new Collector(allowed).Visit(call.Body);
        return allowed;
    }

    private static void AddNames(MethodBase method, HashSet<string> allowed)
    {
        if (method.DeclaringType?.Assembly != _library)
        {
            return;
        }

        foreach (ParameterInfo p in method.GetParameters())
        {
            allowed.Add(p.Name!);
            AddProperties(p.Name!, p.ParameterType, allowed, 0);
        }
    }

    /// <summary>The public properties of a library options type (records and classes of the library), recursively.</summary>
    private static void AddProperties(string? prefix, Type type, HashSet<string> allowed, int depth)
    {
        if (depth > 2 || type.Assembly != _library || !type.IsClass || !type.Name.EndsWith("Options", StringComparison.Ordinal) && !type.Name.EndsWith("Prior", StringComparison.Ordinal) && !type.Name.EndsWith("Inference", StringComparison.Ordinal))
        {
            return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            allowed.Add(property.Name);
            if (prefix is not null)
            {
                allowed.Add($"{prefix}.{property.Name}");
            }

            AddProperties(prefix is null ? null : $"{prefix}.{property.Name}", property.PropertyType, allowed, depth + 1);
        }
    }

    private sealed class Collector(HashSet<string> allowed) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            AddNames(node.Method, allowed);
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitNew(NewExpression node)
        {
            if (node.Constructor is { } constructor)
            {
                AddNames(constructor, allowed);
            }

            return base.VisitNew(node);
        }
    }
}
