namespace LatentModels.Parquet;

/// <summary>
/// Collects the <c>num_children</c> of every element of a footer's schema while <see cref="ThriftWalker"/> walks it, and
/// checks that they describe one tree (the depth-first flattening Parquet defines) no deeper than <see cref="MaxDepth"/>:
/// Parquet.Net builds the tree recursively, so a deeper one could exhaust its stack.
/// </summary>
internal sealed class SchemaTreeCollector : IThriftVisitor
{
    /// <summary>The deepest schema accepted (a nested list takes three levels; real schemas nest a few).</summary>
    internal const int MaxDepth = 64;

    private readonly List<int> _children = [];
    private int _current;
    private string? _problem;

    /// <inheritdoc />
    public void Number(ThriftShape shape, short id, long value)
    {
        if (ReferenceEquals(shape, ParquetThriftSchema.SchemaElement) && id == 5)
        {
            _current = (int)value;
            if (value < 0)
            {
                _problem ??= $"its schema element {_children.Count + 1} declares {value} children.";
            }
        }
    }

    /// <inheritdoc />
    public void ListStart(ThriftShape shape, short id, int count)
    {
        if (ReferenceEquals(shape, ParquetThriftSchema.FileMetaData) && id == 2)
        {
            _children.Clear(); // A repeated schema field replaces the earlier one, as in Parquet.Net.
        }
    }

    /// <inheritdoc />
    public void End(ThriftShape shape)
    {
        if (ReferenceEquals(shape, ParquetThriftSchema.SchemaElement))
        {
            _children.Add(_current);
            _current = 0;
        }
    }

    /// <summary>What is wrong with the schema tree, or null when its elements form one tree of at most <see cref="MaxDepth"/> levels.</summary>
    internal string? Problem()
    {
        if (_problem is not null)
        {
            return _problem;
        }

        if (_children.Count == 0)
        {
            return "its schema is empty.";
        }

        // Depth-first: each element takes one place among its parent's children, then opens its own.
        var open = new Stack<int>();
        open.Push(_children[0]);
        int next = 1;
        while (open.Count > 0)
        {
            int left = open.Pop();
            if (left == 0)
            {
                continue;
            }

            open.Push(left - 1);
            if (next == _children.Count)
            {
                return $"its schema's elements declare more children than the {_children.Count} elements it holds.";
            }

            int children = _children[next++];
            if (children > 0)
            {
                open.Push(children);
                if (open.Count > MaxDepth)
                {
                    return $"its schema nests deeper than {MaxDepth} levels.";
                }
            }
        }

        return next == _children.Count
            ? null
            : $"its schema holds {_children.Count} elements, but its tree (num_children) has only {next}.";
    }
}
