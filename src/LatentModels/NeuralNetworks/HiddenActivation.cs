namespace LatentModels.NeuralNetworks;

/// <summary>The activation of a network's hidden layers.</summary>
public enum HiddenActivation
{
    /// <summary>max(x, 0) (He initialisation).</summary>
    Relu,

    /// <summary>tanh(x) (Glorot initialisation), as in Kingma &amp; Welling's experiments.</summary>
    Tanh,
}
