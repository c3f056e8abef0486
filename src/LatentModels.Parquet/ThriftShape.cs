namespace LatentModels.Parquet;

/// <summary>A Thrift structure of Parquet's schema: its name, its known fields and which of them are required.</summary>
internal sealed class ThriftShape
{
    private readonly ThriftField[] _fields;

    /// <summary>A structure with the given fields.</summary>
    /// <param name="name">The structure's name in <c>parquet.thrift</c>.</param>
    /// <param name="fields">Its fields.</param>
    internal ThriftShape(string name, params ThriftField[] fields)
    {
        Name = name;
        _fields = fields;
    }

    /// <summary>The structure's name.</summary>
    internal string Name { get; }

    /// <summary>The ids of the required fields (each below 64); none by default.</summary>
    internal short[] Required
    {
        init
        {
            foreach (short id in value)
            {
                RequiredMask |= 1UL << id;
            }
        }
    }

    /// <summary>Bit <c>i</c> is set when field <c>i</c> is required.</summary>
    internal ulong RequiredMask { get; private set; }

    /// <summary>The field of this id, or null for a field the schema (and Parquet.Net) does not know.</summary>
    /// <param name="id">The field id.</param>
    internal ThriftField? Find(short id)
    {
        foreach (ThriftField field in _fields)
        {
            if (field.Id == id)
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The name of the field of this id, or the id itself.</summary>
    /// <param name="id">The field id.</param>
    internal string FieldName(short id) => Find(id)?.Name ?? $"field {id}";
}
