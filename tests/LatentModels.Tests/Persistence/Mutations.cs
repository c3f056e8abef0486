using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LatentModels.Tests.Persistence;

/// <summary>
/// Every single-field mutation of a model document: each number replaced by 0, −1, the string "NaN", ±1e308,
/// long.MaxValue and 2³¹; each field (at any depth) removed; each value's type changed; each array truncated, extended and
/// emptied. Each mutation is applied to a fresh copy of the document.
/// </summary>
internal static class Mutations
{
    private static readonly JsonNode?[] _numberReplacements = [0, -1, "NaN", 1e308, -1e308, long.MaxValue, 2147483648L];

    /// <summary>A location in the document: the keys and indices from the root.</summary>
    private sealed record Location(object[] Steps)
    {
        public override string ToString() => string.Concat(Steps.Select(s => s is int i ? $"[{i}]" : $".{s}"));
    }

    public static IEnumerable<(string Description, JsonObject Mutated)> All(string json)
    {
        JsonObject probe = JsonNode.Parse(json)!.AsObject();
        foreach ((Location at, JsonNode? node) in Walk(probe, []))
        {
            if (at.Steps.Length == 1 && at.Steps[0] is "format" or "version")
            {
                continue; // the envelope has its own tests
            }

            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                    foreach (JsonNode? r in _numberReplacements)
                    {
                        yield return ($"{at} = {r?.ToJsonString()}", Replace(json, at, r?.DeepClone()));
                    }

                    yield return ($"{at} as an array", Replace(json, at, new JsonArray(JsonValue.Create(1))));
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    yield return ($"{at} = 7", Replace(json, at, 7));
                    yield return ($"{at} = \"\"", Replace(json, at, ""));
                    break;
                case JsonValue:
                    yield return ($"{at} = \"x\"", Replace(json, at, "x"));
                    break;
                case JsonArray array:
                    yield return ($"{at} = 1", Replace(json, at, 1));
                    yield return ($"{at} emptied", Replace(json, at, new JsonArray()));
                    if (array.Count > 0)
                    {
                        yield return ($"{at} truncated", Edit(json, at, a => a.AsArray().RemoveAt(a.AsArray().Count - 1)));
                        yield return ($"{at} extended", Edit(json, at, a => a.AsArray().Add(a.AsArray()[^1]?.DeepClone())));
                    }

                    break;
                case JsonObject:
                    yield return ($"{at} = []", Replace(json, at, new JsonArray()));
                    break;
                case null:
                    yield return ($"{at} = 1", Replace(json, at, 1));
                    yield return ($"{at} = []", Replace(json, at, new JsonArray()));
                    break;
            }

            if (at.Steps[^1] is string)
            {
                yield return ($"{at} removed", Edit(json, new Location(at.Steps[..^1]), parent => parent.AsObject().Remove((string)at.Steps[^1])));
            }
        }
    }

    /// <summary>Each integral number replaced by each of <paramref name="values"/>.</summary>
    public static IEnumerable<(string Description, JsonObject Mutated)> Integers(string json, long[] values)
    {
        JsonObject probe = JsonNode.Parse(json)!.AsObject();
        foreach ((Location at, JsonNode? node) in Walk(probe, []))
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long _)
                && !(at.Steps.Length == 1 && at.Steps[0] is "version"))
            {
                foreach (long value in values)
                {
                    yield return (string.Create(CultureInfo.InvariantCulture, $"{at} = {value}"), Replace(json, at, value));
                }
            }
        }
    }

    private static IEnumerable<(Location At, JsonNode? Node)> Walk(JsonNode? node, object[] steps)
    {
        if (steps.Length > 0)
        {
            yield return (new Location(steps), node);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    foreach (var item in Walk(value, [.. steps, key]))
                    {
                        yield return item;
                    }
                }

                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    foreach (var item in Walk(array[i], [.. steps, i]))
                    {
                        yield return item;
                    }
                }

                break;
        }
    }

    private static JsonNode Navigate(JsonNode root, object[] steps)
    {
        JsonNode node = root;
        foreach (object s in steps)
        {
            node = s is int i ? node.AsArray()[i]! : node.AsObject()[(string)s]!;
        }

        return node;
    }

    private static JsonObject Replace(string json, Location at, JsonNode? value)
    {
        JsonObject root = JsonNode.Parse(json)!.AsObject();
        JsonNode parent = Navigate(root, at.Steps[..^1]);
        if (at.Steps[^1] is int i)
        {
            parent.AsArray()[i] = value;
        }
        else
        {
            parent.AsObject()[(string)at.Steps[^1]] = value;
        }

        return root;
    }

    private static JsonObject Edit(string json, Location at, Action<JsonNode> edit)
    {
        JsonObject root = JsonNode.Parse(json)!.AsObject();
        edit(Navigate(root, at.Steps));
        return root;
    }
}
