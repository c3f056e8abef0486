using System.Text.Json;
using LatentModels.SparseCoding;

namespace LatentModels.Persistence.SparseCoding;

/// <summary>
/// <c>LatentModels.DictionaryModel</c>: <c>{"alpha": number, "atoms": [[d] × K]}</c>. The atoms come back bit for bit;
/// a zero atom or a negative α is rejected by the model's constructor.
/// </summary>
internal sealed class DictionaryModelCodec : ModelCodec<DictionaryModel>
{
    public override string FormatName => "LatentModels.DictionaryModel";

    protected override void Write(Utf8JsonWriter writer, DictionaryModel model)
    {
        writer.WriteNumber("alpha", model.Alpha);
        JsonFields.WriteMatrix(writer, "atoms", model.Dictionary);
    }

    protected override DictionaryModel ReadModel(JsonElement root)
    {
        double alpha = JsonFields.Double(root, "alpha");
        double[,] atoms = JsonFields.Matrix(root, "atoms");
        JsonFields.Positive(atoms.GetLength(0), "atoms");
        JsonFields.Positive(atoms.GetLength(1), "atoms[0]");
        return new DictionaryModel(atoms, alpha);
    }
}
