namespace LatentModels.Parquet;

/// <summary>One field of a Thrift structure of Parquet's schema: its id, name and type.</summary>
/// <param name="Id">The field id.</param>
/// <param name="Name">The field's name in <c>parquet.thrift</c> (used in messages).</param>
/// <param name="Kind">The field's type.</param>
/// <param name="Element">A list's element type (<see cref="ThriftKind.None"/> otherwise).</param>
/// <param name="Shape">The structure of a struct field, or of a list's struct elements.</param>
internal sealed record ThriftField(short Id, string Name, ThriftKind Kind, ThriftKind Element = ThriftKind.None, ThriftShape? Shape = null);
