using System.Text.Json;
using LatentModels.SparseCoding;

namespace LatentModels.Persistence.SparseCoding;

/// <summary>
/// <c>LatentModels.DictionaryModel</c>: <c>{"alpha": number, "positiveCodes": bool, "atoms": [[d] × K]}</c>. The atoms come back bit for bit;
/// a zero atom or a negative α is rejected by the model's constructor. Version 2 added <c>positiveCodes</c> (version 1
/// files are read with unconstrained codes).
/// </summary>
internal sealed class DictionaryModelCodec : ModelCodec<DictionaryModel>
{
    public override string FormatName => "LatentModels.DictionaryModel";

    public override int Version => 2;

    protected override void Write(Utf8JsonWriter writer, DictionaryModel model)
    {
        writer.WriteNumber("alpha", model.Alpha);
        writer.WriteBoolean("positiveCodes", model.PositiveCodes);
        JsonFields.WriteMatrix(writer, "atoms", model.Dictionary);
    }

    protected override DictionaryModel ReadModel(JsonElement root) => ReadModel(root, Version);

    protected override DictionaryModel ReadModel(JsonElement root, int version)
    {
        double alpha = JsonFields.Double(root, "alpha");
        bool positive = version >= 2 && JsonFields.Bool(root, "positiveCodes");
        double[,] atoms = JsonFields.Matrix(root, "atoms");
        JsonFields.Positive(atoms.GetLength(0), "atoms");
        JsonFields.Dimension(JsonFields.Positive(atoms.GetLength(1), "atoms[0]"), "atoms[0]");
        JsonFields.SquaresFinite(atoms.AsSpan(), JsonFields.Product(4, atoms.GetLength(0), atoms.GetLength(1)), "atoms"); // the Gram matrix and residuals
        return new DictionaryModel(atoms, alpha, positive);
    }
}
