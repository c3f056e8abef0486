using System.Text.Json;
using LatentModels.SparseCoding;

namespace LatentModels.Persistence.SparseCoding;

/// <summary>
/// <c>LatentModels.BinarySparseCoding</c> (version 1): <c>{"dictionary": [[d] × H], "priorLogits": [H],
/// "noiseVariance": [d], "trainingElbo": number or null}</c> — the atoms as rows (the columns of W), the prior logits b
/// (p(hᵢ = 1) = σ(bᵢ)), the noise variances β⁻¹ and the fit's final mean lower bound per row. Every value comes back bit
/// for bit; the model's constructor validates them.
/// </summary>
internal sealed class BinarySparseCodingCodec : ModelCodec<BinarySparseCodingModel>
{
    public override string FormatName => "LatentModels.BinarySparseCoding";

    protected override void Write(Utf8JsonWriter writer, BinarySparseCodingModel model)
    {
        JsonFields.WriteMatrix(writer, "dictionary", model.Dictionary);
        JsonFields.WriteVector(writer, "priorLogits", model.PriorLogits);
        JsonFields.WriteVector(writer, "noiseVariance", model.NoiseVariance);
        JsonFields.WriteDoubleOrNull(writer, "trainingElbo", model.TrainingElbo);
    }

    protected override BinarySparseCodingModel ReadModel(JsonElement root)
    {
        double[,] dictionary = JsonFields.Matrix(root, "dictionary");
        int h = JsonFields.Positive(dictionary.GetLength(0), "dictionary");
        int d = JsonFields.Dimension(JsonFields.Positive(dictionary.GetLength(1), "dictionary[0]"), "dictionary[0]");
        JsonFields.SquaresFinite(dictionary.AsSpan(), JsonFields.Product(4, h, d), "dictionary"); // WᵀβW and ‖x − Wh‖²
        double[] logits = JsonFields.Vector(root, "priorLogits", h);
        double[] variance = JsonFields.Vector(root, "noiseVariance", d);
        double elbo = JsonFields.DoubleOrNaN(root, "trainingElbo");
        return BinarySparseCodingModel.Restore(dictionary, logits, variance, elbo);
    }
}
